#include "controller/secret/referenced_secrets.hpp"

#include "util/json_access.hpp"

namespace druid::controller::secret {

std::set<std::string> referenced_secret_names(const api::Etcd& etcd) {
  std::set<std::string> names;
  auto add = [&names](const std::string& name) {
    if (!name.empty()) names.insert(name);
  };
  if (const auto& tls = etcd.spec.etcd.client_url_tls) {
    add(tls->tls_ca_secret_ref.name);
    add(tls->server_tls_secret_ref.name);
    if (tls->client_tls_secret_ref) add(tls->client_tls_secret_ref->name);
  }
  if (const auto& tls = etcd.spec.etcd.peer_url_tls) {
    add(tls->tls_ca_secret_ref.name);
    add(tls->server_tls_secret_ref.name);
  }
  if (const auto& tls = etcd.spec.backup.tls) {
    add(tls->tls_ca_secret_ref.name);
    add(tls->server_tls_secret_ref.name);
    if (tls->client_tls_secret_ref) add(tls->client_tls_secret_ref->name);
  }
  if (const auto& store = etcd.spec.backup.store; store && store->secret_ref) {
    add(store->secret_ref->name);
  }
  return names;
}

bool references_secret(const api::Etcd& etcd, std::string_view secret_name) {
  return referenced_secret_names(etcd).contains(std::string(secret_name));
}

std::vector<kube::Request> secret_requests_of(const nlohmann::json& etcd) {
  auto decoded = api::decode_etcd(etcd);
  if (!decoded) return {};
  const std::string ns = util::string_field(util::metadata_of(etcd), "namespace");
  std::vector<kube::Request> requests;
  for (const auto& name : referenced_secret_names(*decoded)) {
    requests.push_back(kube::Request{ns, name});
  }
  return requests;
}

}  // namespace druid::controller::secret
