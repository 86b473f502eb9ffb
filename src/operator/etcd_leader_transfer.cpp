#include "operator/etcd_leader_transfer.hpp"

#include <fmt/format.h>

#include "api/defaults.hpp"
#include "api/names.hpp"
#include "etcd/client.hpp"
#include "kube/api_error.hpp"
#include "kube/resource.hpp"
#include "util/base64.hpp"

namespace druid::operator_ {
namespace {

using controller::ondelete::LeaderTransferError;

// data[key] of the Secret, decoded.
util::Expected<std::string, std::string> secret_value(kube::Client& client, const std::string& ns,
                                                      const std::string& name,
                                                      const std::string& key) {
  auto secret = client.get(kube::resources::kSecrets, ns, name);
  if (!secret) {
    return util::unexpected(
        fmt::format("cannot read Secret {}/{}: {}", ns, name, secret.error().what()));
  }
  const nlohmann::json::json_pointer pointer("/data/" + key);
  if (!secret->contains(pointer) || !secret->at(pointer).is_string()) {
    return util::unexpected(fmt::format("Secret {}/{} has no key {}", ns, name, key));
  }
  auto decoded = util::base64_decode(secret->at(pointer).get<std::string>());
  if (!decoded) {
    return util::unexpected(fmt::format("Secret {}/{} key {} is not valid base64", ns, name, key));
  }
  return std::move(*decoded);
}

std::string describe(const etcd::Error& error) {
  switch (error.kind) {
    case etcd::ErrorKind::kEtcd:
      return fmt::format("etcd refused: {}", error.message);
    case etcd::ErrorKind::kTimeout:
      return fmt::format("no answer from {} in time: {}", error.endpoint, error.message);
    case etcd::ErrorKind::kHttp:
      return fmt::format("HTTP {} from {}: {}", error.http_status, error.endpoint, error.message);
    case etcd::ErrorKind::kDecode:
      return fmt::format("unreadable answer from {}: {}", error.endpoint, error.message);
    case etcd::ErrorKind::kTransport:
      break;
  }
  return fmt::format("cannot reach {}: {}", error.endpoint, error.message);
}

}  // namespace

std::string leader_endpoint(const api::Etcd& etcd, const std::string& pod) {
  const bool tls = etcd.spec.etcd.client_url_tls.has_value();
  return fmt::format("{}://{}.{}.{}.svc:{}", tls ? "https" : "http", pod,
                     api::peer_service_name(etcd), etcd.metadata.namespace_,
                     api::effective::client_port(etcd));
}

util::Expected<kube::TlsConfig, std::string> client_tls_material(kube::Client& client,
                                                                 const api::Etcd& etcd) {
  kube::TlsConfig tls;
  const auto& client_tls = etcd.spec.etcd.client_url_tls;
  if (!client_tls) return tls;
  const std::string& ns = etcd.metadata.namespace_;
  const auto& ca_ref = client_tls->tls_ca_secret_ref;
  auto ca = secret_value(client, ns, ca_ref.name, ca_ref.data_key.value_or("ca.crt"));
  if (!ca) return util::unexpected(ca.error());
  tls.ca_pem = std::move(*ca);
  if (!client_tls->client_tls_secret_ref) {
    return util::unexpected(std::string("spec.etcd.clientUrlTls.clientTLSSecretRef is not set"));
  }
  const std::string& name = client_tls->client_tls_secret_ref->name;
  auto cert = secret_value(client, ns, name, "tls.crt");
  if (!cert) return util::unexpected(cert.error());
  auto key = secret_value(client, ns, name, "tls.key");
  if (!key) return util::unexpected(key.error());
  tls.client_cert_pem = std::move(*cert);
  tls.client_key_pem = std::move(*key);
  return tls;
}

util::Expected<std::monostate, LeaderTransferError> EtcdLeaderTransfer::transfer(
    const controller::ondelete::LeaderTransferRequest& request) {
  auto tls = client_tls_material(client_, request.etcd);
  if (!tls) return util::unexpected(LeaderTransferError{"client TLS material: " + tls.error()});
  etcd::ClientOptions options;
  options.endpoints = {leader_endpoint(request.etcd, request.leader_pod)};
  options.tls = std::move(*tls);
  options.timeout = timeout_;
  etcd::Client etcd_client(std::move(options));
  auto moved = etcd_client.move_leader(request.target_member_id);
  if (!moved) {
    return util::unexpected(LeaderTransferError{
        fmt::format("MoveLeader to {} (member {}) failed: {}", request.target_pod,
                    etcd::id_to_hex(request.target_member_id), describe(moved.error()))});
  }
  return std::monostate{};
}

}  // namespace druid::operator_
