#pragma once
// The query parameters of list and watch requests (metav1.ListOptions) and
// the pagination of list results with opaque continue tokens.

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/label_selector.hpp"
#include "apiserver/field_selector.hpp"
#include "apiserver/resource_registry.hpp"
#include "apiserver/status.hpp"

namespace druid::testing {

using QueryParams = std::multimap<std::string, std::string>;

struct ListOptions {
  util::Selector label_selector;
  FieldSelector field_selector;
  std::int64_t limit = 0;  // 0 = no limit
  std::string continue_token;
  std::string resource_version;  // "" = most recent, "0" = any, otherwise exact/not older
  std::string resource_version_match;
  bool watch = false;
  bool allow_watch_bookmarks = false;
  bool send_initial_events = false;
  std::optional<std::chrono::seconds> timeout;
};

// The first value of a query parameter, or "".
std::string query_value(const QueryParams& query, const std::string& key);

// 400 BadRequest for malformed selectors or numbers, and for field selectors on
// fields the type does not support (with the real server's messages).
util::Expected<ListOptions, StatusError> parse_list_options(const QueryParams& query,
                                                            const ResourceType& type);

// Whether an object passes the label and field selectors.
bool matches(const ListOptions& options, const nlohmann::json& object);

// Where a list page starts and what snapshot version it reports.
struct ContinueToken {
  std::int64_t resource_version = 0;
  std::string start_after;  // "<namespace>/<name>" of the last returned object
};
std::string encode_continue(const ContinueToken& token);
util::Expected<ContinueToken, StatusError> decode_continue(const std::string& text);

struct Page {
  std::vector<nlohmann::json> items;
  std::string continue_token;  // "" on the last page
  std::optional<std::int64_t> remaining_item_count;
  std::int64_t resource_version = 0;
};

// One page of `objects` (already in key order) after applying the selectors.
util::Expected<Page, StatusError> paginate(const std::vector<const nlohmann::json*>& objects,
                                           const ListOptions& options,
                                           std::int64_t current_resource_version);

}  // namespace druid::testing
