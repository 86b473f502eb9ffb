// Druid's custom resources are validated as the CRDs would be on a real server:
// 422 Invalid with field causes.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "apiserver/tests/fixture.hpp"
#include "util/yaml.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

class ValidationTest : public ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    install_druid_crds();
  }
  json minimal_etcd() {
    std::ifstream in(std::string(DRUID_SOURCE_DIR) + "/examples/etcd-minimal.yaml");
    std::stringstream text;
    text << in.rdbuf();
    return *util::parse_yaml(text.str());
  }
};

TEST_F(ValidationTest, ValidEtcdIsCreated) {
  auto r = client_->post(kEtcds, minimal_etcd());
  EXPECT_EQ(r.status, 201) << r.text;
}

TEST_F(ValidationTest, InvalidEtcdIsRejectedWithFieldCauses) {
  json etcd = minimal_etcd();
  etcd["spec"]["replicas"] = -1;
  auto r = client_->post(kEtcds, etcd);
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["details"]["group"], "druid.gardener.cloud");
  EXPECT_EQ(r.body["details"]["kind"], "Etcd");
  EXPECT_EQ(r.body["details"]["name"], "etcd-test");
  const std::string message = r.body["message"];
  EXPECT_TRUE(message.starts_with("Etcd.druid.gardener.cloud \"etcd-test\" is invalid: "))
      << message;
  ASSERT_FALSE(r.body["details"]["causes"].empty());
  bool replicas = false;
  for (const auto& cause : r.body["details"]["causes"]) {
    replicas |= cause["field"].get<std::string>().find("spec.replicas") != std::string::npos;
    EXPECT_TRUE(cause.contains("reason"));
    EXPECT_NE(message.find(cause["message"].get<std::string>()), std::string::npos);
  }
  EXPECT_TRUE(replicas) << r.text;
  EXPECT_FALSE(server_.get("etcds.druid.gardener.cloud", "default", "etcd-test"));
}

TEST_F(ValidationTest, UpdateRulesSeeTheOldObject) {
  json etcd = minimal_etcd();
  etcd["spec"]["replicas"] = 3;
  json created = create(kEtcds, etcd);
  // Scaling an Etcd down to a non-zero size is refused by the CRD's update rule.
  auto r = client_->patch(std::string(kEtcds) + "/etcd-test", json{{"spec", {{"replicas", 2}}}});
  EXPECT_EQ(r.status, 422) << r.text;
  auto zero = client_->patch(std::string(kEtcds) + "/etcd-test", json{{"spec", {{"replicas", 0}}}});
  EXPECT_EQ(zero.status, 200) << zero.text;
}

// Upstream's CRD requires spec at the top level: a task without one is refused
// with the message a real API server gives. A missing required field blocks the
// CRD's CEL rules (apiextensions-apiserver's hasBlockingErr), which the server
// says in a second cause.
TEST_F(ValidationTest, EtcdOpsTaskWithoutSpecIsRejected) {
  const std::string tasks = "/apis/druid.gardener.cloud/v1alpha1/namespaces/default/etcdopstasks";
  const json task = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                     {"kind", "EtcdOpsTask"},
                     {"metadata", {{"name", "snap"}, {"namespace", "default"}}}};
  auto r = client_->post(tasks, task);
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["details"]["kind"], "EtcdOpsTask");
  const std::string not_checked =
      "some validation rules were not checked because the object was invalid; correct the "
      "existing errors to complete validation";
  EXPECT_EQ(r.body["message"],
            "EtcdOpsTask.druid.gardener.cloud \"snap\" is invalid: [spec: Required value, <nil>: "
            "Invalid value: \"null\": " +
                not_checked + "]");
  ASSERT_FALSE(r.body["details"]["causes"].empty()) << r.text;
  EXPECT_EQ(
      r.body["details"]["causes"][0],
      json({{"reason", "FieldValueRequired"}, {"message", "Required value"}, {"field", "spec"}}));
  EXPECT_FALSE(server_.get("etcdopstasks.druid.gardener.cloud", "default", "snap"));

  json with_spec = task;
  with_spec["spec"] = {{"etcdName", "etcd-main"},
                       {"config", {{"onDemandSnapshot", {{"type", "full"}}}}}};
  auto created = client_->post(tasks, with_spec);
  EXPECT_EQ(created.status, 201) << created.text;
}

}  // namespace
}  // namespace druid::testing
