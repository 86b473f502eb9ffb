#include "controller/compaction/decision.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "controller/compaction/job_outcome.hpp"
#include "util/json_access.hpp"

namespace druid::controller::compaction {

using nlohmann::json;

namespace {

// The holderIdentity, when the lease has one.
std::optional<std::string> holder_identity(const json& lease) {
  const auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return std::nullopt;
  const auto holder = spec->find("holderIdentity");
  if (holder == spec->end() || !holder->is_string()) return std::nullopt;
  return holder->get<std::string>();
}

// Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits only.
std::optional<std::int64_t> parse_revision(const std::string& text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  std::int64_t value = 0;
  const auto* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

Thresholds effective_thresholds(const api::Etcd& etcd, Thresholds configured) {
  if (const auto& compaction = etcd.spec.backup.snapshot_compaction) {
    if (compaction->events_threshold) configured.events = *compaction->events_threshold;
    if (compaction->trigger_full_snapshot_threshold) {
      configured.trigger_full_snapshot = *compaction->trigger_full_snapshot_threshold;
    }
  }
  return configured;
}

bool full_snapshot_due_after(const api::Condition* last_compaction) {
  if (last_compaction == nullptr || last_compaction->status != api::kConditionFalse) return false;
  return last_compaction->reason == condition_reason::kDeadlineExceeded ||
         last_compaction->reason == condition_reason::kErrorTriggeringFullSnapshot;
}

util::Expected<Decision, std::string> decide(const json* full_lease, const json* delta_lease,
                                             const Thresholds& thresholds,
                                             const api::Condition* last_compaction) {
  if (full_lease == nullptr || delta_lease == nullptr) {
    return Decision{Action::kWait, 0, "a snapshot lease does not exist yet"};
  }
  const auto full_holder = holder_identity(*full_lease);
  const auto delta_holder = holder_identity(*delta_lease);
  // backup-restore has not taken both kinds of snapshot yet.
  if (!full_holder || !delta_holder) {
    return Decision{Action::kWait, 0, "a snapshot lease has no revision yet"};
  }
  std::int64_t revisions[2] = {0, 0};
  const std::pair<const json*, const std::string*> leases[2] = {{full_lease, &*full_holder},
                                                                {delta_lease, &*delta_holder}};
  for (int i = 0; i < 2; ++i) {
    const auto parsed = parse_revision(*leases[i].second);
    if (!parsed) {
      return util::unexpected(fmt::format(
          "the holderIdentity \"{}\" of Lease {} is not a revision (an integer)", *leases[i].second,
          util::string_field(util::metadata_of(*leases[i].first), "name")));
    }
    revisions[i] = *parsed;
  }
  const std::int64_t accumulated = revisions[1] - revisions[0];
  if (full_snapshot_due_after(last_compaction)) {
    return Decision{Action::kFullSnapshot, accumulated,
                    fmt::format("the last compaction ended with {}", last_compaction->reason)};
  }
  if (accumulated >= thresholds.trigger_full_snapshot) {
    return Decision{Action::kFullSnapshot, accumulated,
                    "delta revisions have crossed the upper threshold"};
  }
  if (accumulated >= thresholds.events) {
    return Decision{Action::kCompact, accumulated, "delta revisions have crossed the threshold"};
  }
  return Decision{Action::kNothing, accumulated, "below the threshold"};
}

}  // namespace druid::controller::compaction
