#pragma once
// The EtcdOpsTask controller asks the backup sidecar (etcd-backup-restore's
// HTTP server, `POST /snapshot/<full|delta>[?final=true]` on the client
// Service's backup port) for an out-of-schedule snapshot. The controller
// decides *what* to ask and what an answer means; how the request travels
// (libcurl, TLS) lives with the operator, which implements this interface,
// so the controller's code has no HTTP in it and tests use a fake.

#include <chrono>
#include <string>

#include "util/expected.hpp"

namespace druid::controller::etcdopstask {

struct SnapshotCall {
  // The EtcdOpsTask controller POSTs; the compaction controller's full-snapshot
  // fallback GETs, as upstream does (the sidecar serves both).
  std::string method = "POST";
  // "https://etcd-main-client.shoot--a--b:8080/snapshot/full?final=true".
  std::string url;
  std::string ca_pem;  // the CA that signed the sidecar's certificate; empty for http
  std::chrono::seconds timeout{0};
};

// What the sidecar answered; any HTTP status, the controller judges it.
struct SnapshotAnswer {
  int status = 0;
  std::string body;
};

enum class SnapshotCallErrorKind {
  kInvalidCa,  // ca_pem holds no certificate (upstream: ERR_APPEND_CA_CERTS, not retried)
  kRequest,    // no answer: connect, TLS, timeout (upstream: ERR_EXECUTE_HTTP_REQUEST, retried)
};

struct SnapshotCallError {
  SnapshotCallErrorKind kind = SnapshotCallErrorKind::kRequest;
  std::string message;
};

class BackupSidecar {
 public:
  virtual ~BackupSidecar() = default;
  // Blocks for at most the call's timeout. Thread-safe.
  virtual util::Expected<SnapshotAnswer, SnapshotCallError> take_snapshot(
      const SnapshotCall& call) = 0;
};

}  // namespace druid::controller::etcdopstask
