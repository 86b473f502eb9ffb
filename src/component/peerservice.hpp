#pragma once
// The headless peer Service `<etcd>-peer` (upstream's
// internal/component/peerservice/peerservice.go):
// gives every member the stable DNS name its peer and client URLs use, also
// while it is not ready (members must find each other to become ready).

#include <nlohmann/json.hpp>

#include "api/etcd.hpp"

namespace druid::component {

nlohmann::json build_peer_service(const api::Etcd& etcd);

}  // namespace druid::component
