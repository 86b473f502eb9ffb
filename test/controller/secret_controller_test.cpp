// The Secret controller (docs/secret-controller.md): the finalizer
// druid.gardener.cloud/etcd-druid is on a Secret exactly while an Etcd of its
// namespace references it. First the pure reference function, then the
// controller alone (no Etcd controller) against the test API server.

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/annotations.hpp"
#include "api/resources.hpp"
#include "controller/secret/referenced_secrets.hpp"
#include "controller/secret/setup.hpp"
#include "kube/manager.hpp"
#include "kube/resource.hpp"
#include "support/controller_harness.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"

namespace druid::controller::secret {
namespace {

using nlohmann::json;
using test::kTestNamespace;
using namespace std::chrono_literals;

constexpr const char* kOtherNamespace = "shoot--dev--other";
constexpr const char* kForeignFinalizer = "example.com/keep";
constexpr const char* kEtcdResource = "etcds.druid.gardener.cloud";

// One of the nine reference fields, set on an Etcd JSON to `name`.
struct ReferenceField {
  const char* path;  // for messages
  void (*set)(json& etcd, const std::string& name);
};

// TLS blocks have required references; the ones a case does not name point at
// Secrets that do not exist.
json tls_block(const std::string& ca, const std::string& server,
               const std::optional<std::string>& client) {
  json tls = {{"tlsCASecretRef", {{"name", ca}, {"dataKey", "bundle.crt"}}},
              {"serverTLSSecretRef", {{"name", server}}}};
  if (client) tls["clientTLSSecretRef"] = {{"name", *client}};
  return tls;
}

const std::vector<ReferenceField>& reference_fields() {
  static const std::vector<ReferenceField> kFields = {
      {"spec.etcd.clientUrlTls.tlsCASecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["etcd"]["clientUrlTls"] = tls_block(n, "absent-server", "absent-client");
       }},
      {"spec.etcd.clientUrlTls.serverTLSSecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["etcd"]["clientUrlTls"] = tls_block("absent-ca", n, "absent-client");
       }},
      {"spec.etcd.clientUrlTls.clientTLSSecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["etcd"]["clientUrlTls"] = tls_block("absent-ca", "absent-server", n);
       }},
      {"spec.etcd.peerUrlTls.tlsCASecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["etcd"]["peerUrlTls"] = tls_block(n, "absent-server", std::nullopt);
       }},
      {"spec.etcd.peerUrlTls.serverTLSSecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["etcd"]["peerUrlTls"] = tls_block("absent-ca", n, std::nullopt);
       }},
      {"spec.backup.tls.tlsCASecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["backup"]["tls"] = tls_block(n, "absent-server", "absent-client");
       }},
      {"spec.backup.tls.serverTLSSecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["backup"]["tls"] = tls_block("absent-ca", n, "absent-client");
       }},
      {"spec.backup.tls.clientTLSSecretRef",
       [](json& e, const std::string& n) {
         e["spec"]["backup"]["tls"] = tls_block("absent-ca", "absent-server", n);
       }},
      {"spec.backup.store.secretRef",
       [](json& e, const std::string& n) {
         test::add_store(e, "aws", false);
         e["spec"]["backup"]["store"]["secretRef"] = {{"name", n}};
       }},
  };
  return kFields;
}

json etcd_named(const std::string& name, const std::string& ns = kTestNamespace) {
  json etcd = test::base_etcd_json(1);
  etcd["metadata"]["name"] = name;
  etcd["metadata"]["namespace"] = ns;
  return etcd;
}

// --- the pure reference function ----------------------------------------------

TEST(ReferencedSecretsTest, EachReferenceFieldNamesASecret) {
  ASSERT_EQ(reference_fields().size(), 9u);
  for (const auto& field : reference_fields()) {
    json etcd = etcd_named("e");
    field.set(etcd, "wanted");
    EXPECT_TRUE(references_secret(test::decode(etcd), "wanted")) << field.path;
  }
}

TEST(ReferencedSecretsTest, AllReferencesOfAFullyConfiguredEtcd) {
  json etcd = test::base_etcd_json();
  test::add_all_tls(etcd);
  test::add_store(etcd);
  EXPECT_EQ(
      referenced_secret_names(test::decode(etcd)),
      (std::set<std::string>{"ca-etcdbr", "client-url-ca-etcd", "client-url-etcd-client-tls",
                             "client-url-etcd-server-tls", "etcd-backup", "etcdbr-client-tls",
                             "etcdbr-server-tls", "peer-url-ca-etcd", "peer-url-etcd-server-tls"}));
}

TEST(ReferencedSecretsTest, NotReferencedFields) {
  json etcd = test::base_etcd_json();
  // No member mounts a peer client certificate; upstream does not protect it
  // nor the auth secret.
  etcd["spec"]["etcd"]["peerUrlTls"] = tls_block("peer-ca", "peer-server", "peer-client");
  etcd["spec"]["etcd"]["authSecretRef"] = {{"name", "auth"}};
  test::add_store(etcd, "Local", /*with_secret=*/false);
  EXPECT_EQ(referenced_secret_names(test::decode(etcd)),
            (std::set<std::string>{"peer-ca", "peer-server"}));
  EXPECT_TRUE(referenced_secret_names(test::decode(test::base_etcd_json())).empty());
}

TEST(ReferencedSecretsTest, RequestsAreInTheEtcdsNamespaceWhateverTheReferenceSays) {
  json etcd = etcd_named("e", "ns-a");
  test::add_store(etcd);
  etcd["spec"]["backup"]["store"]["secretRef"]["namespace"] = "ns-b";
  EXPECT_EQ(secret_requests_of(etcd), (std::vector<kube::Request>{{"ns-a", "etcd-backup"}}));

  json broken = etcd;
  broken["spec"]["replicas"] = "three";
  EXPECT_TRUE(secret_requests_of(broken).empty());
}

// --- the controller against the test API server ---------------------------------

// One operator process running only the Secret controller.
class SecretOperator {
 public:
  explicit SecretOperator(kube::Client& client) : client_(client), manager_(client) {
    wiring_ = add_secret_controller(manager_, SecretControllerConfig{2});
    run_ = std::async(std::launch::async, [this] { return manager_.run(); });
  }
  ~SecretOperator() {
    manager_.request_stop();
    run_.wait();
  }
  SecretOperator(const SecretOperator&) = delete;
  SecretOperator& operator=(const SecretOperator&) = delete;

  SecretController& wiring() { return *wiring_; }
  kube::Manager& manager() { return manager_; }

  kube::ControllerMetrics metrics() const {
    for (auto& metrics : manager_.controller_metrics()) {
      if (metrics.name == kControllerName) return metrics;
    }
    throw std::runtime_error("the secret controller is not registered");
  }
  std::uint64_t reconciles() const {
    std::uint64_t total = 0;
    for (const auto& [result, count] : metrics().reconcile_total) total += count;
    return total;
  }
  // Running, and no key queued, waiting or in a reconcile.
  bool idle() const {
    const auto m = metrics();
    return manager_.is_leader() && m.queue.depth == 0 && m.queue.waiting == 0 &&
           m.queue.processing == 0 && m.active_workers == 0;
  }
  // Requests of the operator's client, watches excepted (every read and write).
  std::uint64_t requests() const {
    std::uint64_t total = 0;
    for (const auto& [key, count] : client_.request_counts()) {
      if (key.method != "WATCH") total += count;
    }
    return total;
  }

 private:
  kube::Client& client_;
  kube::Manager manager_;
  std::unique_ptr<SecretController> wiring_;
  std::future<util::Expected<std::monostate, kube::ManagerError>> run_;
};

class SecretControllerTest : public test::ControllerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(test::ControllerTest::SetUp());
    ASSERT_EQ(kube::test::create_namespace(client(), kOtherNamespace), "");
  }

  void start() {
    op_ = std::make_unique<SecretOperator>(*operator_client_);
    ASSERT_TRUE(kube::test::eventually([&] { return op_->manager().caches_synced(); }, 10s));
  }
  // Waits until the controller has handled everything it was given.
  void settle() {
    ASSERT_TRUE(kube::test::eventually([&] { return op_->idle(); }, 10s));
  }

  kube::Client& client() { return live_.client(); }

  void create_secret(const std::string& name, const std::string& ns = kTestNamespace,
                     const json& finalizers = json::array()) {
    test::create_secret(client(), ns, name, {{"tls.crt", "secret"}}, finalizers);
  }
  std::optional<json> secret(const std::string& name, const std::string& ns = kTestNamespace) {
    return live_.server().get("secrets", ns, name);
  }
  json finalizers(const std::string& name, const std::string& ns = kTestNamespace) {
    auto s = secret(name, ns);
    if (!s) return nullptr;
    return s->at("metadata").value("finalizers", json::array());
  }
  bool is_protected(const std::string& name, const std::string& ns = kTestNamespace) {
    const json list = finalizers(name, ns);
    return list.is_array() &&
           std::find(list.begin(), list.end(), api::kEtcdDruidFinalizer) != list.end();
  }
  bool eventually_protected(const std::string& name, const std::string& ns = kTestNamespace) {
    return kube::test::eventually([&] { return is_protected(name, ns); }, 10s);
  }
  bool eventually_released(const std::string& name, const std::string& ns = kTestNamespace) {
    return kube::test::eventually(
        [&] {
          const json list = finalizers(name, ns);
          return list.is_array() &&
                 std::find(list.begin(), list.end(), api::kEtcdDruidFinalizer) == list.end();
        },
        10s);
  }
  std::string resource_version(const std::string& name, const std::string& ns = kTestNamespace) {
    auto s = secret(name, ns);
    return s ? s->at("metadata").value("resourceVersion", "") : "";
  }

  void create_etcd(json etcd) {
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    const std::string ns = etcd["metadata"]["namespace"];
    auto created = client().create(api::resources::kEtcds, ns, etcd);
    ASSERT_TRUE(created) << created.error().what();
  }
  void patch_etcd(const std::string& name, const json& patch) {
    auto patched = client().patch(api::resources::kEtcds, kTestNamespace, name,
                                  kube::PatchType::kMerge, patch);
    ASSERT_TRUE(patched) << patched.error().what();
  }
  void delete_object(const util::ResourceType& type, const std::string& name) {
    auto deleted = client().remove(type, kTestNamespace, name);
    ASSERT_TRUE(deleted) << deleted.error().what();
  }
  // Touches the Secret (a label), so that it is reconciled once more, and
  // waits until that reconcile is done.
  void touch_and_wait(const std::string& name, const std::string& value) {
    const auto before = op_->reconciles();
    auto patched =
        client().patch(kube::resources::kSecrets, kTestNamespace, name, kube::PatchType::kMerge,
                       {{"metadata", {{"labels", {{"touched", value}}}}}});
    ASSERT_TRUE(patched) << patched.error().what();
    ASSERT_TRUE(kube::test::eventually([&] { return op_->reconciles() > before; }, 10s));
    settle();
  }

  std::unique_ptr<SecretOperator> op_;
};

TEST_F(SecretControllerTest, EachReferenceFieldAddsTheFinalizer) {
  start();
  int i = 0;
  for (const auto& field : reference_fields()) {
    const std::string name = "ref-" + std::to_string(i++);
    create_secret(name);
    json etcd = etcd_named("etcd-" + name);
    field.set(etcd, name);
    create_etcd(etcd);
    EXPECT_TRUE(eventually_protected(name)) << field.path;
  }
  settle();
  // The Secrets the TLS blocks name but that do not exist stay absent.
  EXPECT_FALSE(secret("absent-ca"));
}

TEST_F(SecretControllerTest, ASecretThatIsCreatedAfterTheEtcdIsProtected) {
  json etcd = etcd_named("main");
  test::add_store(etcd);
  create_etcd(etcd);
  start();
  create_secret("etcd-backup");
  EXPECT_TRUE(eventually_protected("etcd-backup"));
}

TEST_F(SecretControllerTest, UnreferencedSecretsAreReleasedAndOtherFinalizersKept) {
  create_secret("stale", kTestNamespace, {api::kEtcdDruidFinalizer, kForeignFinalizer});
  create_secret("only-ours", kTestNamespace, {api::kEtcdDruidFinalizer});
  create_secret("plain");
  const std::string plain_version = resource_version("plain");
  start();
  EXPECT_TRUE(eventually_released("stale"));
  EXPECT_EQ(finalizers("stale"), json::array({kForeignFinalizer}));
  EXPECT_TRUE(eventually_released("only-ours"));
  settle();
  EXPECT_EQ(resource_version("plain"), plain_version) << "a Secret that needs nothing was written";
}

TEST_F(SecretControllerTest, AnEditThatDropsTheReferenceReleasesTheSecret) {
  create_secret("backup-a");
  create_secret("backup-b");
  json etcd = etcd_named("main");
  test::add_store(etcd);
  etcd["spec"]["backup"]["store"]["secretRef"]["name"] = "backup-a";
  create_etcd(etcd);
  start();
  ASSERT_TRUE(eventually_protected("backup-a"));

  patch_etcd("main",
             {{"spec", {{"backup", {{"store", {{"secretRef", {{"name", "backup-b"}}}}}}}}}});
  EXPECT_TRUE(eventually_protected("backup-b"));
  EXPECT_TRUE(eventually_released("backup-a"));

  // Dropping the store altogether releases the last one.
  patch_etcd("main", {{"spec", {{"backup", {{"store", nullptr}}}}}});
  EXPECT_TRUE(eventually_released("backup-b"));
}

TEST_F(SecretControllerTest, ATerminatingEtcdStillHoldsItsSecretsUntilItIsGone) {
  create_secret("etcd-backup");
  json etcd = etcd_named("main");
  test::add_store(etcd);
  etcd["metadata"]["finalizers"] = {kForeignFinalizer};  // stands for the Etcd controller's
  create_etcd(etcd);
  start();
  ASSERT_TRUE(eventually_protected("etcd-backup"));

  delete_object(api::resources::kEtcds, "main");
  // Until the operator's cache shows the Etcd terminating.
  ASSERT_TRUE(kube::test::eventually(
      [&] {
        auto e = op_->wiring().reader->get(api::resources::kEtcds, kTestNamespace, "main");
        return e && *e && (*e)->at("metadata").contains("deletionTimestamp");
      },
      10s));
  touch_and_wait("etcd-backup", "1");
  EXPECT_TRUE(is_protected("etcd-backup")) << "released while a terminating Etcd references it";

  patch_etcd("main", {{"metadata", {{"finalizers", nullptr}}}});
  EXPECT_TRUE(eventually_released("etcd-backup"));
  EXPECT_FALSE(live_.server().get(kEtcdResource, kTestNamespace, "main"));
}

TEST_F(SecretControllerTest, ASecretOfTheSameNameInAnotherNamespaceIsUntouched) {
  create_secret("etcd-backup");
  create_secret("etcd-backup", kOtherNamespace);
  const std::string other_version = resource_version("etcd-backup", kOtherNamespace);
  json etcd = etcd_named("main");
  test::add_store(etcd);
  create_etcd(etcd);
  start();
  ASSERT_TRUE(eventually_protected("etcd-backup"));
  settle();
  EXPECT_EQ(resource_version("etcd-backup", kOtherNamespace), other_version);
  EXPECT_EQ(finalizers("etcd-backup", kOtherNamespace), json::array());
}

TEST_F(SecretControllerTest, ADeletedSecretIsHeldWhileReferencedThenReleasedAndGone) {
  create_secret("etcd-backup");
  json etcd = etcd_named("main");
  test::add_store(etcd);
  create_etcd(etcd);
  start();
  ASSERT_TRUE(eventually_protected("etcd-backup"));

  delete_object(kube::resources::kSecrets, "etcd-backup");
  ASSERT_TRUE(kube::test::eventually(
      [&] {
        auto s = secret("etcd-backup");
        return s && s->at("metadata").contains("deletionTimestamp");
      },
      10s));
  touch_and_wait("etcd-backup", "1");
  ASSERT_TRUE(secret("etcd-backup")) << "a referenced Secret went away";

  patch_etcd("main", {{"spec", {{"backup", {{"store", nullptr}}}}}});
  EXPECT_TRUE(kube::test::eventually([&] { return !secret("etcd-backup"); }, 10s));
}

TEST_F(SecretControllerTest, SteadyStateSendsNoRequest) {
  create_secret("etcd-backup");
  create_secret("client-url-ca-etcd");
  create_secret("unrelated");
  json etcd = etcd_named("main");
  test::add_store(etcd);
  test::add_all_tls(etcd);
  create_etcd(etcd);
  start();
  ASSERT_TRUE(eventually_protected("etcd-backup"));
  ASSERT_TRUE(eventually_protected("client-url-ca-etcd"));
  settle();

  const auto requests = op_->requests();
  const auto reconciles = op_->reconciles();
  // A Secret event, an Etcd spec change that keeps every reference (all nine
  // Secrets are looked at again), an Etcd status write (ignored).
  touch_and_wait("etcd-backup", "1");
  touch_and_wait("unrelated", "1");
  patch_etcd("main", {{"spec", {{"replicas", 3}}}});
  ASSERT_TRUE(kube::test::eventually([&] { return op_->reconciles() >= reconciles + 2 + 9; }, 10s));
  settle();
  auto status = client().patch(api::resources::kEtcds, kTestNamespace, "main",
                               kube::PatchType::kMerge, {{"status", {{"ready", false}}}}, "status");
  ASSERT_TRUE(status) << status.error().what();
  settle();

  EXPECT_EQ(op_->requests(), requests) << "reads come from the caches; nothing needed writing";
  EXPECT_EQ(op_->metrics().reconcile_errors_total, 0u);
}

TEST_F(SecretControllerTest, TheSecretCacheHoldsNoData) {
  create_secret("etcd-backup");
  start();
  settle();
  auto cached = op_->wiring().secrets->cache().get(kTestNamespace, "etcd-backup");
  ASSERT_TRUE(cached);
  EXPECT_FALSE(cached->contains("data"));
  EXPECT_FALSE(cached->contains("stringData"));
  EXPECT_FALSE(cached->contains("type"));
  EXPECT_EQ(cached->at("metadata").value("name", ""), "etcd-backup");
  // The server still has it: only the cache is reduced.
  EXPECT_TRUE(secret("etcd-backup")->contains("data"));
}

TEST_F(SecretControllerTest, ConflictsAndFailedWritesAreRetried) {
  create_secret("etcd-backup");
  json etcd = etcd_named("main");
  test::add_store(etcd);
  create_etcd(etcd);
  live_.server().controls().fail_next("patch", "secrets", 409, 2);
  start();
  ASSERT_TRUE(eventually_protected("etcd-backup"));
  EXPECT_GE(op_->metrics().reconcile_errors_total, 2u);

  // The operator dies before its write lands (every write fails), then a new
  // process finishes the job.
  const auto errors = op_->metrics().reconcile_errors_total;
  live_.server().controls().fail_next("patch", "secrets", 503, 1000);
  patch_etcd("main", {{"spec", {{"backup", {{"store", nullptr}}}}}});
  ASSERT_TRUE(kube::test::eventually(
      [&] { return op_->metrics().reconcile_errors_total >= errors + 2; }, 10s));
  op_.reset();
  live_.server().controls().clear();
  EXPECT_TRUE(is_protected("etcd-backup"));
  start();
  EXPECT_TRUE(eventually_released("etcd-backup"));
}

}  // namespace
}  // namespace druid::controller::secret
