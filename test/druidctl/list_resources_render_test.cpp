// The list-resources output without a server: tables (N/A for cluster-scoped objects) and the
// EtcdResourceList document.

#include <gtest/gtest.h>

#include <chrono>

#include "druidctl/list_resources.hpp"

namespace druid::druidctl {
namespace {

using namespace std::chrono_literals;

std::vector<EtcdResources> sample() {
  const util::ResourceType pods{"", "v1", "pods", "Pod", true};
  const util::ResourceType roles{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole",
                                 false};
  return {
      {"shoot", "etcd-main", {{pods, {{"shoot", "etcd-main-0", 90s}}}, {roles, {{"", "x", 2h}}}}},
      {"shoot", "etcd-events", {}}};
}

TEST(ListResourcesRender, TablesWithNotApplicableNamespace) {
  EXPECT_EQ(render_resource_tables(sample()),
            "Etcd [shoot/etcd-main]\n"
            "┌───────────┬─────────────────┬───┐\n"
            "│Kind       │NamespacedName   │Age│\n"
            "├───────────┼─────────────────┼───┤\n"
            "│Pod        │shoot/etcd-main-0│1m │\n"
            "│ClusterRole│N/A/x            │2h │\n"
            "└───────────┴─────────────────┴───┘\n"
            "Etcd [shoot/etcd-events]\n"
            "No resources found for selected filters\n");
}

TEST(ListResourcesRender, DocumentShapeWithAgesInNanoseconds) {
  const auto doc = to_resource_list(sample());
  EXPECT_EQ(
      doc.dump(),
      R"({"etcds":[{"etcd":{"name":"etcd-main","namespace":"shoot"},"items":[)"
      R"({"key":{"group":"","version":"v1","resource":"pods","kind":"Pod"},)"
      R"("resources":[{"namespace":"shoot","name":"etcd-main-0","age":90000000000}]},)"
      R"({"key":{"group":"rbac.authorization.k8s.io","version":"v1","resource":"clusterroles",)"
      R"("kind":"ClusterRole"},"resources":[{"namespace":"","name":"x","age":7200000000000}]}]},)"
      R"({"etcd":{"name":"etcd-events","namespace":"shoot"},"items":[]}],"kind":"EtcdResourceList"})");
}

}  // namespace
}  // namespace druid::druidctl
