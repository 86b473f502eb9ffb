#include "kube/rest_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "util/base64.hpp"
#include "util/text.hpp"
#include "util/yaml.hpp"

namespace druid::kube {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using util::unexpected;

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || value[0] == '\0') return std::nullopt;
  return std::string(value);
}

util::Expected<std::string, std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return unexpected(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return unexpected(fmt::format("cannot read {}", path.string()));
  return out.str();
}

util::Expected<std::string, std::string> base64_decode(std::string_view text) {
  auto decoded = util::base64_decode(text);
  if (!decoded) return unexpected(std::string("illegal base64 data"));
  return std::move(*decoded);
}

// kubeconfig scalars as text, whatever type YAML gave them (a token may look like a number).
std::string text(const json& node, const char* key) {
  if (!node.is_object()) return {};
  auto it = node.find(key);
  if (it == node.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool flag(const json& node, const char* key) {
  if (!node.is_object()) return false;
  auto it = node.find(key);
  if (it == node.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && it->get<std::string>() == "true";
}

fs::path resolve(const fs::path& base_dir, const std::string& file) {
  fs::path p(file);
  return p.is_relative() ? base_dir / p : p;
}

// Reads "<key>-data" (base64) or "<key>" (a file) of a cluster/user entry.
util::Expected<std::string, std::string> data_or_file(const json& node, const std::string& key,
                                                      const fs::path& base_dir,
                                                      const std::string& where) {
  std::string data = text(node, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = base64_decode(data);
    if (!decoded) return unexpected(fmt::format("{}: {}-data: {}", where, key, decoded.error()));
    return std::move(decoded).value();
  }
  std::string file = text(node, key.c_str());
  if (file.empty()) return std::string();
  auto content = read_file(resolve(base_dir, file));
  if (!content) return unexpected(fmt::format("{}: {}: {}", where, key, content.error()));
  return std::move(content).value();
}

struct Found {
  std::vector<fs::path> paths;     // empty: none found
  std::vector<std::string> tried;  // "<place>: <why not>"
};

// explicit → $KUBECONFIG (every existing entry, merged) → ~/.kube/config. An
// explicit path is used even when it does not exist, so the read error names it.
// Like client-go's ClientConfigLoadingRules (k8s.io/client-go/tools/clientcmd/
// loader.go), the list is deduplicated and entries that do not exist are skipped.
Found find_kubeconfig(const std::optional<std::string>& explicit_path) {
  Found found;
  if (explicit_path && !explicit_path->empty()) {
    found.paths.emplace_back(*explicit_path);
    return found;
  }
  if (auto list = env("KUBECONFIG")) {
    std::vector<std::string> seen;
    for (std::string_view entry : util::split(*list, ':')) {
      if (entry.empty()) continue;
      std::string name(entry);
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      std::error_code ec;
      if (fs::is_regular_file(name, ec)) found.paths.emplace_back(name);
    }
    if (!found.paths.empty()) return found;
    found.tried.push_back(fmt::format("$KUBECONFIG ({}): no such file", *list));
  } else {
    found.tried.push_back("$KUBECONFIG: not set");
  }
  if (auto home = env("HOME")) {
    fs::path candidate = fs::path(*home) / ".kube" / "config";
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) {
      found.paths.push_back(candidate);
      return found;
    }
    found.tried.push_back(fmt::format("{}: no such file", candidate.string()));
  } else {
    found.tried.push_back("~/.kube/config: $HOME not set");
  }
  return found;
}

// One parsed kubeconfig file.
struct KubeconfigFile {
  json config;
  fs::path base_dir;   // resolves its relative paths
  std::string origin;  // its name in messages
};

// A named entry of a kubeconfig list ("clusters", "users", "contexts"): its
// `field` ("cluster", "user", "context") object and the file that defined it.
struct NamedEntry {
  std::string name;
  json value;
  const KubeconfigFile* file = nullptr;
};

// Several kubeconfig files seen as one, merged as client-go's
// ClientConfigLoadingRules.Load does (k8s.io/client-go/tools/clientcmd/loader.go):
// the first file to set a map entry (cluster, user, context by name) or the
// current-context wins; later files only add what is still missing.
class MergedKubeconfig {
 public:
  explicit MergedKubeconfig(const std::vector<KubeconfigFile>& files) {
    for (const auto& file : files) {
      if (current_context_.empty()) current_context_ = text(file.config, "current-context");
      add(file, "clusters", "cluster", clusters_);
      add(file, "users", "user", users_);
      add(file, "contexts", "context", contexts_);
      if (!origin_.empty()) origin_ += ':';
      origin_ += file.origin;
    }
  }

  const std::string& current_context() const { return current_context_; }
  const std::string& origin() const { return origin_; }
  const NamedEntry* cluster(const std::string& name) const { return find(clusters_, name); }
  const NamedEntry* user(const std::string& name) const { return find(users_, name); }
  const NamedEntry* context(const std::string& name) const { return find(contexts_, name); }
  std::string cluster_names() const { return names(clusters_); }
  std::string user_names() const { return names(users_); }
  std::string context_names() const { return names(contexts_); }

 private:
  static void add(const KubeconfigFile& file, const char* list, const char* field,
                  std::vector<NamedEntry>& into) {
    auto it = file.config.find(list);
    if (it == file.config.end() || !it->is_array()) return;
    for (const auto& entry : *it) {
      if (!entry.is_object()) continue;
      std::string name = text(entry, "name");
      if (find(into, name) != nullptr) continue;
      auto f = entry.find(field);
      into.push_back(
          NamedEntry{name, f != entry.end() && f->is_object() ? *f : json::object(), &file});
    }
  }
  static const NamedEntry* find(const std::vector<NamedEntry>& entries, const std::string& name) {
    for (const auto& entry : entries)
      if (entry.name == name) return &entry;
    return nullptr;
  }
  static std::string names(const std::vector<NamedEntry>& entries) {
    std::string out;
    for (const auto& entry : entries) out += (out.empty() ? "" : ", ") + entry.name;
    return out.empty() ? "none" : out;
  }

  std::vector<NamedEntry> clusters_, users_, contexts_;
  std::string current_context_;
  std::string origin_;
};

util::Expected<KubeconfigFile, std::string> parse_file(std::string_view yaml, fs::path base_dir,
                                                       std::string origin) {
  auto parsed = util::parse_yaml(yaml);
  if (!parsed)
    return unexpected(fmt::format("kubeconfig {}: {}", origin, parsed.error().message()));
  if (parsed->is_null()) *parsed = json::object();  // an empty file adds nothing
  if (!parsed->is_object())
    return unexpected(
        fmt::format("kubeconfig {}: not a kubeconfig (expected a mapping at the top)", origin));
  return KubeconfigFile{std::move(*parsed), std::move(base_dir), std::move(origin)};
}

util::Expected<KubeconfigFile, std::string> read_kubeconfig_file(const fs::path& path) {
  auto content = read_file(path);
  if (!content) return unexpected(fmt::format("kubeconfig: {}", content.error()));
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  return parse_file(*content, dir, path.string());
}

// users[].user.exec (client.authentication.k8s.io ExecConfig), checked as
// client-go's clientcmd validation (validation.go, validateAuthInfo) and exec
// authenticator (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go) check it.
util::Expected<ExecConfig, std::string> parse_exec(const json& node, const fs::path& base_dir,
                                                   const std::string& user_where) {
  const std::string where = user_where + ": exec";
  if (!node.is_object()) return unexpected(fmt::format("{}: must be a mapping", where));
  ExecConfig exec;
  exec.origin = user_where;
  exec.api_version = text(node, "apiVersion");
  if (exec.api_version.empty())
    return unexpected(
        fmt::format("{}: apiVersion must be specified (client.authentication.k8s.io/"
                    "v1 or client.authentication.k8s.io/v1beta1)",
                    where));
  if (exec.api_version != "client.authentication.k8s.io/v1" &&
      exec.api_version != "client.authentication.k8s.io/v1beta1")
    return unexpected(
        fmt::format("{}: unsupported apiVersion \"{}\" (supported: "
                    "client.authentication.k8s.io/v1, "
                    "client.authentication.k8s.io/v1beta1)",
                    where, exec.api_version));
  exec.command = text(node, "command");
  if (exec.command.empty()) return unexpected(fmt::format("{}: command must be specified", where));
  // Only a command with a path separator is a file reference (GetAuthInfoFileReferences
  // in loader.go); a bare name is looked up in $PATH when it runs.
  if (exec.command.find('/') != std::string::npos)
    exec.command = resolve(base_dir, exec.command).string();

  if (auto args = node.find("args"); args != node.end() && !args->is_null()) {
    if (!args->is_array()) return unexpected(fmt::format("{}: args must be a list", where));
    for (const auto& arg : *args)
      exec.args.push_back(arg.is_string() ? arg.get<std::string>() : arg.dump());
  }
  if (auto vars = node.find("env"); vars != node.end() && !vars->is_null()) {
    if (!vars->is_array())
      return unexpected(fmt::format("{}: env must be a list of name/value pairs", where));
    for (std::size_t i = 0; i < vars->size(); ++i) {
      const json& var = (*vars)[i];
      std::string name = text(var, "name");
      if (name.empty())
        return unexpected(fmt::format("{}: env[{}]: name must be specified", where, i));
      if (name.find('=') != std::string::npos)
        return unexpected(
            fmt::format("{}: env[{}]: name \"{}\" must not contain '='", where, i, name));
      exec.env.emplace_back(std::move(name), text(var, "value"));
    }
  }
  exec.interactive_mode = text(node, "interactiveMode");
  // clientcmd's v1 defaulting (SetDefaults_ExecConfig): v1beta1 plugins default
  // to IfAvailable; v1 ones must say.
  if (exec.interactive_mode.empty() && exec.api_version.ends_with("/v1beta1"))
    exec.interactive_mode = "IfAvailable";
  if (exec.interactive_mode.empty())
    return unexpected(
        fmt::format("{}: interactiveMode must be specified for {} (Never, IfAvailable or Always)",
                    where, exec.api_version));
  if (exec.interactive_mode == "Always")
    return unexpected(fmt::format(
        "{}: interactiveMode Always needs a terminal on standard input, which this program "
        "never gives a credential plugin; use IfAvailable or Never if the plugin can work "
        "without one",
        where));
  if (exec.interactive_mode != "Never" && exec.interactive_mode != "IfAvailable")
    return unexpected(
        fmt::format("{}: invalid interactiveMode \"{}\" (Never, IfAvailable or Always)", where,
                    exec.interactive_mode));
  exec.provide_cluster_info = flag(node, "provideClusterInfo");
  exec.install_hint = text(node, "installHint");
  return exec;
}

util::Expected<RestConfig, std::string> resolve_context(const MergedKubeconfig& merged,
                                                        std::optional<std::string> context) {
  const std::string where = fmt::format("kubeconfig {}", merged.origin());
  std::string context_name = context.value_or(merged.current_context());
  if (context_name.empty())
    return unexpected(fmt::format("{}: current-context is not set (contexts: {})", where,
                                  merged.context_names()));
  const NamedEntry* ctx_entry = merged.context(context_name);
  if (ctx_entry == nullptr)
    return unexpected(fmt::format("{}: context \"{}\" not found (contexts: {})", where,
                                  context_name, merged.context_names()));
  const json& ctx = ctx_entry->value;

  std::string cluster_name = text(ctx, "cluster");
  const NamedEntry* cluster_entry = merged.cluster(cluster_name);
  if (cluster_entry == nullptr)
    return unexpected(fmt::format(R"({}: cluster "{}" of context "{}" not found (clusters: {}))",
                                  where, cluster_name, context_name, merged.cluster_names()));
  std::string user_name = text(ctx, "user");
  const NamedEntry* user_entry = nullptr;
  if (!user_name.empty()) {
    user_entry = merged.user(user_name);
    if (user_entry == nullptr)
      return unexpected(fmt::format(R"({}: user "{}" of context "{}" not found (users: {}))", where,
                                    user_name, context_name, merged.user_names()));
  }
  static const json kNoUser = json::object();  // anonymous
  const json& user = user_entry != nullptr ? user_entry->value : kNoUser;
  const json& cluster = cluster_entry->value;
  // Each entry's files are relative to the kubeconfig that defined it.
  const fs::path& cluster_dir = cluster_entry->file->base_dir;
  const fs::path user_dir = user_entry != nullptr ? user_entry->file->base_dir : fs::path(".");

  RestConfig rc;
  rc.source = where + " (context " + context_name + ")";
  const std::string cluster_where =
      fmt::format("kubeconfig {}: cluster \"{}\"", cluster_entry->file->origin, cluster_name);
  const std::string user_where =
      fmt::format("kubeconfig {}: user \"{}\"",
                  user_entry != nullptr ? user_entry->file->origin : merged.origin(), user_name);

  rc.server = text(cluster, "server");
  if (rc.server.empty()) return unexpected(fmt::format("{}: server is not set", cluster_where));
  while (rc.server.size() > 1 && rc.server.back() == '/') rc.server.pop_back();
  rc.insecure_skip_tls_verify = flag(cluster, "insecure-skip-tls-verify");
  auto ca = data_or_file(cluster, "certificate-authority", cluster_dir, cluster_where);
  if (!ca) return unexpected(ca.error());
  rc.ca_pem = std::move(ca).value();
  if (text(cluster, "certificate-authority-data").empty() &&
      !text(cluster, "certificate-authority").empty()) {
    rc.ca_file = resolve(cluster_dir, text(cluster, "certificate-authority")).string();
  }

  if (user.contains("auth-provider"))
    return unexpected(
        fmt::format("{}: auth-provider credential plugins are not supported; use an exec plugin, "
                    "a token, tokenFile or client certificate",
                    user_where));
  if (auto exec = user.find("exec"); exec != user.end() && !exec->is_null()) {
    auto parsed = parse_exec(*exec, user_dir, user_where);
    if (!parsed) return unexpected(parsed.error());
    rc.exec = std::move(parsed).value();
  }
  auto cert = data_or_file(user, "client-certificate", user_dir, user_where);
  if (!cert) return unexpected(cert.error());
  auto key = data_or_file(user, "client-key", user_dir, user_where);
  if (!key) return unexpected(key.error());
  rc.client_cert_pem = std::move(cert).value();
  rc.client_key_pem = std::move(key).value();
  if (rc.client_cert_pem.empty() != rc.client_key_pem.empty())
    return unexpected(
        fmt::format("{}: client-certificate and client-key must be given together", user_where));
  rc.bearer_token = text(user, "token");
  if (std::string token_file = text(user, "tokenFile"); !token_file.empty()) {
    fs::path p = resolve(user_dir, token_file);
    auto token = read_file(p);
    if (!token) return unexpected(fmt::format("{}: tokenFile: {}", user_where, token.error()));
    rc.bearer_token_file = p.string();
  }
  rc.username = text(user, "username");
  rc.password = text(user, "password");

  if (std::string ns = text(ctx, "namespace"); !ns.empty()) rc.namespace_ = ns;
  return rc;
}

util::Expected<RestConfig, std::string> load_kubeconfig_files(const std::vector<fs::path>& paths,
                                                              std::optional<std::string> context) {
  std::vector<KubeconfigFile> files;
  files.reserve(paths.size());
  for (const auto& path : paths) {
    auto file = read_kubeconfig_file(path);
    if (!file) return unexpected(file.error());
    files.push_back(std::move(file).value());
  }
  return resolve_context(MergedKubeconfig(files), std::move(context));
}

}  // namespace

util::Expected<RestConfig, std::string> parse_kubeconfig(std::string_view yaml,
                                                         const fs::path& base_dir,
                                                         std::string_view origin,
                                                         std::optional<std::string> context) {
  auto file = parse_file(yaml, base_dir, std::string(origin));
  if (!file) return unexpected(file.error());
  std::vector<KubeconfigFile> files;
  files.push_back(std::move(file).value());
  return resolve_context(MergedKubeconfig(files), std::move(context));
}

util::Expected<RestConfig, std::string> load_kubeconfig(std::optional<std::string> explicit_path,
                                                        std::optional<std::string> context) {
  Found found = find_kubeconfig(explicit_path);
  if (found.paths.empty()) {
    std::string tried;
    for (const auto& t : found.tried) tried += "; " + t;
    return unexpected(fmt::format("no kubeconfig found (tried {})", tried.substr(2)));
  }
  return load_kubeconfig_files(found.paths, std::move(context));
}

util::Expected<RestConfig, std::string> load_in_cluster_config(
    const fs::path& service_account_dir) {
  auto host = env("KUBERNETES_SERVICE_HOST");
  auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || !port)
    return unexpected(std::string(
        "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (not "
        "running in a pod?)"));
  fs::path token_path = service_account_dir / "token";
  auto token = read_file(token_path);
  if (!token)
    return unexpected(fmt::format("in-cluster: service account token: {}", token.error()));

  RestConfig rc;
  rc.source = "in-cluster";
  // An IPv6 service address needs brackets in a URL.
  std::string h = host->find(':') != std::string::npos ? "[" + *host + "]" : *host;
  rc.server = fmt::format("https://{}:{}", h, *port);
  rc.bearer_token_file = token_path.string();
  auto ca = read_file(service_account_dir / "ca.crt");
  if (!ca) return unexpected(fmt::format("in-cluster: CA: {}", ca.error()));
  rc.ca_pem = std::move(ca).value();
  rc.ca_file = (service_account_dir / "ca.crt").string();
  if (auto ns = read_file(service_account_dir / "namespace")) {
    std::string value = *ns;
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    if (!value.empty()) rc.namespace_ = value;
  }
  return rc;
}

util::Expected<RestConfig, std::string> load_rest_config(std::optional<std::string> kubeconfig,
                                                         const fs::path& service_account_dir) {
  Found found = find_kubeconfig(kubeconfig);
  // A kubeconfig that exists but is broken is reported as such, not papered
  // over by falling back to in-cluster.
  if (!found.paths.empty()) return load_kubeconfig_files(found.paths, std::nullopt);
  auto in_cluster = load_in_cluster_config(service_account_dir);
  if (in_cluster) return in_cluster;
  std::string tried;
  for (const auto& t : found.tried) tried += "; " + t;
  return unexpected(
      fmt::format("no Kubernetes configuration found: pass --kubeconfig, set $KUBECONFIG, create "
                  "~/.kube/config or run in a pod (tried {}; {})",
                  tried.substr(2), in_cluster.error()));
}

}  // namespace druid::kube
