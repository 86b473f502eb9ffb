#include "controller/etcd/spec_validation.hpp"

#include "api/field_path.hpp"
#include "api/names.hpp"
#include "api/validation/etcd_validation.hpp"
#include "api/validation/schema_rules.hpp"
#include "util/json_access.hpp"
#include "util/yaml.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

// The ConfigMap key that holds etcd's configuration (upstream's
// internal/component/configmap/configmap.go), and in it the member-name prefix.
constexpr const char* kEtcdConfigKey = "etcd.conf.yaml";
constexpr const char* kMemberNamePrefixKey = "member-name-prefix";

bool controlled_by(const json* object, const std::string& uid) {
  return object != nullptr && object->is_object() && util::is_controlled_by(*object, uid);
}

const json* child(const json* object, const char* key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  const auto found = object->find(key);
  return found == object->end() ? nullptr : &*found;
}

std::optional<std::string> claim_template_field(const json& statefulset, const char* section,
                                                const char* key) {
  const json* templates = child(child(&statefulset, "spec"), "volumeClaimTemplates");
  if (templates == nullptr || !templates->is_array() || templates->empty()) return std::nullopt;
  const json* value = child(child(&templates->front(), section), key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

DeployedSpec deployed_spec(const json* statefulset, const json* configmap,
                           const std::string& etcd_uid) {
  DeployedSpec deployed;
  if (controlled_by(statefulset, etcd_uid)) {
    if (const json* replicas = child(child(statefulset, "spec"), "replicas");
        replicas != nullptr && replicas->is_number_integer()) {
      deployed.replicas = replicas->get<std::int64_t>();
    }
    deployed.storage_class = claim_template_field(*statefulset, "spec", "storageClassName");
    deployed.claim_template_name = claim_template_field(*statefulset, "metadata", "name");
    if (deployed.claim_template_name && deployed.claim_template_name->empty()) {
      deployed.claim_template_name.reset();
    }
  }
  if (controlled_by(configmap, etcd_uid)) {
    const json* text = child(child(configmap, "data"), kEtcdConfigKey);
    if (text != nullptr && text->is_string()) {
      if (auto config = util::parse_yaml(text->get_ref<const std::string&>());
          config && config->is_object()) {
        const json* prefix = child(&*config, kMemberNamePrefixKey);
        deployed.member_name_prefix =
            prefix != nullptr && prefix->is_string() ? prefix->get<std::string>() : std::string();
      }
    }
  }
  return deployed;
}

api::FieldErrors check_spec(const json& object, const api::Etcd& etcd,
                            const DeployedSpec& deployed) {
  namespace v = api::validation;
  api::FieldErrors errors = v::validate_etcd(object, v::EtcdChecks::kRulesOnly);
  const api::FieldPath spec("spec");
  // The CRD's transition rules (upstream's api/core/v1alpha1/etcd.go markers), with what is
  // deployed standing in for oldSelf.
  if (deployed.replicas && etcd.spec.replicas != 0 && etcd.spec.replicas < *deployed.replicas) {
    errors.push_back(v::cel_rule_error(spec.child("replicas"), "integer",
                                       "Replicas can either be increased or be downscaled to 0."));
  }
  if (deployed.storage_class && etcd.spec.storage_class.value_or("") != *deployed.storage_class) {
    errors.push_back(v::cel_rule_error(spec.child("storageClass"), "string",
                                       "etcd.spec.storageClass is an immutable field"));
  }
  if (deployed.claim_template_name &&
      api::volume_claim_template_name(etcd) != *deployed.claim_template_name) {
    errors.push_back(v::cel_rule_error(spec.child("volumeClaimTemplate"), "string",
                                       "etcd.spec.VolumeClaimTemplate is an immutable field"));
  }
  if (deployed.member_name_prefix &&
      etcd.spec.member_name_prefix.value_or("") != *deployed.member_name_prefix) {
    errors.push_back(v::cel_rule_error(spec.child("memberNamePrefix"), "string",
                                       "etcd.spec.memberNamePrefix is an immutable field"));
  }
  return errors;
}

}  // namespace druid::controller::etcd
