#include "api/labels.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace druid::api {
namespace {

Etcd make_etcd() {
  Etcd etcd;
  etcd.metadata.name = "etcd-main";
  etcd.spec.replicas = 3;
  return etcd;
}

// default labels + component + name, spelled out.
util::Labels expected_labels(const std::string& component, const std::string& name) {
  return {{"app.kubernetes.io/managed-by", "etcd-druid"},
          {"app.kubernetes.io/part-of", "etcd-main"},
          {"app.kubernetes.io/component", component},
          {"app.kubernetes.io/name", name}};
}

TEST(Labels, DefaultLabels) {
  EXPECT_EQ(default_labels(make_etcd()),
            (util::Labels{{"app.kubernetes.io/managed-by", "etcd-druid"},
                          {"app.kubernetes.io/part-of", "etcd-main"}}));
}

TEST(Labels, StatusSelectorHasSortedKeys) {
  EXPECT_EQ(status_selector(make_etcd()),
            "app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=etcd-main");
}

struct ComponentCase {
  const char* what;
  std::function<util::Labels(const Etcd&)> labels_of;
  const char* component;
  const char* name;
};

TEST(Labels, PerComponentLabelSets) {
  const std::vector<ComponentCase> cases = {
      {"service account", service_account_labels, "etcd-service-account", "etcd-main"},
      {"role", role_labels, "etcd-role", "druid.gardener.cloud-etcd-etcd-main"},
      {"role binding", role_binding_labels, "etcd-role-binding",
       "druid.gardener.cloud-etcd-etcd-main"},
      {"member lease", [](const Etcd& e) { return member_lease_labels(e, "etcd-main-1"); },
       "etcd-member-lease", "etcd-main-1"},
      {"snapshot lease",
       [](const Etcd& e) { return snapshot_lease_labels(e, "etcd-main-full-snap"); },
       "etcd-snapshot-lease", "etcd-main-full-snap"},
      {"pdb", pod_disruption_budget_labels, "etcd-pdb", "etcd-main"},
      {"client service", client_service_labels, "etcd-client-service", "etcd-main-client"},
      {"peer service", peer_service_labels, "etcd-peer-service", "etcd-main-peer"},
      {"configmap", configmap_labels, "etcd-configmap", "etcd-main-config"},
      {"statefulset", statefulset_labels, "etcd-statefulset", "etcd-main"},
  };
  const Etcd etcd = make_etcd();
  for (const auto& c : cases) {
    EXPECT_EQ(c.labels_of(etcd), expected_labels(c.component, c.name)) << c.what;
  }
}

TEST(Labels, CompactionJobAddsNetworkingLabels) {
  util::Labels expected = expected_labels("etcd-snapshot-compaction-job", "etcd-main-compactor");
  expected["networking.gardener.cloud/to-dns"] = "allowed";
  expected["networking.gardener.cloud/to-private-networks"] = "allowed";
  expected["networking.gardener.cloud/to-public-networks"] = "allowed";
  EXPECT_EQ(compaction_job_labels(make_etcd()), expected);
}

TEST(Labels, CopyBackupsJobIsPartOfTheTask) {
  EXPECT_EQ(copy_backups_job_labels("copy-1"),
            (util::Labels{{"app.kubernetes.io/managed-by", "etcd-druid"},
                          {"app.kubernetes.io/part-of", "copy-1"},
                          {"app.kubernetes.io/component", "etcd-copy-backups-job"},
                          {"app.kubernetes.io/name", "copy-1-worker"}}));
}

TEST(Labels, ClientServiceUserLabelsWinOnConflict) {
  Etcd etcd = make_etcd();
  etcd.spec.etcd.client_service = ClientService{};
  etcd.spec.etcd.client_service->labels = {{"team", "a"}, {"app.kubernetes.io/name", "custom"}};
  util::Labels expected = expected_labels("etcd-client-service", "custom");
  expected["team"] = "a";
  EXPECT_EQ(client_service_labels(etcd), expected);
}

TEST(Labels, ClientServiceWithoutUserLabels) {
  Etcd etcd = make_etcd();
  etcd.spec.etcd.client_service = ClientService{};
  EXPECT_EQ(client_service_labels(etcd),
            expected_labels("etcd-client-service", "etcd-main-client"));
}

TEST(Labels, Selectors) {
  const util::Labels base{{"app.kubernetes.io/managed-by", "etcd-druid"},
                          {"app.kubernetes.io/part-of", "etcd-main"}};
  auto with = [&](const char* component) {
    util::Labels labels = base;
    labels["app.kubernetes.io/component"] = component;
    return labels;
  };
  const Etcd etcd = make_etcd();
  EXPECT_EQ(etcd_pod_selector_labels(etcd), with("etcd-statefulset"));
  EXPECT_EQ(member_lease_selector_labels(etcd), with("etcd-member-lease"));
  EXPECT_EQ(snapshot_lease_selector_labels(etcd), with("etcd-snapshot-lease"));
}

TEST(Labels, SpecLabelsNeverLeakIntoComponentLabels) {
  Etcd etcd = make_etcd();
  etcd.spec.labels = {{"app", "etcd-statefulset"}, {"app.kubernetes.io/part-of", "other"}};
  EXPECT_EQ(statefulset_labels(etcd), expected_labels("etcd-statefulset", "etcd-main"));
}

}  // namespace
}  // namespace druid::api
