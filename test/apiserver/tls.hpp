#pragma once
// Certificates for loopback HTTPS, generated at start with OpenSSL 3: a
// self-signed CA and a server certificate it signs (ECDSA P-256, SANs for the
// given DNS names and IP addresses), all as PEM.

#include <openssl/ssl.h>

#include <string>
#include <vector>

namespace druid::testing {

struct TlsCredentials {
  std::string ca_pem;    // what clients trust (kubeconfig certificate-authority-data, caBundle)
  std::string cert_pem;  // the server certificate
  std::string key_pem;   // its private key (PKCS#8)
};

// Throws std::runtime_error if OpenSSL fails (it does not, short of memory).
TlsCredentials generate_tls_credentials(const std::vector<std::string>& dns_names,
                                        const std::vector<std::string>& ip_addresses,
                                        const std::string& common_name = "druid-dev-apiserver");

// Loads a certificate and key in PEM form into an SSL_CTX (for httplib's
// SSLServer set-up callback). False if either does not parse or they do not match.
bool use_pem_credentials(SSL_CTX& ctx, const std::string& cert_pem, const std::string& key_pem);

}  // namespace druid::testing
