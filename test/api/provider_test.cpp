#include "api/provider.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace druid::api {
namespace {

TEST(StorageProvider, EveryAliasNormalises) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"aws", "S3"},      {"S3", "S3"},        {"s3", "S3"},           {"stackit", "S3"},
      {"azure", "ABS"},   {"ABS", "ABS"},      {"abs", "ABS"},         {"gcp", "GCS"},
      {"GCS", "GCS"},     {"gcs", "GCS"},      {"openstack", "Swift"}, {"Swift", "Swift"},
      {"swift", "Swift"}, {"alicloud", "OSS"}, {"OSS", "OSS"},         {"oss", "OSS"},
      {"dell", "ECS"},    {"ECS", "ECS"},      {"ecs", "ECS"},         {"openshift", "OCS"},
      {"OCS", "OCS"},     {"ocs", "OCS"},      {"Local", "Local"},     {"local", "Local"},
  };
  for (const auto& [alias, normalised] : cases) {
    auto result = normalize_storage_provider(std::string(alias));
    ASSERT_TRUE(result.has_value()) << alias;
    EXPECT_EQ(*result, normalised) << alias;
  }
}

TEST(StorageProvider, NoProviderIsEmptyAndNotAnError) {
  auto result = normalize_storage_provider(std::nullopt);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, "");
}

TEST(StorageProvider, UnknownProviderIsRefused) {
  for (const char* provider : {"minio", "AWS", "LOCAL", "Stackit", " s3", ""}) {
    auto result = normalize_storage_provider(std::string(provider));
    ASSERT_FALSE(result.has_value()) << provider;
    EXPECT_EQ(result.error().input, provider);
    EXPECT_EQ(result.error().message(),
              std::string("unsupported storage provider: '") + provider + "'");
  }
}

}  // namespace
}  // namespace druid::api
