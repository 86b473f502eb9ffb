#include "druidctl/options.hpp"

#include <fmt/format.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "api/duration.hpp"

namespace druid::druidctl {

util::Expected<std::chrono::milliseconds, std::string> parse_request_timeout(
    std::string_view text) {
  const bool digits_only =
      !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits_only) return std::chrono::milliseconds(std::stoll(std::string(text)) * 1000);
  auto parsed = api::parse_duration(text);
  if (!parsed) {
    return util::unexpected(fmt::format(R"(invalid argument "{}" for "--request-timeout" flag: {})",
                                        text, parsed.error().message()));
  }
  if (parsed->value.count() < 0) {
    return util::unexpected(
        std::string("invalid timeout value. Timeout must be a single integer "
                    "in seconds, or an integer followed by a corresponding "
                    "time unit (e.g. 1s | 2m | 3h)"));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(parsed->value);
}

util::Expected<kube::RestConfig, std::string> build_rest_config(const ConnectionFlags& flags) {
  std::optional<std::string> path;
  if (!flags.kubeconfig.empty()) path = flags.kubeconfig;
  std::optional<std::string> context;
  if (!flags.context.empty()) context = flags.context;
  auto loaded = kube::load_kubeconfig(path, context);
  kube::RestConfig config;
  if (loaded) {
    config = std::move(*loaded);
  } else if (!flags.server.empty() && flags.kubeconfig.empty() && flags.context.empty()) {
    config.source = "command-line flags";
  } else {
    return util::unexpected(loaded.error());
  }
  if (!flags.server.empty()) config.server = flags.server;
  if (!flags.token.empty()) {
    // A token on the command line replaces every credential of the kubeconfig's user but the
    // client certificate, as kubectl's --token does.
    config.bearer_token = flags.token;
    config.bearer_token_file.clear();
    config.username.clear();
    config.password.clear();
  }
  if (!flags.certificate_authority.empty()) {
    std::ifstream in(flags.certificate_authority, std::ios::binary);
    if (!in) {
      return util::unexpected(fmt::format("unable to read certificate-authority {}: no such file",
                                          flags.certificate_authority));
    }
    std::ostringstream text;
    text << in.rdbuf();
    config.ca_pem = text.str();
  }
  if (flags.insecure_skip_tls_verify) config.insecure_skip_tls_verify = true;
  if (!flags.request_timeout.empty()) {
    auto timeout = parse_request_timeout(flags.request_timeout);
    if (!timeout) return util::unexpected(timeout.error());
    if (timeout->count() > 0) config.timeout = *timeout;
  }
  if (!flags.namespace_.empty()) config.namespace_ = flags.namespace_;
  if (config.server.empty()) {
    return util::unexpected(
        std::string("no server found for cluster: set --server or a kubeconfig"));
  }
  config.user_agent = "kubectl-druid";
  return config;
}

}  // namespace druid::druidctl
