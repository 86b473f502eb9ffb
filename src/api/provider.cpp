#include "api/provider.hpp"

#include <string_view>
#include <utility>

namespace druid::api {

namespace {

using Alias = std::pair<std::string_view, const char*>;

constexpr Alias kProviderAliases[] = {
    {"aws", storage_provider::kS3},          {"S3", storage_provider::kS3},
    {"s3", storage_provider::kS3},           {"stackit", storage_provider::kS3},
    {"azure", storage_provider::kABS},       {"ABS", storage_provider::kABS},
    {"abs", storage_provider::kABS},         {"gcp", storage_provider::kGCS},
    {"GCS", storage_provider::kGCS},         {"gcs", storage_provider::kGCS},
    {"openstack", storage_provider::kSwift}, {"Swift", storage_provider::kSwift},
    {"swift", storage_provider::kSwift},     {"alicloud", storage_provider::kOSS},
    {"OSS", storage_provider::kOSS},         {"oss", storage_provider::kOSS},
    {"dell", storage_provider::kECS},        {"ECS", storage_provider::kECS},
    {"ecs", storage_provider::kECS},         {"openshift", storage_provider::kOCS},
    {"OCS", storage_provider::kOCS},         {"ocs", storage_provider::kOCS},
    {"Local", storage_provider::kLocal},     {"local", storage_provider::kLocal},
};

}  // namespace

util::Expected<std::string, util::ParseError> normalize_storage_provider(
    const std::optional<std::string>& provider) {
  if (!provider) return std::string();
  for (const auto& [alias, normalised] : kProviderAliases) {
    if (alias == *provider) return std::string(normalised);
  }
  return util::unexpected(
      util::ParseError{*provider, "unsupported storage provider: '" + *provider + "'"});
}

}  // namespace druid::api
