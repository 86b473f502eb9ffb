#include "component/peerservice.hpp"

#include <gtest/gtest.h>

#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::component {
namespace {

// Behaviour shared by all single-object components (sync, errors, delete) is
// checked once, in single_object_component_contract_test.cpp.

using nlohmann::json;
using test::base_etcd_json;

TEST(PeerServiceBuilder, Default) {
  EXPECT_TRUE(test::matches_golden(build_peer_service(test::decode(base_etcd_json())),
                                   "peerservice/default.json"));
}

TEST(PeerServiceBuilder, CustomServerPort) {
  json etcd = base_etcd_json();
  etcd["spec"]["etcd"]["serverPort"] = 12380;
  etcd["spec"]["etcd"]["clientPort"] = 12379;  // not exposed by the peer Service
  EXPECT_TRUE(test::matches_golden(build_peer_service(test::decode(etcd)),
                                   "peerservice/custom-server-port.json"));
}

}  // namespace
}  // namespace druid::component
