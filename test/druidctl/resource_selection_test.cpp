// The resource argument rules that need no server, with upstream's messages.

#include "druidctl/resource_selection.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace druid::druidctl {
namespace {

GlobalOptions with(bool all_namespaces, std::string ns = {}) {
  GlobalOptions options;
  options.all_namespaces = all_namespaces;
  options.connection.namespace_ = std::move(ns);
  return options;
}

TEST(ResourceSelection, AllNamespacesExcludesNamesAndNamespace) {
  EXPECT_EQ(validate_selection(with(true), {"etcd-a"}),
            "cannot specify resource names when using --all-namespaces/-A");
  EXPECT_EQ(validate_selection(with(true, "ns"), {}),
            "cannot use --namespace/-n with --all-namespaces/-A");
  EXPECT_FALSE(validate_selection(with(true), {}));
}

TEST(ResourceSelection, CrossNamespaceNamesExcludeTheNamespaceFlag) {
  EXPECT_EQ(validate_selection(with(false, "ns"), {"a", "other/b"}),
            "cannot use --namespace/-n with cross-namespace resource references (ns/name format)");
  EXPECT_FALSE(validate_selection(with(false, "ns"), {"a", "b"}));
  EXPECT_FALSE(validate_selection(with(false), {"a", "other/b"}));
  EXPECT_EQ(validate_selection(with(false), {"a/b/c"}), "invalid resource name: a/b/c");
}

TEST(ResourceSelection, NamesResolveAgainstTheNamespaceFlagElseDefault) {
  EXPECT_EQ(build_refs(with(false), {"a", "x/b"}),
            (std::vector<EtcdRef>{{"default", "a"}, {"x", "b"}}));
  EXPECT_EQ(build_refs(with(false, "ns"), {"a"}), (std::vector<EtcdRef>{{"ns", "a"}}));
}

TEST(ConfirmAllNamespaces, AcceptsYesAnswersOnly) {
  for (const std::string answer : {"y\n", "Y\n", "yes\n", " YES \n", "y"}) {
    std::istringstream in(answer);
    std::ostringstream out;
    auto confirmed = confirm_all_namespaces(in, out, "reconcile");
    ASSERT_TRUE(confirmed) << answer;
    EXPECT_TRUE(*confirmed) << answer;
    EXPECT_EQ(out.str(),
              "--⚠️-- You are about to reconcile ALL etcd resources across ALL namespaces. "
              "Continue? [y/n]: ");
  }
  for (const std::string answer : {"n\n", "no\n", "\n", "yy\n"}) {
    std::istringstream in(answer);
    std::ostringstream out;
    auto confirmed = confirm_all_namespaces(in, out, "reconcile");
    ASSERT_TRUE(confirmed) << answer;
    EXPECT_FALSE(*confirmed) << answer;
  }
  std::istringstream empty;
  std::ostringstream out;
  auto ended = confirm_all_namespaces(empty, out, "reconcile");
  ASSERT_FALSE(ended);
  EXPECT_EQ(ended.error(), "confirmation failed: failed to read response: EOF");
}

}  // namespace
}  // namespace druid::druidctl
