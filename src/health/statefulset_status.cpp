#include "health/statefulset_status.hpp"

#include <limits>

#include "util/json_access.hpp"

namespace druid::health {
namespace {

using nlohmann::json;

const json& object_field(const json& object, const char* key) {
  static const json kEmpty = json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::int64_t int_field(const json& object, const char* key, std::int64_t fallback = 0) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  return it->get<std::int64_t>();
}

std::int32_t int32_field(const json& object, const char* key, std::int32_t fallback = 0) {
  const std::int64_t value = int_field(object, key, fallback);
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max()) {
    return fallback;
  }
  return static_cast<std::int32_t>(value);
}

}  // namespace

bool is_owned_by_statefulset(const json& pod, const json& sts) {
  const json* ref = util::controller_reference_of(pod);
  if (ref == nullptr || util::string_field(*ref, "kind") != "StatefulSet") return false;
  const json& sts_metadata = util::metadata_of(sts);
  const std::string uid = util::string_field(sts_metadata, "uid");
  if (!uid.empty()) return util::string_field(*ref, "uid") == uid;
  return util::string_field(*ref, "name") == util::string_field(sts_metadata, "name");
}

bool all_owned_pods_at_update_revision(const json& sts, const std::vector<ObjectPtr>& pods) {
  const std::string update_revision =
      util::string_field(object_field(sts, "status"), "updateRevision");
  if (update_revision.empty()) return false;
  for (const auto& pod : pods) {
    if (!pod || !is_owned_by_statefulset(*pod, sts)) continue;
    const json& labels = object_field(util::metadata_of(*pod), "labels");
    if (util::string_field(labels, kControllerRevisionHashLabel) != update_revision) return false;
  }
  return true;
}

bool revision_rolled_out(const StatefulSetFacts& sts) {
  if (sts.on_delete) return sts.pods_at_update_revision;
  return sts.current_revision == sts.update_revision &&
         sts.current_replicas == sts.updated_replicas;
}

StatefulSetFacts read_statefulset(const json& sts, const std::vector<ObjectPtr>* pods) {
  const json& metadata = util::metadata_of(sts);
  const json& spec = object_field(sts, "spec");
  const json& status = object_field(sts, "status");
  StatefulSetFacts facts;
  facts.name = util::string_field(metadata, "name");
  facts.namespace_ = util::string_field(metadata, "namespace");
  facts.generation = int_field(metadata, "generation");
  facts.spec_replicas = int32_field(spec, "replicas", 1);
  if (auto it = spec.find("volumeClaimTemplates"); it != spec.end() && it->is_array()) {
    for (const auto& vct : *it) {
      facts.volume_claim_template_names.push_back(
          util::string_field(util::metadata_of(vct), "name"));
    }
  }
  facts.observed_generation = int_field(status, "observedGeneration");
  facts.current_replicas = int32_field(status, "currentReplicas");
  facts.ready_replicas = int32_field(status, "readyReplicas");
  facts.updated_replicas = int32_field(status, "updatedReplicas");
  facts.current_revision = util::string_field(status, "currentRevision");
  facts.update_revision = util::string_field(status, "updateRevision");
  facts.on_delete = util::string_field(object_field(spec, "updateStrategy"), "type") == "OnDelete";
  if (pods != nullptr)
    facts.pods_at_update_revision = all_owned_pods_at_update_revision(sts, *pods);
  return facts;
}

const json* controlled_statefulset(const json* sts, const api::Etcd& etcd) {
  return sts != nullptr && util::is_controlled_by(*sts, etcd.metadata.uid) ? sts : nullptr;
}

bool is_statefulset_ready(const api::Etcd& etcd, const StatefulSetFacts& sts) {
  const bool spec_reconciled = etcd.status && etcd.status->observed_generation &&
                               *etcd.status->observed_generation == etcd.metadata.generation;
  const std::int32_t expected = spec_reconciled ? etcd.spec.replicas : sts.spec_replicas;
  return sts.observed_generation >= sts.generation && sts.ready_replicas >= expected &&
         revision_rolled_out(sts);
}

void apply_statefulset_status(api::EtcdStatus& status, const api::Etcd& etcd,
                              const json* controlled_sts, const std::vector<ObjectPtr>* pods) {
  if (controlled_sts == nullptr) {
    status.ready = false;
    status.current_replicas = 0;
    status.ready_replicas = 0;
    return;
  }
  const StatefulSetFacts sts = read_statefulset(*controlled_sts, pods);
  api::CrossVersionObjectReference reference;
  if (status.etcd) reference = *status.etcd;  // keeps keys we do not model
  reference.api_version = "apps/v1";
  reference.kind = "StatefulSet";
  reference.name = sts.name;
  status.etcd = std::move(reference);
  status.ready = is_statefulset_ready(etcd, sts);
  status.replicas = sts.current_replicas;
  status.current_replicas = sts.current_replicas;
  status.ready_replicas = sts.ready_replicas;
}

}  // namespace druid::health
