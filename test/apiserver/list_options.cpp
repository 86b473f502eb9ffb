#include "apiserver/list_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "util/base64.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

std::optional<std::int64_t> parse_int(const std::string& text) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

bool parse_bool(const std::string& text) {
  return text == "true" || text == "1";
}

util::Labels labels_of(const json& object) {
  util::Labels labels;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->contains("labels")) return labels;
  for (const auto& [k, v] : (*meta)["labels"].items()) {
    if (v.is_string()) labels[k] = v.get<std::string>();
  }
  return labels;
}

std::string key_of(const json& object) {
  const json& meta = object.at("metadata");
  return meta.value("namespace", "") + "/" + meta.value("name", "");
}

std::optional<StatusError> check_fields(const FieldSelector& selector, const ResourceType& type) {
  for (const auto& r : selector.requirements()) {
    if (r.field == "metadata.name" || r.field == "metadata.namespace") continue;
    if (std::find(type.selectable_fields.begin(), type.selectable_fields.end(), r.field) !=
        type.selectable_fields.end()) {
      continue;
    }
    if (type.custom) {
      return bad_request(fmt::format(
          "\"{}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
          r.field));
    }
    return bad_request(fmt::format("field label not supported: {}", r.field));
  }
  return std::nullopt;
}

}  // namespace

std::string query_value(const QueryParams& query, const std::string& key) {
  auto it = query.find(key);
  return it == query.end() ? std::string{} : it->second;
}

util::Expected<ListOptions, StatusError> parse_list_options(const QueryParams& query,
                                                            const ResourceType& type) {
  ListOptions o;
  if (std::string s = query_value(query, "labelSelector"); !s.empty()) {
    auto parsed = util::Selector::parse(s);
    if (!parsed) return util::unexpected(bad_request(parsed.error().message()));
    o.label_selector = std::move(*parsed);
  }
  if (std::string s = query_value(query, "fieldSelector"); !s.empty()) {
    auto parsed = FieldSelector::parse(s);
    if (!parsed) return util::unexpected(bad_request(parsed.error().message()));
    if (auto err = check_fields(*parsed, type)) return util::unexpected(*err);
    o.field_selector = std::move(*parsed);
  }
  if (std::string s = query_value(query, "limit"); !s.empty()) {
    auto v = parse_int(s);
    if (!v) return util::unexpected(bad_request(fmt::format("invalid limit: {}", s)));
    o.limit = std::max<std::int64_t>(0, *v);
  }
  o.continue_token = query_value(query, "continue");
  o.resource_version = query_value(query, "resourceVersion");
  o.resource_version_match = query_value(query, "resourceVersionMatch");
  o.watch = parse_bool(query_value(query, "watch"));
  o.allow_watch_bookmarks = parse_bool(query_value(query, "allowWatchBookmarks"));
  o.send_initial_events = parse_bool(query_value(query, "sendInitialEvents"));
  if (std::string s = query_value(query, "timeoutSeconds"); !s.empty()) {
    auto v = parse_int(s);
    if (!v) return util::unexpected(bad_request(fmt::format("invalid timeoutSeconds: {}", s)));
    o.timeout = std::chrono::seconds(*v);
  }
  if (!o.resource_version.empty() && !parse_int(o.resource_version)) {
    return util::unexpected(bad_request(
        fmt::format("invalid resource version \"{}\": strconv.ParseUint: parsing \"{}\": invalid "
                    "syntax",
                    o.resource_version, o.resource_version)));
  }
  return o;
}

bool matches(const ListOptions& options, const json& object) {
  if (!options.label_selector.empty() && !options.label_selector.matches(labels_of(object))) {
    return false;
  }
  return options.field_selector.empty() || options.field_selector.matches(object);
}

std::string encode_continue(const ContinueToken& token) {
  json j = {{"v", "meta.k8s.io/v1"},
            {"rv", token.resource_version},
            {"start", token.start_after + std::string(1, '\0')}};
  return util::base64url_encode(j.dump());
}

util::Expected<ContinueToken, StatusError> decode_continue(const std::string& text) {
  auto bad = [] {
    return util::unexpected(
        bad_request("continue key is not valid: incorrect encoded start resourceVersion (version "
                    "meta.k8s.io/v1)"));
  };
  auto raw = util::base64_decode(text);
  if (!raw) return bad();
  json j = json::parse(*raw, nullptr, false);
  if (!j.is_object() || j.value("v", "") != "meta.k8s.io/v1" || !j.contains("rv") ||
      !j["rv"].is_number_integer() || !j.contains("start") || !j["start"].is_string()) {
    return bad();
  }
  ContinueToken t;
  t.resource_version = j["rv"].get<std::int64_t>();
  t.start_after = j["start"].get<std::string>();
  if (!t.start_after.empty() && t.start_after.back() == '\0') t.start_after.pop_back();
  return t;
}

util::Expected<Page, StatusError> paginate(const std::vector<const json*>& objects,
                                           const ListOptions& options,
                                           std::int64_t current_resource_version) {
  Page page;
  page.resource_version = current_resource_version;
  std::string start_after;
  if (!options.continue_token.empty()) {
    auto token = decode_continue(options.continue_token);
    if (!token) return util::unexpected(token.error());
    start_after = token->start_after;
    // Every page of one list reports the version of its first page.
    page.resource_version = token->resource_version;
  }
  const bool filtered = !options.label_selector.empty() || !options.field_selector.empty();
  std::size_t i = 0;
  for (; i < objects.size(); ++i) {
    const json& object = *objects[i];
    if (!start_after.empty() && key_of(object) <= start_after) continue;
    if (!matches(options, object)) continue;
    if (options.limit > 0 && static_cast<std::int64_t>(page.items.size()) == options.limit) break;
    page.items.push_back(object);
  }
  if (i < objects.size()) {
    // Only a real "next" object makes a next page.
    bool more = false;
    std::int64_t remaining = 0;
    for (std::size_t j = i; j < objects.size(); ++j) {
      if (matches(options, *objects[j])) {
        more = true;
        ++remaining;
      }
    }
    if (more && !page.items.empty()) {
      page.continue_token = encode_continue({page.resource_version, key_of(page.items.back())});
      if (!filtered) page.remaining_item_count = remaining;
    }
  }
  return page;
}

}  // namespace druid::testing
