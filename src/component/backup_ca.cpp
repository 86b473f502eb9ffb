#include "component/backup_ca.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>
#include <vector>

#include "component/statefulset_pod_names.hpp"
#include "util/base64.hpp"

namespace druid::component {
namespace {

std::optional<std::string> decoded_data(const nlohmann::json& secret, const std::string& key) {
  const auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return std::nullopt;
  const auto value = data->find(key);
  if (value == data->end() || !value->is_string()) return std::nullopt;
  return util::base64_decode(value->get<std::string>());
}

}  // namespace

util::Expected<std::string, std::string> backup_ca_pem(const nlohmann::json& secret,
                                                       const api::Etcd& etcd) {
  std::vector<std::string> keys;
  const auto& tls = etcd.spec.backup.tls;
  if (tls && tls->tls_ca_secret_ref.data_key) {
    keys.push_back(*tls->tls_ca_secret_ref.data_key);
  } else {
    keys = {kBackupCaBundleDataKey, pod::kDefaultCaDataKey};
  }
  std::vector<std::string> quoted;
  for (const auto& key : keys) {
    if (auto pem = decoded_data(secret, key)) return std::move(*pem);
    quoted.push_back(fmt::format("\"{}\"", key));
  }
  return util::unexpected(fmt::format("{}", fmt::join(quoted, " or ")));
}

}  // namespace druid::component
