#pragma once
// Etcd objects for component and controller tests: a base Etcd and the
// variants upstream's internal/component/statefulset/builder.go and
// internal/component/configmap/etcdconfig.go distinguish (docs/components.md).
// Everything is deterministic (fixed UID, times) so golden files are stable.

#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"

namespace druid::test {

inline constexpr const char* kTestNamespace = "shoot--dev--test";
inline constexpr const char* kTestEtcdName = "etcd-main";
inline constexpr const char* kTestEtcdUid = "6d3e8f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6";

// A 3-member Etcd without TLS or backup store, as JSON (what kubectl applies).
inline nlohmann::json base_etcd_json(int replicas = 3) {
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "Etcd"},
          {"metadata",
           {{"name", kTestEtcdName},
            {"namespace", kTestNamespace},
            {"uid", kTestEtcdUid},
            {"generation", 1},
            {"labels", {{"app", "etcd-statefulset"}, {"role", "main"}}}}},
          {"spec",
           {{"replicas", replicas},
            {"labels", {{"app", "etcd-statefulset"}, {"role", "main"}}},
            {"etcd", nlohmann::json::object()},
            {"backup", nlohmann::json::object()}}}};
}

// Client, peer and backup-restore TLS (the e2e secret names of upstream's test/utils/constants.go).
inline void add_client_tls(nlohmann::json& etcd) {
  etcd["spec"]["etcd"]["clientUrlTls"] = {
      {"tlsCASecretRef", {{"name", "client-url-ca-etcd"}, {"dataKey", "bundle.crt"}}},
      {"serverTLSSecretRef", {{"name", "client-url-etcd-server-tls"}}},
      {"clientTLSSecretRef", {{"name", "client-url-etcd-client-tls"}}}};
}
inline void add_peer_tls(nlohmann::json& etcd) {
  etcd["spec"]["etcd"]["peerUrlTls"] = {
      {"tlsCASecretRef", {{"name", "peer-url-ca-etcd"}, {"dataKey", "bundle.crt"}}},
      {"serverTLSSecretRef", {{"name", "peer-url-etcd-server-tls"}}}};
}
inline void add_backup_tls(nlohmann::json& etcd) {
  etcd["spec"]["backup"]["tls"] = {
      {"tlsCASecretRef", {{"name", "ca-etcdbr"}, {"dataKey", "bundle.crt"}}},
      {"serverTLSSecretRef", {{"name", "etcdbr-server-tls"}}},
      {"clientTLSSecretRef", {{"name", "etcdbr-client-tls"}}}};
}
inline void add_all_tls(nlohmann::json& etcd) {
  add_client_tls(etcd);
  add_peer_tls(etcd);
  add_backup_tls(etcd);
}

// A backup store of `provider` ("Local", "aws", "S3", "gcp", "ECS", ...).
inline void add_store(nlohmann::json& etcd, const std::string& provider = "aws",
                      bool with_secret = true) {
  nlohmann::json store = {{"provider", provider},
                          {"prefix", std::string(kTestNamespace) + "--etcd-main"},
                          {"container", "etcd-bucket"}};
  if (with_secret) store["secretRef"] = {{"name", "etcd-backup"}};
  etcd["spec"]["backup"]["store"] = store;
}

inline api::Etcd decode(const nlohmann::json& etcd) {
  auto decoded = api::decode_etcd(etcd);
  if (!decoded) throw std::runtime_error("test Etcd does not decode");
  return *decoded;
}

}  // namespace druid::test
