// deploy/: the kustomize base and the webhook overlay render with
// `kubectl kustomize`, hold what docs/deployment.md promises (the chart's
// names, RBAC, probes, resources, a configuration the operator reads whole)
// and apply to the test API server with `kubectl apply -f -`.

#include <gtest/gtest.h>

#include <set>

#include "api/operator_config.hpp"
#include "api/resources.hpp"
#include "api/validation/operator_config_validation.hpp"
#include "operator/webhook_server.hpp"
#include "support/kubectl.hpp"
#include "support/live_server.hpp"
#include "support/webhook_env.hpp"
#include "support/webhook_fixtures.hpp"
#include "util/base64.hpp"
#include "util/yaml.hpp"

namespace druid::webhook::test {
namespace {

const fs::path kRepo = DRUID_SOURCE_DIR;
const std::string kDeployNs = "etcd-druid-system";

using Objects = std::map<std::string, json>;  // "Kind/name"

// `kubectl kustomize dir`, parsed; fails the test when it does not render.
Objects render(const fs::path& dir) {
  const auto rendered = run_shell("kubectl kustomize " + dir.string(), false);
  EXPECT_EQ(rendered.exit_code, 0) << rendered.out;
  auto docs = util::parse_yaml_documents(rendered.out);
  EXPECT_TRUE(docs) << docs.error().message();
  Objects objects;
  if (!docs) return objects;
  for (auto& doc : *docs) {
    if (doc.is_null()) continue;  // an empty document
    if (!doc.is_object() || !doc["metadata"].is_object()) {
      ADD_FAILURE() << "not an object: " << doc.dump().substr(0, 300);
      continue;
    }
    const std::string key = doc.value("kind", "") + "/" + doc["metadata"].value("name", "");
    objects[key] = std::move(doc);
  }
  return objects;
}

std::set<std::string> keys(const Objects& objects) {
  std::set<std::string> out;
  for (const auto& [key, _] : objects) out.insert(key);
  return out;
}

// The rules of upstream's charts/templates/clusterrole.yaml, in the chart's order,
// plus etcdcopybackupstasks/finalizers (deploy/base/clusterrole.yaml says why).
json expected_rules() {
  auto rule = [](json groups, json resources, json verbs) {
    return json{{"apiGroups", groups}, {"resources", resources}, {"verbs", verbs}};
  };
  json rules = json::array();
  rules.push_back(rule({""}, {"pods"}, {"get", "list", "watch", "delete", "deletecollection"}));
  rules.push_back(rule({""}, {"secrets", "endpoints", "serviceaccounts"},
                       {"get", "list", "watch", "create", "patch", "update", "delete"}));
  rules.push_back(rule({"rbac.authorization.k8s.io"}, {"roles", "rolebindings"},
                       {"get", "list", "watch", "create", "patch", "update", "delete"}));
  rules.push_back(rule({""}, {"events"}, {"create", "get", "list", "watch", "patch", "update"}));
  rules.push_back(rule({"", "apps"}, {"services", "configmaps", "statefulsets"},
                       {"get", "list", "patch", "update", "watch", "create", "delete"}));
  rules.push_back(rule({"druid.gardener.cloud"}, {"etcds", "etcdcopybackupstasks"},
                       {"get", "list", "watch", "update", "patch"}));
  rules.push_back(rule({"druid.gardener.cloud"},
                       {"etcds/status", "etcds/finalizers", "etcdcopybackupstasks/status",
                        "etcdcopybackupstasks/finalizers"},
                       {"get", "update", "patch", "create"}));
  rules.push_back(rule({"druid.gardener.cloud"}, {"etcdopstasks", "etcdopstasks/status"},
                       {"get", "list", "watch", "create", "update", "patch", "delete"}));
  rules.push_back(
      rule({"coordination.k8s.io"}, {"leases"},
           {"create", "get", "list", "watch", "update", "patch", "delete", "deletecollection"}));
  rules.push_back(rule({""}, {"persistentvolumeclaims"}, {"get", "list", "watch"}));
  json leader = rule({"coordination.k8s.io"}, {"leases"}, {"get", "update", "patch"});
  leader["resourceNames"] = {"druid-leader-election"};
  rules.push_back(leader);
  rules.push_back(rule({"policy"}, {"poddisruptionbudgets"},
                       {"get", "list", "watch", "create", "patch", "update", "delete"}));
  rules.push_back(rule({"batch"}, {"cronjobs", "jobs"},
                       {"get", "list", "watch", "create", "patch", "update", "delete"}));
  return rules;
}

// The two webhooks of upstream's charts/templates/validatingwebhookconfig.yaml (caBundle aside).
json expected_webhooks() {
  auto client_config = json{{"service",
                             {{"name", "etcd-druid"},
                              {"namespace", kDeployNs},
                              {"path", "/webhooks/etcdcomponents"},
                              {"port", 9443}}}};
  auto rule = [](json groups, json ops, json resources) {
    return json{{"apiGroups", groups},
                {"apiVersions", {"v1"}},
                {"operations", ops},
                {"resources", resources},
                {"scope", "*"}};
  };
  const json update_delete = {"UPDATE", "DELETE"};
  json components = {
      {"name", "etcdcomponents.webhooks.druid.gardener.cloud"},
      {"admissionReviewVersions", {"v1beta1", "v1"}},
      {"clientConfig", client_config},
      {"failurePolicy", "Fail"},
      {"matchPolicy", "Exact"},
      {"namespaceSelector", json::object()},
      {"objectSelector", {{"matchLabels", {{"app.kubernetes.io/managed-by", "etcd-druid"}}}}},
      {"rules",
       {rule({""}, update_delete, {"serviceaccounts", "services", "configmaps"}),
        rule({""}, {"DELETE"}, {"persistentvolumeclaims"}),
        rule({"rbac.authorization.k8s.io"}, update_delete, {"roles", "rolebindings"}),
        rule({"apps"}, update_delete, {"statefulsets"}),
        rule({"policy"}, update_delete, {"poddisruptionbudgets"}),
        rule({"batch"}, update_delete, {"jobs"}),
        rule({"coordination.k8s.io"}, {"DELETE"}, {"leases"})}},
      {"sideEffects", "None"},
      {"timeoutSeconds", 10}};
  json scale = {{"name", "stsscale.etcdcomponents.webhooks.druid.gardener.cloud"},
                {"admissionReviewVersions", {"v1beta1", "v1"}},
                {"clientConfig", client_config},
                {"failurePolicy", "Fail"},
                {"matchPolicy", "Exact"},
                {"namespaceSelector", json::object()},
                {"rules", {rule({"apps"}, update_delete, {"statefulsets/scale"})}},
                {"sideEffects", "None"},
                {"timeoutSeconds", 10}};
  return {components, scale};
}

// Every key of `rendered` is one the operator reads: it is in what the
// loaded configuration encodes back, with the same value.
void expect_read_whole(const json& rendered, const json& encoded, const std::string& path = "") {
  for (const auto& [key, value] : rendered.items()) {
    const std::string at = path.empty() ? key : path + "." + key;
    ASSERT_TRUE(encoded.is_object() && encoded.contains(key)) << at << " is not read";
    if (value.is_object()) {
      expect_read_whole(value, encoded[key], at);
    } else {
      EXPECT_EQ(value, encoded[key]) << at;
    }
  }
}

api::OperatorConfiguration config_of(const Objects& objects) {
  const json cm = objects.at("ConfigMap/etcd-druid-operator-config");
  const std::string text = cm["data"]["config.yaml"].get<std::string>();
  auto loaded = api::load_operator_config(text);
  EXPECT_TRUE(loaded) << (loaded ? "" : api::to_string(loaded.error()));
  if (!loaded) return {};
  const auto errors = api::validation::validate_operator_config(*loaded);
  EXPECT_TRUE(errors.empty()) << api::to_string(errors);
  auto rendered = util::parse_yaml(text);
  EXPECT_TRUE(rendered);
  if (!rendered) return *loaded;
  // Feature gates are a map: every rendered gate must arrive with its value.
  json gates = rendered->value("featureGates", json::object());
  rendered->erase("featureGates");
  for (const auto& [gate, value] : gates.items()) {
    const auto it = loaded->feature_gates.find(gate);
    EXPECT_TRUE(it != loaded->feature_gates.end() && json(it->second) == value) << gate;
  }
  expect_read_whole(*rendered, api::encode_operator_config(*loaded));
  return *loaded;
}

// deploy/ copied to a temporary directory with the webhook PKI generated into
// the overlay, as docs/deployment.md tells users to do.
class DeployCopy {
 public:
  DeployCopy() {
    fs::copy(kRepo / "deploy", dir_ / "deploy", fs::copy_options::recursive);
    const auto generated = run_shell("scripts/gen-webhook-certs.sh --new-ca --namespace " +
                                         kDeployNs + " --out " + pki().string(),
                                     false);
    EXPECT_EQ(generated.exit_code, 0);
    ca_bundle_ = generated.out.substr(0, generated.out.find('\n'));
  }
  fs::path base() const { return dir_ / "deploy/base"; }
  fs::path overlay() const { return dir_ / "deploy/overlays/webhook"; }
  fs::path pki() const { return overlay() / "pki"; }
  const std::string& ca_bundle() const { return ca_bundle_; }

 private:
  TempDir dir_{"deploy"};
  std::string ca_bundle_;
};

TEST(Deploy, CrdCopiesEqualConfigCrd) {
  const auto check = run_shell("deploy/sync-crds.sh --check");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  std::size_t copies = 0;
  for (const auto& entry : fs::directory_iterator(kRepo / "config/crd")) {
    const std::string name = entry.path().filename().string();
    if (name.find("without_cel") != std::string::npos) continue;
    EXPECT_EQ(read_file(kRepo / "deploy/base/crds" / name), read_file(entry.path())) << name;
    ++copies;
  }
  EXPECT_EQ(copies, 3u);
}

TEST(Deploy, BaseRendersTheOperatorWithTheChartsNames) {
  if (!druid::test::kubectl_available()) GTEST_SKIP() << "kubectl not installed";
  const Objects objects = render(kRepo / "deploy/base");
  EXPECT_EQ(keys(objects), (std::set<std::string>{
                               "ClusterRole/gardener.cloud:system:etcd-druid",
                               "ClusterRoleBinding/gardener.cloud:system:etcd-druid",
                               "ConfigMap/etcd-druid-operator-config",
                               "CustomResourceDefinition/etcdcopybackupstasks.druid.gardener.cloud",
                               "CustomResourceDefinition/etcdopstasks.druid.gardener.cloud",
                               "CustomResourceDefinition/etcds.druid.gardener.cloud",
                               "Deployment/etcd-druid",
                               "Namespace/etcd-druid-system",
                               "Service/etcd-druid",
                               "ServiceAccount/etcd-druid",
                           }));
  for (const auto& [key, object] : objects) {
    const std::string kind = object["kind"];
    const bool cluster_scoped = kind == "Namespace" || kind == "ClusterRole" ||
                                kind == "ClusterRoleBinding" || kind == "CustomResourceDefinition";
    EXPECT_EQ(object["metadata"].value("namespace", ""), cluster_scoped ? "" : kDeployNs) << key;
  }

  EXPECT_EQ(objects.at("ClusterRole/gardener.cloud:system:etcd-druid")["rules"], expected_rules());
  const json binding = objects.at("ClusterRoleBinding/gardener.cloud:system:etcd-druid");
  EXPECT_EQ(binding["roleRef"]["name"], "gardener.cloud:system:etcd-druid");
  EXPECT_EQ(binding["subjects"], json::parse(R"([{"kind":"ServiceAccount","name":"etcd-druid",
                                                 "namespace":"etcd-druid-system"}])"));

  const json service = objects.at("Service/etcd-druid");
  EXPECT_EQ(service["spec"]["selector"], json({{"app.kubernetes.io/name", "etcd-druid"}}));
  EXPECT_EQ(service["spec"]["ports"],
            json::parse(R"([{"name":"metrics","port":8080,"protocol":"TCP","targetPort":"metrics"},
                            {"name":"webhooks","port":9443,"protocol":"TCP","targetPort":"webhooks"}])"));

  const json deployment = objects.at("Deployment/etcd-druid");
  const json pod = deployment["spec"]["template"];
  EXPECT_EQ(deployment["spec"]["selector"]["matchLabels"],
            json({{"gardener.cloud/role", "etcd-druid"}}));
  EXPECT_EQ(pod["metadata"]["labels"], json({{"app.kubernetes.io/name", "etcd-druid"},
                                             {"gardener.cloud/role", "etcd-druid"}}));
  EXPECT_EQ(pod["spec"]["serviceAccountName"], "etcd-druid");
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsUser"], 65532);
  ASSERT_EQ(pod["spec"]["containers"].size(), 1u);
  const json c = pod["spec"]["containers"][0];
  EXPECT_EQ(c["name"], "etcd-druid");
  EXPECT_EQ(c["args"], json({"--config=/etc/etcd-druid/config/config.yaml"}));
  EXPECT_EQ(c["ports"], json::parse(R"([{"name":"metrics","containerPort":8080,"protocol":"TCP"},
                                        {"name":"probes","containerPort":8081,"protocol":"TCP"},
                                        {"name":"webhooks","containerPort":9443,"protocol":"TCP"}])"));
  EXPECT_EQ(c["livenessProbe"]["httpGet"], json({{"path", "/healthz"}, {"port", "probes"}}));
  EXPECT_EQ(c["readinessProbe"]["httpGet"], json({{"path", "/readyz"}, {"port", "probes"}}));
  EXPECT_EQ(c["resources"], json::parse(R"({"limits":{"cpu":"300m","memory":"512Mi"},
                                            "requests":{"cpu":"50m","memory":"128Mi"}})"));
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(c["volumeMounts"],
            json::parse(R"([{"name":"config","mountPath":"/etc/etcd-druid/config",
                                               "readOnly":true}])"));
  EXPECT_EQ(
      pod["spec"]["volumes"],
      json::parse(R"([{"name":"config","configMap":{"name":"etcd-druid-operator-config"}}])"));
}

TEST(Deploy, BaseConfigurationIsReadWholeWithTheWebhookOff) {
  if (!druid::test::kubectl_available()) GTEST_SKIP() << "kubectl not installed";
  const auto config = config_of(render(kRepo / "deploy/base"));
  EXPECT_FALSE(config.webhooks.etcd_component_protection.enabled);
  EXPECT_TRUE(config.leader_election.enabled);
  EXPECT_EQ(config.server.metrics->port, 8080);
  EXPECT_EQ(config.server.webhooks->port, 9443);
  EXPECT_EQ(config.server.webhooks->server_cert_dir, "/etc/webhook-server-tls");
}

TEST(Deploy, OverlayAddsTheWebhookItsCertificateAndConfiguration) {
  if (!druid::test::kubectl_available()) GTEST_SKIP() << "kubectl not installed";
  DeployCopy copy;
  const Objects base = render(copy.base());
  const Objects objects = render(copy.overlay());
  std::set<std::string> expected = keys(base);
  expected.insert("Secret/etcd-druid-server-tls");
  expected.insert("ValidatingWebhookConfiguration/etcd-druid");
  EXPECT_EQ(keys(objects), expected);

  const json secret = objects.at("Secret/etcd-druid-server-tls");
  EXPECT_EQ(secret["type"], "kubernetes.io/tls");
  EXPECT_EQ(secret["metadata"]["namespace"], kDeployNs);
  for (const char* key : {"tls.crt", "tls.key", "ca.crt"}) {
    EXPECT_EQ(util::base64_decode(secret["data"][key].get<std::string>()),
              read_file(copy.pki() / key))
        << key;
  }

  const json pod = objects.at("Deployment/etcd-druid")["spec"]["template"]["spec"];
  EXPECT_EQ(pod["containers"][0]["volumeMounts"],
            json::parse(R"([{"name":"tls","mountPath":"/etc/webhook-server-tls","readOnly":true},
                            {"name":"config","mountPath":"/etc/etcd-druid/config","readOnly":true}])"));
  EXPECT_EQ(pod["volumes"][0],
            json::parse(R"({"name":"tls","secret":{"secretName":"etcd-druid-server-tls",
                                                   "defaultMode":420}})"));

  const auto config = config_of(objects);
  const auto& protection = config.webhooks.etcd_component_protection;
  EXPECT_TRUE(protection.enabled);
  ASSERT_TRUE(protection.service_account_info);
  EXPECT_EQ(protection.service_account_info->name, "etcd-druid");
  EXPECT_EQ(protection.service_account_info->namespace_, kDeployNs);
  EXPECT_EQ(protection.exempt_service_accounts, std::vector<std::string>{kGarbageCollector});
  // Apart from the webhook, the overlay runs the base's configuration.
  auto base_config = config_of(base);
  base_config.webhooks = config.webhooks;
  EXPECT_EQ(base_config, config);

  json webhooks = objects.at("ValidatingWebhookConfiguration/etcd-druid")["webhooks"];
  ASSERT_EQ(webhooks.size(), 2u);
  for (auto& hook : webhooks) {
    std::string bundle = hook["clientConfig"]["caBundle"];
    std::erase(bundle, '\n');
    EXPECT_EQ(bundle, copy.ca_bundle());
    EXPECT_EQ(util::base64_decode(bundle), read_file(copy.pki() / "ca.crt"));
    hook["clientConfig"].erase("caBundle");
  }
  EXPECT_EQ(webhooks, expected_webhooks());
}

TEST(Deploy, OverlayWithoutPkiDoesNotRender) {
  if (!druid::test::kubectl_available()) GTEST_SKIP() << "kubectl not installed";
  TempDir dir("deploy-no-pki");
  fs::copy(kRepo / "deploy", dir / "deploy", fs::copy_options::recursive);
  for (const char* file : {"tls.crt", "tls.key", "ca.crt"}) {
    fs::remove(dir / "deploy/overlays/webhook/pki" / file);
  }
  const auto rendered =
      run_shell("kubectl kustomize " + (dir / "deploy/overlays/webhook").string());
  EXPECT_NE(rendered.exit_code, 0);
  EXPECT_TRUE(druid::test::contains(rendered.out, "pki/tls.crt")) << rendered.out;
}

class DeployApply : public ::testing::Test {
 protected:
  druid::test::CommandResult apply(const fs::path& dir) {
    const auto kubeconfig = kubeconfig_dir_ / "kubeconfig";
    live_.server().write_kubeconfig(kubeconfig);
    const auto r = run_shell(
        "kubectl kustomize " + dir.string() +
        " | kubectl --request-timeout=20s --kubeconfig=" + kubeconfig.string() + " apply -f -");
    return {r.exit_code, r.out};
  }
  std::optional<json> get(const std::string& resource, const std::string& ns,
                          const std::string& name) {
    return live_.server().get(resource, ns, name);
  }

  kube::test::LiveServer live_;
  TempDir kubeconfig_dir_{"deploy-apply"};
};

TEST_F(DeployApply, BaseThenOverlayApplyAndReapply) {
  if (!druid::test::kubectl_available()) GTEST_SKIP() << "kubectl not installed";
  DeployCopy copy;
  const auto base = apply(copy.base());
  ASSERT_EQ(base.exit_code, 0) << base.output;
  EXPECT_TRUE(druid::test::contains(base.output, "namespace/etcd-druid-system created"))
      << base.output;
  EXPECT_TRUE(druid::test::contains(
      base.output,
      "customresourcedefinition.apiextensions.k8s.io/etcds.druid.gardener.cloud "
      "created"));
  EXPECT_TRUE(druid::test::contains(base.output, "deployment.apps/etcd-druid created"));
  EXPECT_TRUE(get("customresourcedefinitions.apiextensions.k8s.io", "",
                  "etcdopstasks.druid.gardener.cloud"));
  EXPECT_TRUE(get("serviceaccounts", kDeployNs, "etcd-druid"));
  EXPECT_TRUE(
      get("clusterroles.rbac.authorization.k8s.io", "", "gardener.cloud:system:etcd-druid"));
  EXPECT_TRUE(get("configmaps", kDeployNs, "etcd-druid-operator-config"));
  EXPECT_TRUE(get("services", kDeployNs, "etcd-druid"));
  const auto deployment = get("deployments.apps", kDeployNs, "etcd-druid");
  ASSERT_TRUE(deployment);
  EXPECT_EQ((*deployment)["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]
                         ["path"],
            "/readyz");

  const auto again = apply(copy.base());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(druid::test::contains(again.output, "deployment.apps/etcd-druid unchanged"))
      << again.output;

  const auto overlay = apply(copy.overlay());
  ASSERT_EQ(overlay.exit_code, 0) << overlay.output;
  EXPECT_TRUE(druid::test::contains(overlay.output, "secret/etcd-druid-server-tls created"))
      << overlay.output;
  EXPECT_TRUE(druid::test::contains(overlay.output, "deployment.apps/etcd-druid configured"));
  EXPECT_TRUE(druid::test::contains(
      overlay.output,
      "validatingwebhookconfiguration.admissionregistration.k8s.io/etcd-druid created"));
  const auto secret = get("secrets", kDeployNs, "etcd-druid-server-tls");
  ASSERT_TRUE(secret);
  EXPECT_EQ(util::base64_decode((*secret)["data"]["tls.crt"].get<std::string>()),
            read_file(copy.pki() / "tls.crt"));
  const auto configuration =
      get("validatingwebhookconfigurations.admissionregistration.k8s.io", "", "etcd-druid");
  ASSERT_TRUE(configuration);
  EXPECT_EQ((*configuration)["webhooks"].size(), 2u);
  const auto config = get("configmaps", kDeployNs, "etcd-druid-operator-config");
  ASSERT_TRUE(config);
  EXPECT_TRUE(druid::test::contains((*config)["data"]["config.yaml"], "enabled: true"));
}

// The PKI the script makes, the overlay's webhook configuration and the
// webhook server work together: the API server reaches the service name,
// verifies the serving certificate against caBundle and gets decisions.
TEST_F(DeployApply, GeneratedPkiServesTheOverlaysWebhookConfiguration) {
  if (!druid::test::kubectl_available()) GTEST_SKIP() << "kubectl not installed";
  DeployCopy copy;
  const Objects objects = render(copy.overlay());
  live_.server().install_crds(kRepo / "config/crd");
  ASSERT_EQ(kube::test::create_namespace(live_.client(), kNs), "");
  const std::string druid_sa = "system:serviceaccount:etcd-druid-system:etcd-druid";
  live_.server().add_user("jane-token", kUser);

  operator_::WebhookServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.cert_dir = copy.pki().string();
  options.reconciler_service_account = druid_sa;
  auto server = operator_::WebhookServer::start(options, live_.client());
  ASSERT_TRUE(server) << server.error();

  // The rendered configuration as-is, but on our port (a test cannot own 9443).
  json configuration = objects.at("ValidatingWebhookConfiguration/etcd-druid");
  for (auto& hook : configuration["webhooks"]) {
    hook["clientConfig"]["service"]["port"] = (*server)->port();
  }
  ASSERT_TRUE(
      live_.client().create(kube::resources::kValidatingWebhookConfigurations, "", configuration));
  json e = etcd();
  e["metadata"].erase("uid");
  ASSERT_TRUE(live_.client().create(api::resources::kEtcds, kNs, e));
  ASSERT_TRUE(live_.client().create(kube::resources::kConfigMaps, kNs,
                                    object("v1", "ConfigMap", "etcd-main-config")));

  kube::RestConfig config;
  config.server = live_.server().url();
  config.ca_pem = live_.server().ca_pem();
  config.bearer_token = "jane-token";
  kube::Client jane(config);
  auto denied = jane.patch(kube::resources::kConfigMaps, kNs, "etcd-main-config",
                           kube::PatchType::kMerge, {{"data", {{"k", "v"}}}});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().reason, kube::ApiErrorReason::kForbidden) << denied.error().what();
  EXPECT_TRUE(druid::test::contains(denied.error().message,
                                    "changes from service account jane are disallowed"))
      << denied.error().message;
}

}  // namespace
}  // namespace druid::webhook::test
