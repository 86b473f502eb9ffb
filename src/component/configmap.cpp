#include "component/configmap.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>

#include "api/codec.hpp"
#include "api/go_yaml.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/etcd_config.hpp"
#include "component/registry.hpp"
#include "component/single_object_component.hpp"
#include "kube/resource.hpp"
#include "util/go_json.hpp"

namespace druid::component {

util::Expected<std::string, std::string> etcd_config_yaml(const api::Etcd& etcd,
                                                          const OperatorSettings& settings) {
  auto config = etcd_config(etcd, settings);
  if (!config) return util::unexpected(config.error());
  return api::go_yaml_marshal(to_json(*config));
}

util::Expected<nlohmann::json, std::string> build_configmap(const api::Etcd& etcd,
                                                            const OperatorSettings& settings) {
  auto yaml = etcd_config_yaml(etcd, settings);
  if (!yaml) return util::unexpected(yaml.error());
  return nlohmann::json{
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", managed_metadata(etcd, api::configmap_name(etcd), api::configmap_labels(etcd))},
      {"data", {{api::kEtcdConfigFileName, *yaml}}}};
}

std::string configmap_checksum(const nlohmann::json& data) {
  // ConfigMap data is a map of strings, which Go's JSON always encodes.
  const auto bytes = util::go_json_marshal(data);
  const std::string& text = bytes ? *bytes : std::string();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

namespace {

const util::ResourceType& kType = kube::resources::kConfigMaps;

std::string object_key(const api::Etcd& etcd) {
  return fmt::format("{}/{}", etcd.metadata.namespace_, api::configmap_name(etcd));
}

class ConfigMapComponent final : public Component {
 public:
  std::string_view kind() const override { return "ConfigMap"; }

  std::vector<std::string> desired_names(const api::Etcd& etcd) const override {
    return {api::configmap_name(etcd)};
  }

  DruidResult<std::vector<std::string>> existing_names(Context& ctx) override {
    return existing_if_controlled(ctx, kType, api::configmap_name(ctx.etcd),
                                  error_code::kGetConfigMap,
                                  fmt::format("ConfigMap {}", object_key(ctx.etcd)));
  }

  DruidResult<> sync(Context& ctx) override {
    auto desired = build_configmap(ctx.etcd, ctx.settings);
    if (!desired) {
      return util::unexpected(druid_error(
          ctx.now, error_code::kSyncConfigMap, Operation::kSync,
          fmt::format("Error building ConfigMap {}: {}", object_key(ctx.etcd), desired.error())));
    }
    // The data map is druid's whole: upstream replaces it, so keys someone
    // else added are removed too.
    const CreateOrPatchOptions options{{"/metadata/labels", "/data"}};
    auto result = create_or_patch(ctx, kType, *desired, options);
    if (!result) {
      return util::unexpected(druid_error(
          ctx.now, error_code::kSyncConfigMap, Operation::kSync,
          fmt::format("Error during create or patch of ConfigMap {}", object_key(ctx.etcd)),
          result.error()));
    }
    // From the desired data, as upstream does: the pod template follows what
    // this reconcile wrote.
    ctx.configmap_checksum = configmap_checksum(desired->at("data"));
    return ok();
  }

  DruidResult<> trigger_delete(Context& ctx) override {
    return delete_ignoring_not_found(ctx, kType, api::configmap_name(ctx.etcd), delete_error_code(),
                                     fmt::format("ConfigMap {}", object_key(ctx.etcd)));
  }

  const char* delete_error_code() const override { return error_code::kDeleteConfigMap; }
};

}  // namespace

ComponentPtr make_configmap_component() {
  return std::make_unique<ConfigMapComponent>();
}

}  // namespace druid::component
