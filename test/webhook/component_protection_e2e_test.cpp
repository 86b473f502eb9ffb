// The component-protection webhook end to end: the test API server calls the
// WebhookServer over HTTPS for the two webhooks of the deployment's
// ValidatingWebhookConfiguration (deploy/overlays/webhook), with users told
// apart by their tokens, the Etcd controller running as druid's service
// account, and kubectl as a person uses it.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "api/annotations.hpp"
#include "api/resources.hpp"
#include "operator/webhook_server.hpp"
#include "support/eventually.hpp"
#include "support/kubectl.hpp"
#include "support/live_server.hpp"
#include "support/operator_env.hpp"
#include "support/webhook_env.hpp"
#include "util/base64.hpp"
#include "util/yaml.hpp"
#include "webhook/fake_lookup.hpp"

namespace druid::webhook::test {
namespace {

using kube::test::eventually;
namespace resources = kube::resources;

const std::string kDruid = "system:serviceaccount:etcd-druid-system:etcd-druid";
const std::string kComponentsWebhook = "etcdcomponents.webhooks.druid.gardener.cloud";
const std::string kScaleWebhook = "stsscale.etcdcomponents.webhooks.druid.gardener.cloud";

std::string denial(const std::string& webhook, const std::string& user) {
  return "admission webhook \"" + webhook + "\" denied the request: changes from service account " +
         user +
         " are disallowed at the moment. Please consider disabling component protection by "
         "setting annotation `druid.gardener.cloud/disable-etcd-component-protection` on the "
         "parent Etcd resource";
}

json managed_statefulset(const std::string& name = kEtcd) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", {{"name", name}, {"namespace", kNs}, {"labels", managed_labels()}}},
          {"spec",
           {{"replicas", 1},
            {"serviceName", name + "-peer"},
            {"selector", {{"matchLabels", managed_labels()}}},
            {"template",
             {{"metadata", {{"labels", managed_labels()}}},
              {"spec",
               {{"containers", json::array({{{"name", "etcd"}, {"image", "etcd:v3.5"}}})}}}}}}}};
}

class ComponentProtectionE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    server().install_crds(fs::path(DRUID_SOURCE_DIR) / "config" / "crd");
    ASSERT_EQ(kube::test::create_namespace(admin(), kNs), "");
    server().add_user("druid-token", kDruid, {"system:serviceaccounts"});
    server().add_user("jane-token", kUser, {"developers"});
    server().add_user("gc-token", kGarbageCollector, {"system:serviceaccounts"});

    const auto tls =
        druid::testing::generate_tls_credentials({"localhost"}, {"127.0.0.1"}, "etcd-druid");
    install_credentials(certs_.path(), tls);
    operator_::WebhookServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.cert_dir = certs_.path().string();
    options.reconciler_service_account = kDruid;
    options.exempt_service_accounts = {kGarbageCollector};
    webhook_client_ = live_.make_client();
    auto started = operator_::WebhookServer::start(options, *webhook_client_);
    ASSERT_TRUE(started) << started.error();
    webhook_ = std::move(*started);
    register_webhooks(util::base64_encode(tls.ca_pem));

    druid_ = client_for("druid-token");
    jane_ = client_for("jane-token");
    gc_ = client_for("gc-token");
  }

  // The deployment's configuration, with each webhook pointed at our server by URL.
  void register_webhooks(const std::string& ca_bundle) {
    auto docs = util::parse_yaml_documents(
        read_file(fs::path(DRUID_SOURCE_DIR) /
                  "deploy/overlays/webhook/validatingwebhookconfiguration.yaml"));
    ASSERT_TRUE(docs) << docs.error().message();
    ASSERT_EQ(docs->size(), 1u);
    json configuration = docs->front();
    ASSERT_EQ(configuration["webhooks"].size(), 2u);
    for (auto& hook : configuration["webhooks"]) {
      hook["clientConfig"] = {
          {"url", "https://127.0.0.1:" + std::to_string(webhook_->port()) +
                      hook["clientConfig"]["service"]["path"].get<std::string>()},
          {"caBundle", ca_bundle}};
    }
    auto created = admin().create(resources::kValidatingWebhookConfigurations, "", configuration);
    ASSERT_TRUE(created) << created.error().what();
  }

  std::unique_ptr<kube::Client> client_for(const std::string& token) {
    kube::RestConfig config;
    config.server = live_.server().url();
    config.ca_pem = live_.server().ca_pem();
    config.bearer_token = token;
    config.qps = -1;
    config.timeout = std::chrono::seconds(15);
    return std::make_unique<kube::Client>(config);
  }

  druid::testing::TestApiServer& server() { return live_.server(); }
  kube::Client& admin() { return live_.client(); }

  void create_etcd(json etcd = druid::test::base_etcd_json(1)) {
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    auto created = admin().create(api::resources::kEtcds, kNs, etcd);
    ASSERT_TRUE(created) << created.error().what();
  }
  void create(const util::ResourceType& type, const json& object) {
    auto created = admin().create(type, kNs, object);
    ASSERT_TRUE(created) << created.error().what();
  }
  void annotate_etcd(const char* key, const json& value) {
    auto patched = admin().patch(api::resources::kEtcds, kNs, kEtcd, kube::PatchType::kMerge,
                                 {{"metadata", {{"annotations", {{key, value}}}}}});
    ASSERT_TRUE(patched) << patched.error().what();
  }
  void set_last_operation(const std::string& type, const std::string& state) {
    auto patched = admin().patch(api::resources::kEtcds, kNs, kEtcd, kube::PatchType::kMerge,
                                 {{"status",
                                   {{"lastOperation",
                                     {{"type", type},
                                      {"state", state},
                                      {"description", "test"},
                                      {"runID", "r1"},
                                      {"lastUpdateTime", "2024-01-01T00:00:00Z"}}}}}},
                                 "status");
    ASSERT_TRUE(patched) << patched.error().what();
  }
  // A change every time (a no-op patch would not reach admission).
  kube::ApiResult<json> label(kube::Client& client, const util::ResourceType& type,
                              const std::string& name) {
    return client.patch(type, kNs, name, kube::PatchType::kMerge,
                        {{"metadata", {{"labels", {{"touched", std::to_string(++changes_)}}}}}});
  }
  std::optional<json> stored(const std::string& resource, const std::string& name) {
    return server().get(resource, kNs, name);
  }
  // The stored object; null (and a test failure) when there is none.
  json must(const std::string& resource, const std::string& name) {
    auto object = stored(resource, name);
    EXPECT_TRUE(object) << resource << "/" << name << " does not exist";
    return object.value_or(json::object());
  }

  kube::test::LiveServer live_;
  TempDir certs_{"e2e-webhook-certs"};
  std::unique_ptr<kube::Client> webhook_client_;
  std::unique_ptr<operator_::WebhookServer> webhook_;
  std::unique_ptr<kube::Client> druid_;
  std::unique_ptr<kube::Client> jane_;
  std::unique_ptr<kube::Client> gc_;
  int changes_ = 0;
};

TEST_F(ComponentProtectionE2E, UserChangesAreDeniedUntilProtectionIsDisabled) {
  create_etcd();
  create(resources::kStatefulSets, managed_statefulset());

  auto denied = label(*jane_, resources::kStatefulSets, kEtcd);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().reason, kube::ApiErrorReason::kForbidden);
  EXPECT_EQ(denied.error().message, denial(kComponentsWebhook, kUser));
  auto delete_denied = jane_->remove(resources::kStatefulSets, kNs, kEtcd);
  ASSERT_FALSE(delete_denied);
  EXPECT_EQ(delete_denied.error().message, denial(kComponentsWebhook, kUser));
  EXPECT_FALSE(must("statefulsets.apps", kEtcd)["metadata"]["labels"].contains("touched"));

  // `kubectl annotate etcd etcd-main druid.gardener.cloud/disable-etcd-component-protection=`
  annotate_etcd(api::kDisableEtcdComponentProtectionAnnotation, "");
  auto allowed = label(*jane_, resources::kStatefulSets, kEtcd);
  ASSERT_TRUE(allowed) << allowed.error().what();
  EXPECT_TRUE(must("statefulsets.apps", kEtcd)["metadata"]["labels"].contains("touched"));

  // Removing the annotation protects again.
  annotate_etcd(api::kDisableEtcdComponentProtectionAnnotation, nullptr);
  EXPECT_FALSE(label(*jane_, resources::kStatefulSets, kEtcd));
}

TEST_F(ComponentProtectionE2E, ObjectsDruidDoesNotManageAreNotSentToTheWebhook) {
  create_etcd();
  json plain = managed_statefulset("plain");
  plain["metadata"]["labels"] = {{"app", "plain"}};
  create(resources::kStatefulSets, plain);
  EXPECT_TRUE(label(*jane_, resources::kStatefulSets, "plain"));
  EXPECT_TRUE(jane_->remove(resources::kStatefulSets, kNs, "plain"));
}

TEST_F(ComponentProtectionE2E, ScaleSubresourceIsProtectedThroughItsOwnWebhook) {
  create_etcd();
  create(resources::kStatefulSets, managed_statefulset());
  const json scale = {{"spec", {{"replicas", 3}}}};
  auto denied =
      jane_->patch(resources::kStatefulSets, kNs, kEtcd, kube::PatchType::kMerge, scale, "scale");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, denial(kScaleWebhook, kUser));
  EXPECT_EQ(must("statefulsets.apps", kEtcd)["spec"]["replicas"], 1);
  auto allowed =
      druid_->patch(resources::kStatefulSets, kNs, kEtcd, kube::PatchType::kMerge, scale, "scale");
  ASSERT_TRUE(allowed) << allowed.error().what();
  EXPECT_EQ(must("statefulsets.apps", kEtcd)["spec"]["replicas"], 3);
}

TEST_F(ComponentProtectionE2E, PvcDeletionIsJudgedByItsStatefulSet) {
  create_etcd();
  create(resources::kStatefulSets, managed_statefulset());
  const std::string pvc = std::string(kEtcd) + "-" + kEtcd + "-0";
  create(resources::kPersistentVolumeClaims,
         {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata", {{"name", pvc}, {"labels", managed_labels()}}},
          {"spec",
           {{"accessModes", {"ReadWriteOnce"}},
            {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
  auto denied = jane_->remove(resources::kPersistentVolumeClaims, kNs, pvc);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, denial(kComponentsWebhook, kUser));
  auto allowed = druid_->remove(resources::kPersistentVolumeClaims, kNs, pvc);
  EXPECT_TRUE(allowed) << allowed.error().what();
}

// Lease renewals never reach the webhook (issue 16): 100 renewals cost no call,
// while deleting the lease is still judged and denied.
TEST_F(ComponentProtectionE2E, LeaseRenewalsSkipTheWebhookAndLeaseDeletionIsJudged) {
  create_etcd();
  const std::string lease = std::string(kEtcd) + "-0";
  create(resources::kLeases, {{"apiVersion", "coordination.k8s.io/v1"},
                              {"kind", "Lease"},
                              {"metadata", {{"name", lease}, {"labels", managed_labels()}}},
                              {"spec", {{"holderIdentity", "member"}}}});
  for (int renewal = 0; renewal < 100; ++renewal) {
    auto renewed =
        jane_->patch(resources::kLeases, kNs, lease, kube::PatchType::kMerge,
                     {{"spec",
                       {{"renewTime", fmt::format("2026-01-01T00:00:{:02}.000000Z", renewal % 60)},
                        {"leaseTransitions", renewal}}}});
    ASSERT_TRUE(renewed) << renewed.error().what();
  }
  EXPECT_EQ(server().controls().webhook_calls(kComponentsWebhook), 0);

  auto denied = jane_->remove(resources::kLeases, kNs, lease);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, denial(kComponentsWebhook, kUser));
  EXPECT_EQ(server().controls().webhook_calls(kComponentsWebhook), 1);
}

TEST_F(ComponentProtectionE2E, GarbageCollectorIsExemptUnlessAReconcileRuns) {
  create_etcd();
  create(resources::kStatefulSets, managed_statefulset());
  create(resources::kConfigMaps, object("v1", "ConfigMap", "etcd-main-config"));
  ASSERT_FALSE(jane_->remove(resources::kConfigMaps, kNs, "etcd-main-config"));
  auto collected = gc_->remove(resources::kConfigMaps, kNs, "etcd-main-config");
  ASSERT_TRUE(collected) << collected.error().what();

  set_last_operation("Reconcile", "Processing");
  auto denied = label(*gc_, resources::kStatefulSets, kEtcd);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, denial(kComponentsWebhook, kGarbageCollector));

  // An orphan-deleted StatefulSet (deletionTimestamp set, finalizer pending)
  // may be finished by the collector even while druid reconciles.
  json orphan = managed_statefulset("etcd-main-old");
  orphan["metadata"]["finalizers"] = {"example.com/hold"};
  create(resources::kStatefulSets, orphan);
  annotate_etcd(api::kDisableEtcdComponentProtectionAnnotation, "");
  ASSERT_TRUE(admin().remove(resources::kStatefulSets, kNs, "etcd-main-old"));
  annotate_etcd(api::kDisableEtcdComponentProtectionAnnotation, nullptr);
  ASSERT_TRUE(must("statefulsets.apps", "etcd-main-old")["metadata"].contains("deletionTimestamp"));
  const json release = {{"metadata", {{"finalizers", nullptr}}}};
  EXPECT_FALSE(jane_->patch(resources::kStatefulSets, kNs, "etcd-main-old", kube::PatchType::kMerge,
                            release));
  auto finished =
      gc_->patch(resources::kStatefulSets, kNs, "etcd-main-old", kube::PatchType::kMerge, release);
  ASSERT_TRUE(finished) << finished.error().what();
  EXPECT_FALSE(stored("statefulsets.apps", "etcd-main-old"));

  // Once the reconcile is over the collector may change components again.
  set_last_operation("Reconcile", "Succeeded");
  EXPECT_TRUE(label(*gc_, resources::kStatefulSets, kEtcd));
}

TEST_F(ComponentProtectionE2E, DruidsOwnReconcileAndDeletionAreAllowed) {
  // The Etcd controller writes as druid's service account.
  druid::test::OperatorProcess op(*druid_, druid::test::fast_etcd_controller_config(),
                                  api::embedded_image_vector());
  create_etcd();
  auto last_operation_is = [&](const std::string& type, const std::string& state) {
    return eventually(
        [&] {
          const auto e = stored("etcds.druid.gardener.cloud", kEtcd);
          const json op =
              e ? e->value("status", json::object()).value("lastOperation", json()) : json();
          return op.is_object() && op.value("type", "") == type && op.value("state", "") == state;
        },
        std::chrono::seconds(20));
  };
  ASSERT_TRUE(last_operation_is("Reconcile", "Succeeded"));
  ASSERT_TRUE(stored("statefulsets.apps", kEtcd));
  auto denied = label(*jane_, resources::kStatefulSets, kEtcd);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, denial(kComponentsWebhook, kUser));

  // A spec change: druid updates its StatefulSet through the webhook.
  auto patched =
      admin().patch(api::resources::kEtcds, kNs, kEtcd, kube::PatchType::kMerge,
                    {{"metadata", {{"annotations", {{"gardener.cloud/operation", "reconcile"}}}}},
                     {"spec", {{"etcd", {{"metrics", "extensive"}}}}}});
  ASSERT_TRUE(patched) << patched.error().what();
  EXPECT_TRUE(eventually(
      [&] {
        return stored("statefulsets.apps", kEtcd)
                   .value_or(json::object())["metadata"]["generation"] == 2;
      },
      std::chrono::seconds(20)));
  ASSERT_TRUE(last_operation_is("Reconcile", "Succeeded"));

  // Deletion: druid removes every component while users may not intervene.
  ASSERT_TRUE(admin().remove(api::resources::kEtcds, kNs, kEtcd));
  EXPECT_TRUE(eventually([&] { return !stored("etcds.druid.gardener.cloud", kEtcd); },
                         std::chrono::seconds(20)));
  EXPECT_FALSE(stored("statefulsets.apps", kEtcd));
  EXPECT_FALSE(stored("configmaps", std::string(kEtcd) + "-config"));
}

TEST_F(ComponentProtectionE2E, KubectlEditPrintsTheDenialUntilProtectionIsDisabled) {
  if (!druid::test::kubectl_available()) GTEST_SKIP() << "kubectl not installed";
  create_etcd();
  create(resources::kStatefulSets, managed_statefulset());
  druid::test::Kubectl kubectl(server());
  const auto jane_kubeconfig = certs_ / "jane.kubeconfig";
  server().write_kubeconfig(jane_kubeconfig, "jane-token");
  const std::string edit =
      "--kubeconfig=" + jane_kubeconfig.string() + " edit statefulset " + kEtcd + " -n " + kNs;
  const std::string editor =
      kubectl.editor("replicas.sh", "sed -i 's/^  replicas: 1$/  replicas: 2/' \"$1\"");

  const auto denied = kubectl(edit, editor);
  EXPECT_NE(denied.exit_code, 0) << denied.output;
  EXPECT_TRUE(druid::test::contains(denied.output, denial(kComponentsWebhook, kUser)))
      << denied.output;
  EXPECT_EQ(must("statefulsets.apps", kEtcd)["spec"]["replicas"], 1);

  const auto annotated =
      kubectl(std::string("annotate etcd ") + kEtcd +
              " druid.gardener.cloud/disable-etcd-component-protection= -n " + kNs);
  ASSERT_EQ(annotated.exit_code, 0) << annotated.output;
  const auto edited = kubectl(edit, editor);
  EXPECT_EQ(edited.exit_code, 0) << edited.output;
  EXPECT_TRUE(druid::test::contains(edited.output, "statefulset.apps/etcd-main edited"))
      << edited.output;
  EXPECT_EQ(must("statefulsets.apps", kEtcd)["spec"]["replicas"], 2);
}

}  // namespace
}  // namespace druid::webhook::test
