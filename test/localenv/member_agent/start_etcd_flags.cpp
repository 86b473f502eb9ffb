#include "localenv/member_agent/start_etcd_flags.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "api/duration.hpp"

namespace druid::localenv::wrapper {
namespace {

std::optional<int> parse_port(const std::string& text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parse_bool(const std::string& text) {
  // Go's strconv.ParseBool, as the wrapper's flag library reads booleans.
  if (text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" ||
      text == "False") {
    return false;
  }
  return std::nullopt;
}

}  // namespace

util::Expected<StartEtcdFlags, std::string> parse_start_etcd_flags(
    const std::vector<std::string>& args) {
  StartEtcdFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      flags.unknown.push_back(arg);
      continue;
    }
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::optional<std::string> inline_value;
    if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
    // The value of a flag that needs one: inline, or the next argument.
    const auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) return args[++i];
      return std::nullopt;
    };
    const auto missing = [&] { return fmt::format("flag --{} needs a value", name); };

    if (name == "backup-restore-tls-enabled") {
      const auto text = inline_value.value_or("true");
      const auto parsed = parse_bool(text);
      if (!parsed)
        return util::unexpected(fmt::format("invalid boolean \"{}\" for --{}", text, name));
      flags.backup_restore_tls_enabled = *parsed;
    } else if (name == "etcd-client-port" || name == "etcd-wrapper-port") {
      const auto text = value();
      if (!text) return util::unexpected(missing());
      const auto port = parse_port(*text);
      if (!port) return util::unexpected(fmt::format("invalid port \"{}\" for --{}", *text, name));
      (name == "etcd-client-port" ? flags.etcd_client_port : flags.etcd_wrapper_port) = *port;
    } else if (name == "etcd-ready-timeout") {
      const auto text = value();
      if (!text) return util::unexpected(missing());
      const auto parsed = api::parse_duration(*text);
      if (!parsed) {
        return util::unexpected(fmt::format("invalid duration \"{}\" for --{}", *text, name));
      }
      flags.etcd_ready_timeout =
          std::chrono::duration_cast<std::chrono::milliseconds>(parsed->value);
    } else if (name == "backup-restore-host-port" || name == "backup-restore-ca-cert-bundle-path" ||
               name == "etcd-server-name" || name == "etcd-client-cert-path" ||
               name == "etcd-client-key-path") {
      const auto text = value();
      if (!text) return util::unexpected(missing());
      if (name == "backup-restore-host-port") {
        if (text->find("://") != std::string::npos) {
          return util::unexpected(fmt::format(
              "--backup-restore-host-port must be host:port without a scheme, got \"{}\"", *text));
        }
        flags.backup_restore_host_port = *text;
      } else if (name == "backup-restore-ca-cert-bundle-path") {
        flags.backup_restore_ca_cert_bundle_path = *text;
      } else if (name == "etcd-server-name") {
        flags.etcd_server_name = *text;
      } else if (name == "etcd-client-cert-path") {
        flags.etcd_client_cert_path = *text;
      } else {
        flags.etcd_client_key_path = *text;
      }
    } else {
      flags.unknown.push_back(arg);
    }
  }
  if (flags.backup_restore_tls_enabled && flags.backup_restore_ca_cert_bundle_path.empty()) {
    return util::unexpected(std::string(
        "--backup-restore-ca-cert-bundle-path is required when --backup-restore-tls-enabled=true"));
  }
  return flags;
}

}  // namespace druid::localenv::wrapper
