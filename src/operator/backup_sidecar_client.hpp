#pragma once
// The EtcdOpsTask controller's calls to etcd-backup-restore's HTTP server
// (`POST /snapshot/<full|delta>[?final=true]`, see
// src/controller/etcdopstask/backup_sidecar.hpp) over libcurl. Each call gets
// its own connection: the CA differs per Etcd and snapshots are rare, so
// pooling would only keep sockets open.

#include "controller/etcdopstask/backup_sidecar.hpp"

namespace druid::operator_ {

// Whether `pem` holds at least one X.509 certificate (Go's
// CertPool.AppendCertsFromPEM succeeding).
bool holds_certificate(const std::string& pem);

class BackupSidecarClient final : public controller::etcdopstask::BackupSidecar {
 public:
  util::Expected<controller::etcdopstask::SnapshotAnswer,
                 controller::etcdopstask::SnapshotCallError>
  take_snapshot(const controller::etcdopstask::SnapshotCall& call) override;
};

}  // namespace druid::operator_
