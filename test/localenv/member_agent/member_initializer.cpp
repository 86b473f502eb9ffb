#include "localenv/member_agent/member_initializer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "kube/resource.hpp"
#include "localenv/member_agent/member_etcd_config.hpp"
#include "localenv/member_agent/snapshot_restorer.hpp"

namespace druid::localenv::backup {
namespace {

constexpr int kMemberAddAttempts = 6;

std::string trim(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
  return text;
}

// Waits `duration` unless a stop is requested; false when stopped.
bool pause(std::chrono::milliseconds duration, const std::atomic<bool>* stop) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    if (stop != nullptr && stop->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Whether the member lease says this member ran before (a holderIdentity).
// nullopt when the lease cannot be read.
std::optional<bool> lease_has_holder(const InitializerInputs& inputs, const std::string& member) {
  if (inputs.kube == nullptr) return std::nullopt;
  auto lease = inputs.kube->get(kube::resources::kLeases, inputs.pod_namespace, member);
  if (!lease) {
    spdlog::warn("cannot read member lease {}/{}: {}", inputs.pod_namespace, member,
                 lease.error().what());
    return std::nullopt;
  }
  const auto spec = lease->find("spec");
  if (spec == lease->end()) return false;
  const auto holder = spec->find("holderIdentity");
  return holder != spec->end() && holder->is_string() && !holder->get<std::string>().empty();
}

bool is_member(const std::vector<etcd::Member>& members, const std::string& name,
               const std::vector<std::string>& peer_urls) {
  return std::any_of(members.begin(), members.end(), [&](const etcd::Member& member) {
    if (member.name == name) return true;
    return std::any_of(peer_urls.begin(), peer_urls.end(), [&](const std::string& url) {
      return std::find(member.peer_urls.begin(), member.peer_urls.end(), url) !=
             member.peer_urls.end();
    });
  });
}

util::Expected<bool, std::string> add_as_learner(etcd::Client& client,
                                                 const std::vector<std::string>& peer_urls,
                                                 const std::atomic<bool>* stop) {
  std::string last_error;
  for (int attempt = 1; attempt <= kMemberAddAttempts; ++attempt) {
    auto added = client.member_add(peer_urls, true);
    if (added) {
      spdlog::info("added this member as learner (ID {})", etcd::id_to_hex(added->id));
      return true;
    }
    last_error = added.error().message;
    if (last_error.find("already exists") != std::string::npos) return true;
    spdlog::warn("member add attempt {}: {}", attempt, last_error);
    if (attempt < kMemberAddAttempts && !pause(std::chrono::seconds(1), stop)) break;
  }
  return util::unexpected("cannot add this member as learner: " + last_error);
}

util::Expected<bool, std::string> check_safe_guard(const InitializerInputs& inputs) {
  const auto file = inputs.data_volume_dir / "safe_guard";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file);
    std::stringstream content;
    content << in.rdbuf();
    const auto held = trim(content.str());
    if (held != inputs.pod_namespace) {
      return util::unexpected("WrongVolumeMounted: the data volume belongs to namespace \"" + held +
                              "\", this member runs in \"" + inputs.pod_namespace + "\"");
    }
    return true;
  }
  std::filesystem::create_directories(inputs.data_volume_dir, ec);
  std::ofstream out(file, std::ios::trunc);
  out << inputs.pod_namespace;
  if (!out) return util::unexpected("cannot write " + file.string());
  return true;
}

}  // namespace

ValidationMode validation_mode_from(const std::string& text) {
  return text == "sanity" ? ValidationMode::kSanity : ValidationMode::kFull;
}

DataDirState check_data_dir(const std::filesystem::path& data_dir, ValidationMode mode) {
  std::error_code ec;
  if (!std::filesystem::exists(data_dir, ec)) return DataDirState::kAbsent;
  const auto member = data_dir / "member";
  if (!std::filesystem::is_directory(member / "snap", ec) ||
      !std::filesystem::is_directory(member / "wal", ec)) {
    return DataDirState::kInvalid;
  }
  if (mode == ValidationMode::kFull &&
      !std::filesystem::is_regular_file(member / "snap" / "db", ec)) {
    return DataDirState::kInvalid;
  }
  return DataDirState::kValid;
}

util::Expected<bool, std::string> initialize_member(const InitializerInputs& inputs,
                                                    ValidationMode mode) {
  auto names = initial_cluster_members(inputs.config);
  if (!names) return util::unexpected(names.error());
  const std::string name = member_name(inputs.config, inputs.pod_name);
  auto peer_urls = member_urls(inputs.config, "initial-advertise-peer-urls", name);
  if (!peer_urls) return util::unexpected(peer_urls.error());
  const bool multi_member = names->size() > 1;

  std::optional<etcd::Client> service;
  if (multi_member && !inputs.service_endpoints.endpoints.empty()) {
    service.emplace(inputs.service_endpoints);
  }
  if (multi_member && service) {
    const auto ran_before = lease_has_holder(inputs, name);
    if (ran_before == false) {
      auto members = service->member_list();
      if (members && !is_member(*members, name, *peer_urls)) {
        spdlog::info("member {} is new to the cluster: adding it as learner", name);
        return add_as_learner(*service, *peer_urls, inputs.stop);
      }
    }
  }

  if (auto guarded = check_safe_guard(inputs); !guarded) return guarded;
  const auto state = check_data_dir(inputs.data_dir, mode);
  if (state == DataDirState::kValid) return true;
  std::error_code ec;
  if (multi_member) {
    if (state == DataDirState::kAbsent) return true;
    // Invalid data in a multi-member cluster: rejoin as learner and resync
    // from the peers (no restore from the store).
    spdlog::warn("data directory {} is invalid: rejoining the cluster as learner",
                 inputs.data_dir.string());
    if (!service)
      return util::unexpected(
          std::string("invalid data directory and no service endpoints to rejoin"));
    auto members = service->member_list();
    if (!members) return util::unexpected("member list: " + members.error().message);
    for (const auto& member : *members) {
      if (member.name == name) {
        auto removed = service->member_remove(member.id);
        if (!removed) return util::unexpected("member remove: " + removed.error().message);
      }
    }
    std::filesystem::remove_all(inputs.data_dir, ec);
    return add_as_learner(*service, *peer_urls, inputs.stop);
  }

  if (state == DataDirState::kInvalid) {
    spdlog::warn("data directory {} is invalid: removing it", inputs.data_dir.string());
    std::filesystem::remove_all(inputs.data_dir, ec);
  }
  if (inputs.store == nullptr) return true;
  RestoreRequest request;
  request.member_name = name;
  request.initial_cluster = inputs.config.value("initial-cluster", "");
  std::string joined;
  for (const auto& url : *peer_urls) joined += (joined.empty() ? "" : ",") + url;
  request.initial_advertise_peer_urls = joined;
  request.data_dir = inputs.data_dir;
  request.work_dir = inputs.data_volume_dir / "restoration.temp";
  request.quota_bytes = inputs.quota_bytes;
  auto restored = restore_from_store(*inputs.store, request);
  // Kept after a failure: it holds the logs of etcdctl and the temporary etcd.
  if (!restored) return util::unexpected("restore: " + restored.error());
  std::filesystem::remove_all(request.work_dir, ec);
  return true;
}

}  // namespace druid::localenv::backup
