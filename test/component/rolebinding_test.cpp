#include "component/rolebinding.hpp"

#include <gtest/gtest.h>

#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::component {
namespace {

// Behaviour shared by all single-object components (sync, errors, delete) is
// checked once, in single_object_component_contract_test.cpp.

using test::base_etcd_json;

TEST(RoleBindingBuilder, BindsTheRoleToTheServiceAccount) {
  EXPECT_TRUE(test::matches_golden(build_role_binding(test::decode(base_etcd_json())),
                                   "rolebinding/default.json"));
}

}  // namespace
}  // namespace druid::component
