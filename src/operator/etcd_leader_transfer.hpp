#pragma once
// The OnDelete controller's leader transfer (docs/quorum-aware-updates.md over
// etcd's maintenance API: MoveLeader sent to the leader itself at
// `<pod>.<etcd>-peer.<ns>.svc:<clientPort>` (other members answer "not
// leader"), over https with the Etcd's client TLS material when
// spec.etcd.clientUrlTls is set (CA from tlsCASecretRef, key dataKey else
// ca.crt; tls.crt/tls.key from clientTLSSecretRef; Secrets in the Etcd's
// namespace, read live so the operator caches no Secret payload), else http.
// Every call is bounded by the timeout; every failure is a sentence.

#include <chrono>
#include <string>

#include "api/etcd.hpp"
#include "controller/ondelete/leader_transfer.hpp"
#include "kube/client.hpp"
#include "kube/http_transport.hpp"
#include "util/expected.hpp"

namespace druid::operator_ {

inline constexpr std::chrono::milliseconds kLeaderTransferTimeout{10000};

// "https://etcd-main-2.etcd-main-peer.default.svc:2379" (http without client TLS).
std::string leader_endpoint(const api::Etcd& etcd, const std::string& pod);

// The CA and client certificate for the Etcd's client URL from its Secrets;
// an error names the Secret or key that is missing. Empty without client TLS.
util::Expected<kube::TlsConfig, std::string> client_tls_material(kube::Client& client,
                                                                 const api::Etcd& etcd);

class EtcdLeaderTransfer final : public controller::ondelete::LeaderTransfer {
 public:
  explicit EtcdLeaderTransfer(kube::Client& client,
                              std::chrono::milliseconds timeout = kLeaderTransferTimeout)
      : client_(client), timeout_(timeout) {}

  util::Expected<std::monostate, controller::ondelete::LeaderTransferError> transfer(
      const controller::ondelete::LeaderTransferRequest& request) override;

 private:
  kube::Client& client_;
  std::chrono::milliseconds timeout_;
};

}  // namespace druid::operator_
