#include "operator/backup_sidecar_client.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "kube/http_transport.hpp"

namespace druid::operator_ {

using controller::etcdopstask::SnapshotAnswer;
using controller::etcdopstask::SnapshotCallError;
using controller::etcdopstask::SnapshotCallErrorKind;

bool holds_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return false;
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  return certificate != nullptr;
}

util::Expected<SnapshotAnswer, SnapshotCallError> BackupSidecarClient::take_snapshot(
    const controller::etcdopstask::SnapshotCall& call) {
  kube::TlsConfig tls;
  if (!call.ca_pem.empty()) {
    if (!holds_certificate(call.ca_pem)) {
      return util::unexpected(
          SnapshotCallError{SnapshotCallErrorKind::kInvalidCa, "no PEM certificate could be read"});
    }
    tls.ca_pem = call.ca_pem;
  }
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(call.timeout);
  kube::HttpTransport transport(std::move(tls), timeout, "etcd-druid");
  kube::HttpRequest request;
  request.method = call.method;
  request.url = call.url;
  request.timeout = timeout;
  auto response = transport.perform(request);
  if (!response) {
    return util::unexpected(
        SnapshotCallError{SnapshotCallErrorKind::kRequest, response.error().message});
  }
  return SnapshotAnswer{response->status, std::move(response->body)};
}

}  // namespace druid::operator_
