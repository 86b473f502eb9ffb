// From the OperatorConfiguration to the Etcd controller, the manager's leader
// election, the client, the metrics address and the webhook identity.

#include "operator/config_mapping.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace druid::operator_ {
namespace {

using std::chrono::milliseconds;

TEST(EtcdControllerConfig, TakesWorkersPeriodsThresholdsAndSettings) {
  auto config = api::default_operator_config();
  auto& etcd = config.controllers.etcd;
  etcd.concurrent_syncs = 8;
  etcd.enable_etcd_spec_auto_reconcile = true;
  etcd.disable_etcd_service_account_automount = true;
  etcd.etcd_status_sync_period = "1m30s";
  etcd.etcd_member.not_ready_threshold = "2m0s";
  etcd.etcd_member.unknown_threshold = "45s";
  api::FeatureGates gates;
  gates.upgrade_etcd_version = true;

  const auto out = etcd_controller_config(config, gates);
  EXPECT_EQ(out.workers, 8);
  EXPECT_TRUE(out.enable_etcd_spec_auto_reconcile);
  EXPECT_EQ(out.status_sync_period, milliseconds(90000));
  EXPECT_EQ(out.member_not_ready_threshold, milliseconds(120000));
  EXPECT_EQ(out.member_unknown_threshold, milliseconds(45000));
  EXPECT_TRUE(out.settings.disable_etcd_service_account_automount);
  EXPECT_TRUE(out.settings.feature_gates.upgrade_etcd_version);
}

TEST(EtcdControllerConfig, DefaultsMatchTheControllersOwn) {
  const auto out = etcd_controller_config(api::default_operator_config(), api::FeatureGates{});
  const controller::etcd::EtcdControllerConfig own;
  EXPECT_EQ(out.workers, own.workers);
  EXPECT_EQ(out.status_sync_period, own.status_sync_period);
  EXPECT_EQ(out.member_not_ready_threshold, own.member_not_ready_threshold);
  EXPECT_EQ(out.member_unknown_threshold, own.member_unknown_threshold);
  EXPECT_FALSE(out.enable_etcd_spec_auto_reconcile);
}

TEST(LeaderElection, DisabledMeansNoElection) {
  const auto out =
      leader_election_config(api::default_operator_config().leader_election, "ns", "me");
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->has_value());
}

TEST(LeaderElection, EnabledUsesTheLeaseNameDurationsAndNamespace) {
  auto config = api::default_operator_config();
  config.leader_election.enabled = true;
  api::apply_operator_config_defaults(config);
  config.leader_election.lease_duration = "20s";
  const auto out = leader_election_config(config.leader_election, "garden", "host_1");
  ASSERT_TRUE(out);
  ASSERT_TRUE(out->has_value());
  const auto& le = **out;
  EXPECT_EQ(le.lease_name, "druid-leader-election");
  EXPECT_EQ(le.lease_namespace, "garden");
  EXPECT_EQ(le.identity, "host_1");
  EXPECT_EQ(le.lease_duration, milliseconds(20000));
  EXPECT_EQ(le.renew_deadline, milliseconds(10000));
  EXPECT_EQ(le.retry_period, milliseconds(2000));
  EXPECT_TRUE(le.release_on_cancel);
}

TEST(LeaderElection, OnlyLeasesCanBeTheLock) {
  api::LeaderElectionConfiguration config{true, "15s", "10s", "2s", "configmapsleases", "x"};
  const auto out = leader_election_config(config, "ns", "me");
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().find("leaderElection.resourceLock: invalid lock-type configmapsleases"),
            std::string::npos);
}

TEST(LeaderElection, IdentityIsHostnameAndAFreshUuid) {
  const std::regex uuid_v4(
      "pod-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const auto a = leader_election_identity("pod-1");
  const auto b = leader_election_identity("pod-1");
  EXPECT_TRUE(std::regex_match(a, uuid_v4)) << a;
  EXPECT_NE(a, b);
}

TEST(OperatorNamespace, PodNamespaceThenKubeconfigThenDefault) {
  kube::RestConfig rest;
  rest.namespace_ = "from-kubeconfig";
  EXPECT_EQ(operator_namespace("from-env", rest), "from-env");
  EXPECT_EQ(operator_namespace(nullptr, rest), "from-kubeconfig");
  EXPECT_EQ(operator_namespace("  ", rest), "from-kubeconfig");
  rest.namespace_ = "";
  EXPECT_EQ(operator_namespace(nullptr, rest), "default");
}

TEST(ClientConnection, QpsAndBurstOverrideTheRestConfig) {
  kube::RestConfig rest;
  api::ClientConnectionConfiguration connection;
  connection.qps.value = 42.5;
  connection.burst = 60;
  apply_client_connection(connection, rest);
  EXPECT_EQ(rest.qps, 42.5);
  EXPECT_EQ(rest.burst, 60);
}

ListenAddress address(const api::HttpServerConfiguration& metrics) {
  return metrics_listen_address(metrics).value_or(ListenAddress{"<error>", -1});
}

TEST(MetricsAddress, BindAddressWithoutColonIsJoinedWithThePort) {
  EXPECT_EQ(address({"", 8080}), (ListenAddress{"", 8080}));
  EXPECT_EQ(address({"127.0.0.1", 9090}), (ListenAddress{"127.0.0.1", 9090}));
  EXPECT_EQ(address({":8443", 9090}), (ListenAddress{"", 8443}));
  EXPECT_EQ(address({"10.1.2.3:7000", 9090}), (ListenAddress{"10.1.2.3", 7000}));
  EXPECT_EQ(address({"[::1]:7001", 9090}), (ListenAddress{"::1", 7001}));
  const auto bad = metrics_listen_address({"localhost:http", 9090});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("server.metrics.bindAddress"), std::string::npos);
}

TEST(ReconcilerIdentity, ServiceAccountInfoThenFqdnElseError) {
  api::EtcdComponentProtectionWebhookConfiguration webhook;
  webhook.enabled = true;
  EXPECT_FALSE(reconciler_identity(webhook));
  EXPECT_EQ(reconciler_identity(webhook).error(),
            "webhooks.etcdComponentProtection: either reconcilerServiceAccountFQDN or "
            "serviceAccountInfo must be set");
  webhook.reconciler_service_account_fqdn = "system:serviceaccount:a:b";
  EXPECT_EQ(reconciler_identity(webhook).value_or(""), "system:serviceaccount:a:b");
  webhook.reconciler_service_account_fqdn.reset();
  webhook.service_account_info = api::ServiceAccountInfo{"etcd-druid", "garden"};
  EXPECT_EQ(reconciler_identity(webhook).value_or(""), "system:serviceaccount:garden:etcd-druid");
}

TEST(WebhookServerOptions, TakeServerAndProtectionSettings) {
  auto config = api::default_operator_config();
  config.server.webhooks->bind_address = "127.0.0.1";
  config.server.webhooks->port = 10443;
  config.server.webhooks->server_cert_dir = "/tls";
  config.webhooks.etcd_component_protection.exempt_service_accounts = {"x"};
  const auto out = webhook_server_options(config, "system:serviceaccount:ns:druid");
  EXPECT_EQ(out.bind_address, "127.0.0.1");
  EXPECT_EQ(out.port, 10443);
  EXPECT_EQ(out.cert_dir, "/tls");
  EXPECT_EQ(out.reconciler_service_account, "system:serviceaccount:ns:druid");
  EXPECT_EQ(out.exempt_service_accounts, std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace druid::operator_
