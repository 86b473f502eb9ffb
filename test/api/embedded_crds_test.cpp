// The compiled-in CRDs are config/crd as shipped, and serve what the files say.
#include "api/embedded_crds.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace druid::api {
namespace {

const std::string kCrdDir = std::string(DRUID_SOURCE_DIR) + "/config/crd/";

std::string read_crd(const char* file) {
  std::ifstream in(kCrdDir + file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(EmbeddedCrds, AreTheShippedManifestsVerbatim) {
  const auto manifests = embedded_crd_manifests();
  ASSERT_EQ(manifests.size(), 3u);
  EXPECT_EQ(manifests[0], read_crd("druid.gardener.cloud_etcds.yaml"));
  EXPECT_EQ(manifests[1], read_crd("druid.gardener.cloud_etcdcopybackupstasks.yaml"));
  EXPECT_EQ(manifests[2], read_crd("druid.gardener.cloud_etcdopstasks.yaml"));
  EXPECT_EQ(embedded_crds().size(), 3u) << "a manifest does not parse";
}

TEST(EmbeddedCrds, SchemaOfEachServedKind) {
  for (const char* kind : {"Etcd", "EtcdCopyBackupsTask", "EtcdOpsTask"}) {
    const auto* schema = embedded_crd_schema("druid.gardener.cloud/v1alpha1", kind);
    ASSERT_NE(schema, nullptr) << kind;
    EXPECT_TRUE(schema->at("properties").contains("spec")) << kind;
  }
}

TEST(EmbeddedCrds, NoSchemaForAnUnservedVersionGroupOrKind) {
  EXPECT_EQ(embedded_crd_schema("druid.gardener.cloud/v1beta1", "Etcd"), nullptr);
  EXPECT_EQ(embedded_crd_schema("example.com/v1alpha1", "Etcd"), nullptr);
  EXPECT_EQ(embedded_crd_schema("druid.gardener.cloud/v1alpha1", "Etcds"), nullptr);
  EXPECT_EQ(embedded_crd_schema("v1", "Secret"), nullptr);
}

}  // namespace
}  // namespace druid::api
