#include "localenv/member_agent/member_etcd_config.hpp"

#include <algorithm>
#include <set>

namespace druid::localenv::backup {
namespace {

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

std::string join_commas(const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& item : items) {
    if (!joined.empty()) joined += ',';
    joined += item;
  }
  return joined;
}

}  // namespace

util::Expected<std::vector<InitialClusterEntry>, std::string> parse_initial_cluster(
    std::string_view text) {
  std::vector<InitialClusterEntry> entries;
  for (const auto& item : split_commas(text)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return util::unexpected("invalid initial-cluster entry \"" + item +
                              "\": want <name>=<peer URL>");
    }
    entries.push_back({item.substr(0, eq), item.substr(eq + 1)});
  }
  return entries;
}

util::Expected<std::vector<std::string>, std::string> initial_cluster_members(
    const nlohmann::json& config) {
  const auto it = config.find("initial-cluster");
  if (it == config.end() || !it->is_string()) {
    return util::unexpected(std::string("etcd config has no initial-cluster string"));
  }
  auto entries = parse_initial_cluster(it->get<std::string>());
  if (!entries) return util::unexpected(entries.error());
  std::vector<std::string> names;
  for (const auto& entry : *entries) {
    if (std::find(names.begin(), names.end(), entry.name) == names.end()) {
      names.push_back(entry.name);
    }
  }
  return names;
}

std::string member_name(const nlohmann::json& config, const std::string& pod_name) {
  const auto prefix = config.find("member-name-prefix");
  if (prefix != config.end() && prefix->is_string() && !prefix->get<std::string>().empty()) {
    return prefix->get<std::string>() + "-" + pod_name;
  }
  return pod_name;
}

util::Expected<std::vector<std::string>, std::string> member_urls(const nlohmann::json& config,
                                                                  const std::string& key,
                                                                  const std::string& member) {
  const auto it = config.find(key);
  if (it == config.end()) return util::unexpected("etcd config has no " + key);
  if (it->is_string()) return split_commas(it->get<std::string>());
  if (!it->is_object())
    return util::unexpected("etcd config " + key + " is neither map nor string");
  const auto urls = it->find(member);
  if (urls == it->end()) {
    return util::unexpected("etcd config " + key + " has no entry for member " + member);
  }
  std::vector<std::string> result;
  if (urls->is_string()) return split_commas(urls->get<std::string>());
  if (!urls->is_array())
    return util::unexpected("etcd config " + key + "." + member + " is not a list");
  for (const auto& url : *urls) {
    if (!url.is_string())
      return util::unexpected("etcd config " + key + "." + member + " holds a non-string");
    result.push_back(url.get<std::string>());
  }
  return result;
}

util::Expected<nlohmann::json, std::string> member_etcd_config(
    const nlohmann::json& config, const std::string& pod_name,
    const std::optional<std::vector<etcd::Member>>& members) {
  if (!config.is_object()) return util::unexpected(std::string("etcd config is not a mapping"));
  if (pod_name.empty()) return util::unexpected(std::string("POD_NAME is not set"));
  nlohmann::json result = config;
  const std::string name = member_name(config, pod_name);
  result["name"] = name;
  for (const char* key : {"initial-advertise-peer-urls", "advertise-client-urls"}) {
    if (!config.contains(key)) continue;
    auto urls = member_urls(config, key, name);
    if (!urls) return util::unexpected(urls.error());
    result[key] = join_commas(*urls);
  }
  result["enable-grpc-gateway"] = true;

  const auto it = config.find("initial-cluster");
  if (it == config.end() || !it->is_string()) {
    return util::unexpected(std::string("etcd config has no initial-cluster string"));
  }
  auto entries = parse_initial_cluster(it->get<std::string>());
  if (!entries) return util::unexpected(entries.error());
  std::set<std::string> names;
  for (const auto& entry : *entries) names.insert(entry.name);

  if (names.size() <= 1) {
    result["initial-cluster-state"] = "new";
    return result;
  }
  std::string state = "new";
  if (members) {
    std::set<std::string> in_cluster{name};
    bool learner = false;
    for (const auto& member : *members) {
      if (!member.name.empty()) in_cluster.insert(member.name);
      learner = learner || member.is_learner;
    }
    std::vector<std::string> kept;
    for (const auto& entry : *entries) {
      if (in_cluster.contains(entry.name)) kept.push_back(entry.name + "=" + entry.peer_url);
    }
    result["initial-cluster"] = join_commas(kept);
    if (learner) state = "existing";
  }
  result["initial-cluster-state"] = state;
  return result;
}

}  // namespace druid::localenv::backup
