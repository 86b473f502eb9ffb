#include "localenv/member_agent/backup_server_flags.hpp"

#include <charconv>
#include <functional>
#include <map>
#include <optional>

#include "api/duration.hpp"

namespace druid::localenv::backup {
namespace {

enum class Kind { kBool, kValue };

struct FlagSpec {
  Kind kind;
  // Stores the value; returns an error text (without the flag name) or "".
  std::function<std::string(BackupServerFlags&, const std::string&)> apply;
};

std::string set_bool(bool& target, const std::string& value) {
  if (value == "true" || value == "1" || value == "t" || value == "T" || value == "TRUE" ||
      value == "True") {
    target = true;
  } else if (value == "false" || value == "0" || value == "f" || value == "F" || value == "FALSE" ||
             value == "False") {
    target = false;
  } else {
    return "not a boolean";
  }
  return "";
}

template <class Int>
std::string set_int(Int& target, const std::string& value) {
  Int parsed{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size()) return "not an integer";
  target = parsed;
  return "";
}

std::string set_duration(std::chrono::nanoseconds& target, const std::string& value) {
  auto parsed = api::parse_duration(value);
  if (!parsed) return parsed.error().message();
  target = parsed->value;
  return "";
}

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    const auto item =
        value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

#define DRUID_STRING_FLAG(member)                                  \
  FlagSpec {                                                       \
    Kind::kValue, [](BackupServerFlags& f, const std::string& v) { \
      f.member = v;                                                \
      return std::string();                                        \
    }                                                              \
  }
#define DRUID_BOOL_FLAG(member)                                                                   \
  FlagSpec {                                                                                      \
    Kind::kBool, [](BackupServerFlags& f, const std::string& v) { return set_bool(f.member, v); } \
  }
#define DRUID_DURATION_FLAG(member)                                                          \
  FlagSpec {                                                                                 \
    Kind::kValue,                                                                            \
        [](BackupServerFlags& f, const std::string& v) { return set_duration(f.member, v); } \
  }

const std::map<std::string, FlagSpec>& known_flags() {
  static const std::map<std::string, FlagSpec> flags = [] {
    std::map<std::string, FlagSpec> m;
    m.emplace("server-port",
              FlagSpec{Kind::kValue, [](BackupServerFlags& f, const std::string& v) {
                         auto error = set_int(f.server_port, v);
                         if (error.empty() && (f.server_port < 0 || f.server_port > 65535)) {
                           return std::string("not a port number");
                         }
                         return error;
                       }});
    m.emplace("server-cert", DRUID_STRING_FLAG(server_cert));
    m.emplace("server-key", DRUID_STRING_FLAG(server_key));
    m.emplace("endpoints", FlagSpec{Kind::kValue, [](BackupServerFlags& f, const std::string& v) {
                                      f.endpoints = split_list(v);
                                      return f.endpoints.empty() ? std::string("empty list")
                                                                 : std::string();
                                    }});
    m.emplace("service-endpoints",
              FlagSpec{Kind::kValue, [](BackupServerFlags& f, const std::string& v) {
                         f.service_endpoints = split_list(v);
                         return std::string();
                       }});
    m.emplace("cacert", DRUID_STRING_FLAG(cacert));
    m.emplace("cert", DRUID_STRING_FLAG(cert));
    m.emplace("key", DRUID_STRING_FLAG(key));
    m.emplace("insecure-transport", DRUID_BOOL_FLAG(insecure_transport));
    m.emplace("insecure-skip-tls-verify", DRUID_BOOL_FLAG(insecure_skip_tls_verify));
    m.emplace("data-dir", DRUID_STRING_FLAG(data_dir));
    m.emplace("embedded-etcd-quota-bytes",
              FlagSpec{Kind::kValue, [](BackupServerFlags& f, const std::string& v) {
                         return set_int(f.embedded_etcd_quota_bytes, v);
                       }});
    m.emplace("auto-compaction-mode", DRUID_STRING_FLAG(auto_compaction_mode));
    m.emplace("auto-compaction-retention", DRUID_STRING_FLAG(auto_compaction_retention));
    m.emplace("enable-member-lease-renewal", DRUID_BOOL_FLAG(enable_member_lease_renewal));
    m.emplace("k8s-heartbeat-duration", DRUID_DURATION_FLAG(k8s_heartbeat_duration));
    m.emplace("enable-snapshot-lease-renewal", DRUID_BOOL_FLAG(enable_snapshot_lease_renewal));
    m.emplace("full-snapshot-lease-name", DRUID_STRING_FLAG(full_snapshot_lease_name));
    m.emplace("delta-snapshot-lease-name", DRUID_STRING_FLAG(delta_snapshot_lease_name));
    m.emplace("storage-provider", DRUID_STRING_FLAG(storage_provider));
    m.emplace("store-prefix", DRUID_STRING_FLAG(store_prefix));
    m.emplace("store-container", DRUID_STRING_FLAG(store_container));
    m.emplace("schedule", DRUID_STRING_FLAG(schedule));
    m.emplace("delta-snapshot-period", DRUID_DURATION_FLAG(delta_snapshot_period));
    m.emplace("compress-snapshots", DRUID_BOOL_FLAG(compress_snapshots));
    m.emplace("compression-policy",
              FlagSpec{Kind::kValue, [](BackupServerFlags& f, const std::string& v) {
                         if (v != "gzip" && v != "lzw" && v != "zlib") {
                           return std::string("supported values are gzip, lzw, zlib");
                         }
                         f.compression_policy = v;
                         return std::string();
                       }});
    m.emplace("etcd-snapshot-timeout", DRUID_DURATION_FLAG(etcd_snapshot_timeout));

    // Flags of the real sidecar that have no effect in this stand-in: the
    // defragmentor, garbage collection, profiling, memory limits, temp dirs and
    // connection timeouts of features it does not have.
    const auto ignore_value = FlagSpec{
        Kind::kValue, [](BackupServerFlags&, const std::string&) { return std::string(); }};
    const auto ignore_bool = FlagSpec{Kind::kBool, [](BackupServerFlags&, const std::string& v) {
                                        bool unused = false;
                                        return set_bool(unused, v);
                                      }};
    for (const char* name : {"etcd-defrag-timeout",
                             "restoration-temp-snapshots-dir",
                             "snapstore-temp-directory",
                             "etcd-connection-timeout",
                             "delta-snapshot-memory-limit",
                             "garbage-collection-policy",
                             "max-backups",
                             "garbage-collection-period",
                             "delta-snapshot-retention-period",
                             "store-endpoint-override",
                             "defragmentation-schedule",
                             "etcd-connection-timeout-leader-election",
                             "reelection-period",
                             "log-level",
                             "config-file",
                             "max-parallel-chunk-uploads",
                             "min-chunk-size",
                             "max-fetchers",
                             "max-call-send-message-size",
                             "max-request-bytes",
                             "max-txn-ops"}) {
      m.emplace(name, ignore_value);
    }
    for (const char* name : {"use-etcd-wrapper", "enable-profiling", "skip-hash-check"}) {
      m.emplace(name, ignore_bool);
    }
    return m;
  }();
  return flags;
}

#undef DRUID_STRING_FLAG
#undef DRUID_BOOL_FLAG
#undef DRUID_DURATION_FLAG

}  // namespace

util::Expected<BackupServerFlags, std::string> parse_backup_server_flags(
    const std::vector<std::string>& args) {
  BackupServerFlags flags;
  const auto& specs = known_flags();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      flags.warnings.push_back("ignoring positional argument \"" + arg + "\"");
      continue;
    }
    const std::size_t dashes = arg.rfind("--", 0) == 0 ? 2 : 1;
    std::string name = arg.substr(dashes);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const auto spec = specs.find(name);
    if (spec == specs.end()) {
      // An unknown flag's value cannot be told from the next flag unless it
      // was attached with '='; a following non-flag word is taken as its value.
      if (!value && i + 1 < args.size() && !args[i + 1].starts_with("-")) ++i;
      flags.warnings.push_back("ignoring unknown flag --" + name);
      continue;
    }
    if (!value) {
      if (spec->second.kind == Kind::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return util::unexpected("flag needs an argument: --" + name);
      }
    }
    if (auto error = spec->second.apply(flags, *value); !error.empty()) {
      return util::unexpected("invalid value \"" + *value + "\" for flag --" + name + ": " + error);
    }
  }
  return flags;
}

}  // namespace druid::localenv::backup
