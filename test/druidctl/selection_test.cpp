// The resource argument rules as users meet them: the error messages and exit codes, -A with
// the prompt answered on stdin, Etcds that do not exist, and the connection flags.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "druidctl_env.hpp"

namespace druid::druidctl::test {
namespace {

constexpr const char* kSuspend = "druid.gardener.cloud/suspend-etcd-spec-reconcile";
constexpr const char* kOperation = "druid.gardener.cloud/operation";

using SelectionTest = DruidctlTest;

TEST_F(SelectionTest, ConflictingSelectionsAreRefusedWithUpstreamsMessages) {
  create_etcd("default", "etcd-a");
  auto names_with_all = druid("reconciliation suspend etcd-a -A");
  EXPECT_EQ(names_with_all.exit_code, 1);
  EXPECT_EQ(names_with_all.err,
            "Error: cannot specify resource names when using --all-namespaces/-A\n");
  auto namespace_with_all = druid("component-protection remove -A -n default");
  EXPECT_EQ(namespace_with_all.exit_code, 1);
  EXPECT_EQ(namespace_with_all.err, "Error: cannot use --namespace/-n with --all-namespaces/-A\n");
  auto cross_namespace = druid("reconciliation trigger default/etcd-a -n default");
  EXPECT_EQ(cross_namespace.exit_code, 1);
  EXPECT_EQ(cross_namespace.err,
            "Error: cannot use --namespace/-n with cross-namespace resource references (ns/name "
            "format)\n");
  EXPECT_EQ(annotations("default", "etcd-a"), nlohmann::json::object());
}

TEST_F(SelectionTest, MissingEtcdIsNamed) {
  create_etcd("default", "etcd-a");
  auto result = druid("reconciliation suspend etcd-a etcd-missing");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "Error: etcd \"etcd-missing\" not found in namespace \"default\"\n");
  EXPECT_FALSE(annotations("default", "etcd-a").contains(kSuspend))
      << "nothing is written unless every named Etcd exists";
  auto elsewhere = druid("list-resources etcd-a -n elsewhere");
  EXPECT_EQ(elsewhere.err, "Error: etcd \"etcd-a\" not found in namespace \"elsewhere\"\n");
}

TEST_F(SelectionTest, AllNamespacesAfterYes) {
  create_etcd("alpha", "etcd-a");
  create_etcd("beta", "etcd-b");
  auto result = druid("reconciliation trigger -A", "y\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("--⚠️-- You are about to reconcile ALL etcd resources across ALL "
                             "namespaces. Continue? [y/n]: ",
                             0),
            0u)
      << result.out;
  EXPECT_EQ(annotations("alpha", "etcd-a")[kOperation], "reconcile");
  EXPECT_EQ(annotations("beta", "etcd-b")[kOperation], "reconcile");

  auto suspend = druid("reconciliation suspend --all-namespaces", "yes\n");
  EXPECT_EQ(suspend.exit_code, 0) << suspend.err;
  EXPECT_TRUE(contains(suspend.out, "You are about to suspend reconciliation for ALL etcd"))
      << suspend.out;
  EXPECT_EQ(annotations("alpha", "etcd-a")[kSuspend], "true");
  EXPECT_EQ(annotations("beta", "etcd-b")[kSuspend], "true");
}

TEST_F(SelectionTest, AllNamespacesCancelledByNo) {
  create_etcd("alpha", "etcd-a");
  create_etcd("beta", "etcd-b");
  auto result = druid("component-protection remove -A", "n\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "--⚠️-- You are about to remove protection from ALL etcd resources across ALL "
            "namespaces. Continue? [y/n]: Operation cancelled by user\n");
  EXPECT_EQ(annotations("alpha", "etcd-a"), nlohmann::json::object());
  EXPECT_EQ(annotations("beta", "etcd-b"), nlohmann::json::object());

  auto no_answer = druid("reconciliation suspend -A");
  EXPECT_EQ(no_answer.exit_code, 1);
  EXPECT_EQ(no_answer.err, "Error: confirmation failed: failed to read response: EOF\n");
  EXPECT_FALSE(annotations("alpha", "etcd-a").contains(kSuspend));
}

TEST_F(SelectionTest, ConnectionFlagsReplaceTheKubeconfig) {
  create_etcd("default", "etcd-a");
  const auto ca = dir_ / "ca.pem";
  std::ofstream(ca) << server_.ca_pem();
  // No kubeconfig at all: the server, token and CA come from the flags.
  auto flags_only = druid(fmt::format("reconciliation suspend etcd-a -s {} --token {} "
                                      "--certificate-authority {} --request-timeout 10s",
                                      server_.url(), server_.admin_token(), ca.string()),
                          "", "KUBECONFIG=/nonexistent/kubeconfig");
  EXPECT_EQ(flags_only.exit_code, 0) << flags_only.err;
  EXPECT_EQ(annotations("default", "etcd-a")[kSuspend], "true");

  auto insecure = druid(fmt::format("reconciliation resume etcd-a --server={} --token={} "
                                    "--insecure-skip-tls-verify",
                                    server_.url(), server_.admin_token()),
                        "", "KUBECONFIG=/nonexistent/kubeconfig");
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
  EXPECT_FALSE(annotations("default", "etcd-a").contains(kSuspend));

  // --kubeconfig names the file when KUBECONFIG does not.
  auto explicit_file = druid(
      fmt::format("reconciliation suspend etcd-a --kubeconfig {}", (dir_ / "kubeconfig").string()),
      "", "KUBECONFIG=/nonexistent/kubeconfig");
  EXPECT_EQ(explicit_file.exit_code, 0) << explicit_file.err;

  auto wrong_token = druid("reconciliation resume etcd-a --token nope");
  EXPECT_EQ(wrong_token.exit_code, 1);
  EXPECT_TRUE(contains(wrong_token.err, "Error: ")) << wrong_token.err;
  EXPECT_EQ(annotations("default", "etcd-a")[kSuspend], "true");

  auto no_context = druid("reconciliation resume etcd-a --context nowhere");
  EXPECT_EQ(no_context.exit_code, 1);
  EXPECT_TRUE(contains(no_context.err, "context \"nowhere\" not found")) << no_context.err;
}

}  // namespace
}  // namespace druid::druidctl::test
