#pragma once
// Hands etcd leadership to another member before the leader's pod is deleted
// (docs/quorum-aware-updates.md The controller only decides *whether* and *to
// whom*; how the leader is reached (etcd's MoveLeader over its client port,
// TLS material from the Etcd's Secrets) lives with the operator, which
// implements this interface, so the controller's code has no HTTP in it and
// tests use a fake.

#include <cstdint>
#include <string>

#include "api/etcd.hpp"
#include "util/expected.hpp"

namespace druid::controller::ondelete {

struct LeaderTransferRequest {
  const api::Etcd& etcd;
  std::string leader_pod;          // the pod whose member leads now (addressed directly)
  std::string target_pod;          // the follower that should lead
  std::uint64_t target_member_id;  // its etcd member ID
};

// Why a transfer did not happen, in words for a Warning Event.
struct LeaderTransferError {
  std::string message;
};

class LeaderTransfer {
 public:
  virtual ~LeaderTransfer() = default;
  // Blocks for a bounded time; success means etcd acknowledged the move.
  virtual util::Expected<std::monostate, LeaderTransferError> transfer(
      const LeaderTransferRequest& request) = 0;
};

}  // namespace druid::controller::ondelete
