#include "health/condition_data_volumes_ready.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "api/duration.hpp"
#include "health/statefulset_status.hpp"
#include "util/json_access.hpp"
#include "util/text.hpp"

namespace druid::health {
namespace {

using nlohmann::json;

constexpr std::size_t kEventsPerPvc = 2;

struct PvcRef {
  std::string namespace_;
  std::string name;
};

struct WarningEvent {
  std::optional<util::Time> first_timestamp;
  std::optional<util::Time> last_timestamp;
  std::optional<util::Time> event_time;
  std::int64_t count = 0;
  std::string source;
  std::string message;
};

const json& object_field(const json& object, const char* key) {
  static const json kEmpty = json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

// A time field; absent, empty or unparsable reads as "no time".
std::optional<util::Time> time_field(const json& object, const char* key) {
  const std::string text = util::string_field(object, key);
  if (text.empty()) return std::nullopt;
  auto parsed = util::parse_rfc3339(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

// The event's involvedObject.name without a copy; null when absent. The
// status check of every Etcd scans the cached warning events of its
// namespace, so this first test must not allocate.
const std::string* involved_name(const json& event) {
  auto involved = event.find("involvedObject");
  if (involved == event.end() || !involved->is_object()) return nullptr;
  auto name = involved->find("name");
  if (name == involved->end() || !name->is_string()) return nullptr;
  return &name->get_ref<const std::string&>();
}

// A Warning event about this PVC (involvedObject v1 PersistentVolumeClaim).
// Events written without involvedObject.apiVersion are accepted too.
bool is_warning_about(const json& event, const PvcRef& pvc) {
  if (util::string_field(event, "type") != "Warning") return false;
  const json& involved = object_field(event, "involvedObject");
  const std::string api_version = util::string_field(involved, "apiVersion");
  return (api_version == "v1" || api_version.empty()) &&
         util::string_field(involved, "kind") == "PersistentVolumeClaim" &&
         util::string_field(involved, "name") == pvc.name &&
         util::string_field(involved, "namespace") == pvc.namespace_;
}

WarningEvent read_event(const json& event) {
  WarningEvent e;
  e.first_timestamp = time_field(event, "firstTimestamp");
  e.last_timestamp = time_field(event, "lastTimestamp");
  e.event_time = time_field(event, "eventTime");
  if (auto it = event.find("count"); it != event.end() && it->is_number_integer()) {
    e.count = it->get<std::int64_t>();
  }
  e.source = util::string_field(object_field(event, "source"), "component");
  if (e.source.empty()) e.source = util::string_field(event, "reportingComponent");
  e.message = util::string_field(event, "message");
  return e;
}

std::string since(const std::optional<util::Time>& t, util::Time now) {
  return t ? api::human_duration(now - *t) : "<unknown>";
}

std::string event_interval(const WarningEvent& e, util::Time now) {
  if (e.count > 1) {
    return fmt::format("{} ago (x{} over {})", since(e.last_timestamp, now), e.count,
                       since(e.first_timestamp, now));
  }
  return fmt::format("{} ago", since(e.first_timestamp ? e.first_timestamp : e.event_time, now));
}

// "-> Events:\n* ..." for the most recent events (oldest first), "" for none.
std::string events_message(std::vector<WarningEvent> events, util::Time now) {
  if (events.empty()) return {};
  // Events without lastTimestamp sort first (Go's zero time).
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.last_timestamp.value_or(util::Time::min()) <
           b.last_timestamp.value_or(util::Time::min());
  });
  if (events.size() > kEventsPerPvc) events.erase(events.begin(), events.end() - kEventsPerPvc);
  std::string text = "-> Events:";
  for (const auto& e : events) {
    text += fmt::format("\n* {} reported {}: {}", e.source, event_interval(e, now), e.message);
  }
  return text;
}

std::vector<PvcRef> unbound_pvcs(const StatefulSetFacts& sts, const std::vector<ObjectPtr>& pvcs) {
  std::vector<const json*> sorted;
  for (const auto& pvc : pvcs) {
    if (pvc) sorted.push_back(pvc.get());
  }
  // The API server lists by name; a cache may not.
  std::stable_sort(sorted.begin(), sorted.end(), [](const json* a, const json* b) {
    return util::string_field(util::metadata_of(*a), "name") <
           util::string_field(util::metadata_of(*b), "name");
  });
  std::vector<PvcRef> result;
  for (const auto& vct : sts.volume_claim_template_names) {
    const std::string prefix = vct + "-" + sts.name;
    for (const json* pvc : sorted) {
      const json& metadata = util::metadata_of(*pvc);
      PvcRef ref{util::string_field(metadata, "namespace"), util::string_field(metadata, "name")};
      if (!ref.name.starts_with(prefix)) continue;
      if (util::string_field(object_field(*pvc, "status"), "phase") == "Bound") continue;
      result.push_back(std::move(ref));
    }
  }
  return result;
}

CheckResult result(const char* status, const char* reason, std::string message) {
  return {api::condition::kDataVolumesReady, status, reason, std::move(message)};
}

}  // namespace

std::string pvc_warning_messages(const json& sts, const std::vector<ObjectPtr>& pvcs,
                                 const std::vector<ObjectPtr>& events, util::Time now) {
  std::vector<std::string> warnings;
  for (const PvcRef& pvc : unbound_pvcs(read_statefulset(sts), pvcs)) {
    std::vector<WarningEvent> about;
    for (const auto& event : events) {
      if (!event) continue;
      const std::string* name = involved_name(*event);
      if (name == nullptr || *name != pvc.name) continue;
      if (is_warning_about(*event, pvc)) about.push_back(read_event(*event));
    }
    std::string messages = events_message(std::move(about), now);
    if (!messages.empty()) {
      warnings.push_back(
          fmt::format("Warning for PVC {}/{}: {}", pvc.namespace_, pvc.name, messages));
    }
  }
  return std::string(util::trim_go_space(fmt::format("{}", fmt::join(warnings, "; "))));
}

CheckResult check_data_volumes_ready(const api::Etcd& etcd, const DataVolumeInputs& in) {
  if (in.statefulset_error) {
    return result(api::kConditionUnknown, "UnableToFetchStatefulSet",
                  "Unable to fetch StatefulSet for etcd: " + *in.statefulset_error);
  }
  if (in.controlled_sts == nullptr) {
    return result(api::kConditionUnknown, "StatefulSetNotFound",
                  fmt::format("StatefulSet: \"{}\" not found for etcd", etcd.metadata.name));
  }
  const StatefulSetFacts sts = read_statefulset(*in.controlled_sts);
  const std::string sts_key = sts.namespace_ + "/" + sts.name;

  std::string read_error;
  if (in.pvcs_error) {
    read_error = fmt::format("unable to list PVCs for sts {}: {}", sts.name, *in.pvcs_error);
  } else if (in.events_error) {
    // Only PVCs that would need their events fail to be checked.
    std::vector<std::string> errors;
    for (const PvcRef& pvc : unbound_pvcs(sts, in.pvcs)) {
      errors.push_back(
          fmt::format("unable to fetch warning events for PVC {}/{}: failed to list events: {}",
                      pvc.namespace_, pvc.name, *in.events_error));
    }
    read_error = fmt::format("{}", fmt::join(errors, "\n"));
  }
  if (!read_error.empty()) {
    return result(api::kConditionUnknown, "UnableToFetchWarningEventsForDataVolumes",
                  fmt::format("Unable to fetch warning events for PVCs used by StatefulSet {}: {}",
                              sts_key, read_error));
  }

  std::string warnings = pvc_warning_messages(*in.controlled_sts, in.pvcs, in.events, in.now);
  if (!warnings.empty()) {
    return result(api::kConditionFalse, "FoundWarningsForDataVolumes", std::move(warnings));
  }
  return result(api::kConditionTrue, "NoWarningsFoundForDataVolumes",
                "No warning events found for PVCs used by StatefulSet " + sts_key);
}

}  // namespace druid::health
