#include "kube/rest_config.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "util/base64.hpp"
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

// The entry named `name` of a kubeconfig list ("clusters", "users", "contexts"),
// i.e. its `field` ("cluster", "user", "context") object.
const json* find_named(const json& config, const char* list, const char* field,
                       const std::string& name) {
  auto it = config.find(list);
  if (it == config.end() || !it->is_array()) return nullptr;
  for (const auto& entry : *it) {
    if (entry.is_object() && text(entry, "name") == name) {
      auto f = entry.find(field);
      static const json kEmpty = json::object();
      return f != entry.end() && f->is_object() ? &*f : &kEmpty;
    }
  }
  return nullptr;
}

std::string names_of(const json& config, const char* list) {
  std::string out;
  auto it = config.find(list);
  if (it != config.end() && it->is_array()) {
    for (const auto& entry : *it) {
      if (!out.empty()) out += ", ";
      out += text(entry, "name");
    }
  }
  return out.empty() ? "none" : out;
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
  std::optional<fs::path> path;
  std::vector<std::string> tried;  // "<place>: <why not>"
};

// explicit → $KUBECONFIG (first existing entry) → ~/.kube/config. An explicit
// path is used even when it does not exist, so the read error names it.
Found find_kubeconfig(const std::optional<std::string>& explicit_path) {
  Found found;
  if (explicit_path && !explicit_path->empty()) {
    found.path = *explicit_path;
    return found;
  }
  if (auto list = env("KUBECONFIG")) {
    std::stringstream entries(*list);
    std::string entry;
    while (std::getline(entries, entry, ':')) {
      if (entry.empty()) continue;
      std::error_code ec;
      if (fs::is_regular_file(entry, ec)) {
        found.path = entry;
        return found;
      }
    }
    found.tried.push_back(fmt::format("$KUBECONFIG ({}): no such file", *list));
  } else {
    found.tried.push_back("$KUBECONFIG: not set");
  }
  if (auto home = env("HOME")) {
    fs::path candidate = fs::path(*home) / ".kube" / "config";
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) {
      found.path = candidate;
      return found;
    }
    found.tried.push_back(fmt::format("{}: no such file", candidate.string()));
  } else {
    found.tried.push_back("~/.kube/config: $HOME not set");
  }
  return found;
}

util::Expected<RestConfig, std::string> load_kubeconfig_file(const fs::path& path,
                                                             std::optional<std::string> context) {
  auto content = read_file(path);
  if (!content) return unexpected(fmt::format("kubeconfig: {}", content.error()));
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  return parse_kubeconfig(*content, dir, path.string(), std::move(context));
}

}  // namespace

util::Expected<RestConfig, std::string> parse_kubeconfig(std::string_view yaml,
                                                         const fs::path& base_dir,
                                                         std::string_view origin,
                                                         std::optional<std::string> context) {
  const std::string where = fmt::format("kubeconfig {}", origin);
  auto parsed = util::parse_yaml(yaml);
  if (!parsed) return unexpected(fmt::format("{}: {}", where, parsed.error().message()));
  const json& config = *parsed;
  if (!config.is_object())
    return unexpected(fmt::format("{}: not a kubeconfig (expected a mapping at the top)", where));

  std::string context_name = context.value_or(text(config, "current-context"));
  if (context_name.empty())
    return unexpected(fmt::format("{}: current-context is not set (contexts: {})", where,
                                  names_of(config, "contexts")));
  const json* ctx = find_named(config, "contexts", "context", context_name);
  if (ctx == nullptr)
    return unexpected(fmt::format("{}: context \"{}\" not found (contexts: {})", where,
                                  context_name, names_of(config, "contexts")));

  std::string cluster_name = text(*ctx, "cluster");
  const json* cluster = find_named(config, "clusters", "cluster", cluster_name);
  if (cluster == nullptr)
    return unexpected(fmt::format("{}: cluster \"{}\" of context \"{}\" not found (clusters: {})",
                                  where, cluster_name, context_name, names_of(config, "clusters")));
  std::string user_name = text(*ctx, "user");
  const json* user = nullptr;
  static const json kNoUser = json::object();
  if (user_name.empty()) {
    user = &kNoUser;  // anonymous
  } else if (user = find_named(config, "users", "user", user_name); user == nullptr) {
    return unexpected(fmt::format("{}: user \"{}\" of context \"{}\" not found (users: {})", where,
                                  user_name, context_name, names_of(config, "users")));
  }

  RestConfig rc;
  rc.source = where + " (context " + context_name + ")";
  const std::string cluster_where = fmt::format("{}: cluster \"{}\"", where, cluster_name);
  const std::string user_where = fmt::format("{}: user \"{}\"", where, user_name);

  rc.server = text(*cluster, "server");
  if (rc.server.empty()) return unexpected(fmt::format("{}: server is not set", cluster_where));
  while (rc.server.size() > 1 && rc.server.back() == '/') rc.server.pop_back();
  rc.insecure_skip_tls_verify = flag(*cluster, "insecure-skip-tls-verify");
  auto ca = data_or_file(*cluster, "certificate-authority", base_dir, cluster_where);
  if (!ca) return unexpected(ca.error());
  rc.ca_pem = std::move(ca).value();

  if (user->contains("exec") || user->contains("auth-provider"))
    return unexpected(
        fmt::format("{}: exec and auth-provider credential plugins are not supported; use a token, "
                    "tokenFile or client certificate",
                    user_where));
  auto cert = data_or_file(*user, "client-certificate", base_dir, user_where);
  if (!cert) return unexpected(cert.error());
  auto key = data_or_file(*user, "client-key", base_dir, user_where);
  if (!key) return unexpected(key.error());
  rc.client_cert_pem = std::move(cert).value();
  rc.client_key_pem = std::move(key).value();
  if (rc.client_cert_pem.empty() != rc.client_key_pem.empty())
    return unexpected(
        fmt::format("{}: client-certificate and client-key must be given together", user_where));
  rc.bearer_token = text(*user, "token");
  if (std::string token_file = text(*user, "tokenFile"); !token_file.empty()) {
    fs::path p = resolve(base_dir, token_file);
    auto token = read_file(p);
    if (!token) return unexpected(fmt::format("{}: tokenFile: {}", user_where, token.error()));
    rc.bearer_token_file = p.string();
  }
  rc.username = text(*user, "username");
  rc.password = text(*user, "password");

  if (std::string ns = text(*ctx, "namespace"); !ns.empty()) rc.namespace_ = ns;
  return rc;
}

util::Expected<RestConfig, std::string> load_kubeconfig(std::optional<std::string> explicit_path,
                                                        std::optional<std::string> context) {
  Found found = find_kubeconfig(explicit_path);
  if (!found.path) {
    std::string tried;
    for (const auto& t : found.tried) tried += "; " + t;
    return unexpected(fmt::format("no kubeconfig found (tried {})", tried.substr(2)));
  }
  return load_kubeconfig_file(*found.path, std::move(context));
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
  if (found.path) return load_kubeconfig_file(*found.path, std::nullopt);
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
