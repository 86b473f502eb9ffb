#include "controller/compaction/predicate.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "api/etcd.hpp"
#include "api/names.hpp"
#include "util/json_access.hpp"

namespace druid::controller::compaction {

using nlohmann::json;

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_snapshot_lease(const json& lease) {
  const std::string name = util::string_field(util::metadata_of(lease), "name");
  return ends_with(name, "full-snap") || ends_with(name, "delta-snap");
}

json holder_identity(const json& lease) {
  const auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return nullptr;
  return spec->value("holderIdentity", json());
}

// The job is named after the Etcd that owns it.
bool is_compaction_job(const json& job) {
  const json& metadata = util::metadata_of(job);
  const std::string name = util::string_field(metadata, "name");
  const auto refs = metadata.find("ownerReferences");
  if (refs == metadata.end() || !refs->is_array()) return false;
  for (const auto& ref : *refs) {
    if (ref.value("kind", "") == api::kEtcdKind &&
        ref.value("apiVersion", "") == api::kApiVersion &&
        name == api::compaction_job_name(ref.value("name", ""))) {
      return true;
    }
  }
  return false;
}

std::int64_t status_count(const json& job, const char* key) {
  const auto status = job.find("status");
  if (status == job.end() || !status->is_object()) return 0;
  const auto value = status->find(key);
  return value != status->end() && value->is_number_integer() ? value->get<std::int64_t>() : 0;
}

// The types of the Job's True conditions, in order.
std::vector<std::string> true_conditions(const json& job) {
  std::vector<std::string> types;
  const auto status = job.find("status");
  if (status == job.end() || !status->is_object()) return types;
  const auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) return types;
  for (const auto& condition : *conditions) {
    if (condition.value("status", "") == "True") types.push_back(condition.value("type", ""));
  }
  return types;
}

}  // namespace

kube::Predicate snapshot_lease_predicate() {
  kube::Predicate predicate;
  predicate.create = [](const json& lease) { return is_snapshot_lease(lease); };
  predicate.update = [](const json& old_lease, const json& new_lease) {
    return is_snapshot_lease(new_lease) && holder_identity(old_lease) != holder_identity(new_lease);
  };
  predicate.remove = [](const json&) { return false; };
  return predicate;
}

kube::Predicate compaction_job_predicate() {
  kube::Predicate predicate;
  predicate.create = [](const json&) { return false; };
  predicate.update = [](const json& old_job, const json& new_job) {
    if (!is_compaction_job(new_job) || status_count(new_job, "active") != 0) return false;
    for (const char* count : {"active", "succeeded", "failed", "terminating", "ready"}) {
      if (status_count(old_job, count) != status_count(new_job, count)) return true;
    }
    // Beyond upstream: the Job controller may set Complete or Failed in a later
    // update than the counts; without this, that update would go unnoticed.
    return true_conditions(old_job) != true_conditions(new_job);
  };
  predicate.remove = [](const json&) { return false; };
  return predicate;
}

}  // namespace druid::controller::compaction
