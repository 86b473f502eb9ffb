#pragma once
// The CA that signed the backup sidecar's serving certificate, as the
// operator's own HTTPS clients of the sidecar (the EtcdOpsTask and compaction
// controllers) read it from the backup TLS CA Secret.

#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"
#include "util/expected.hpp"

namespace druid::component {

// Upstream's HTTP clients of the sidecar default to this key
// (internal/controller/compaction/snapshot.go,
// internal/controller/etcdopstask/handler/utils/etcdbrclient.go), while its
// StatefulSet mounts the same Secret's "ca.crt" by default
// (internal/component/statefulset/builder.go, pod::kDefaultCaDataKey).
inline constexpr const char* kBackupCaBundleDataKey = "bundle.crt";

// The PEM text of the CA in `secret` (a Secret object): data[dataKey] when
// spec.backup.tls.tlsCASecretRef.dataKey is set; otherwise data["bundle.crt"]
// as upstream reads it, or else data["ca.crt"], the key the pods trust, so a
// Secret that works for the members also works here (docs/compatibility.md).
// The error lists the quoted keys tried, e.g. `"bundle.crt" or "ca.crt"`.
util::Expected<std::string, std::string> backup_ca_pem(const nlohmann::json& secret,
                                                       const api::Etcd& etcd);

}  // namespace druid::component
