#include "health/member_status.hpp"

#include <algorithm>
#include <map>

#include "api/names.hpp"
#include "util/json_access.hpp"
#include "util/text.hpp"

namespace druid::health {
namespace {

using nlohmann::json;

const json& spec_of(const json& object) {
  static const json kEmpty = json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find("spec");
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::optional<std::string> as_role(const std::string& text) {
  if (text == api::member::kRoleLeader || text == api::member::kRoleMember) return text;
  return std::nullopt;
}

// The pod's ContainersReady condition is True. A pod without status or
// without the condition is not ready (as upstream reads it).
bool containers_ready(const json& pod) {
  const auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) return false;
  const auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) return false;
  for (const auto& condition : *conditions) {
    if (util::string_field(condition, "type") == "ContainersReady") {
      return util::string_field(condition, "status") == "True";
    }
  }
  return false;
}

// Status and reason of a member whose lease was renewed at `renew`.
std::pair<const char*, const char*> classify(const api::Etcd& etcd, const json& lease,
                                             util::Time renew, const MemberInputs& in) {
  if (renew + in.thresholds.unknown + in.thresholds.not_ready < in.now) {
    return {api::member::kStatusNotReady, member_reason::kUnknownGracePeriodExceeded};
  }
  if (renew + in.thresholds.unknown < in.now) {
    // A stale lease alone cannot tell a slow sidecar from a dead member; the
    // pod can: a missing pod or unready containers mean NotReady now.
    if (in.pods_unreadable) return {api::member::kStatusUnknown, member_reason::kLeaseExpired};
    const std::string pod_name = api::pod_name_from_member_lease_name(
        util::string_field(util::metadata_of(lease), "name"), etcd.spec.member_name_prefix);
    const json* pod = find_object(in.pods, pod_name);
    if (pod == nullptr || !containers_ready(*pod)) {
      return {api::member::kStatusNotReady, member_reason::kContainersNotReady};
    }
    return {api::member::kStatusUnknown, member_reason::kLeaseExpired};
  }
  return {api::member::kStatusReady, member_reason::kLeaseSucceeded};
}

}  // namespace

const json* find_object(const std::vector<ObjectPtr>& objects, std::string_view name) {
  for (const auto& object : objects) {
    if (object && util::string_field(util::metadata_of(*object), "name") == name) {
      return object.get();
    }
  }
  return nullptr;
}

util::Expected<HolderIdentity, std::string> parse_holder_identity(const json& lease) {
  const json& spec = spec_of(lease);
  const auto holder = spec.find("holderIdentity");
  if (holder == spec.end() || !holder->is_string()) {
    return util::unexpected(std::string("lease holder identity is nil"));
  }
  const std::string text = holder->get<std::string>();
  std::vector<std::string> parts;
  for (std::string_view part : util::split(text, ':')) parts.emplace_back(part);
  if (parts.size() == 2) return HolderIdentity{parts[0], std::nullopt, as_role(parts[1])};
  if (parts.size() == 3) return HolderIdentity{parts[0], parts[1], as_role(parts[2])};
  return util::unexpected("unexpected lease holder identity format: " + text);
}

std::optional<util::Time> lease_renew_time(const json& lease) {
  const std::string text = util::string_field(spec_of(lease), "renewTime");
  if (text.empty()) return std::nullopt;
  auto parsed = util::parse_rfc3339(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

std::vector<api::EtcdMemberStatus> check_members(const api::Etcd& etcd, const MemberInputs& in) {
  std::vector<api::EtcdMemberStatus> results;
  for (const std::string& lease_name : api::member_lease_names(etcd)) {
    const json* lease = find_object(in.member_leases, lease_name);
    if (lease == nullptr) continue;  // not created yet
    auto identity = parse_holder_identity(*lease);
    if (!identity) continue;  // the sidecar has not written it (or wrote garbage)
    // Without renewTime the member is still bootstrapping: it is listed only
    // once it has joined, so the Ready condition's quorum stays meaningful.
    const auto renew = lease_renew_time(*lease);
    if (!renew) continue;
    const auto [status, reason] = classify(etcd, *lease, *renew, in);
    api::EtcdMemberStatus member;
    member.name = lease_name;
    member.id = identity->member_id;
    member.role = identity->role;
    member.status = status;
    member.reason = reason;
    results.push_back(std::move(member));
  }
  return results;
}

std::vector<api::EtcdMemberStatus> build_members(const std::vector<api::EtcdMemberStatus>& previous,
                                                 std::vector<api::EtcdMemberStatus> results,
                                                 util::Time now) {
  std::map<std::string, const api::EtcdMemberStatus*> by_name;
  for (const auto& member : previous) by_name[member.name] = &member;
  const std::string now_text = util::format_rfc3339(now);
  for (auto& member : results) {
    const auto old = by_name.find(member.name);
    const bool unchanged = old != by_name.end() && old->second->status == member.status &&
                           !old->second->last_transition_time.empty();
    member.last_transition_time = unchanged ? old->second->last_transition_time : now_text;
  }
  std::stable_sort(results.begin(), results.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  return results;
}

}  // namespace druid::health
