#pragma once
// Which Etcds a command acts on, as kubectl selects resources (upstream's
// druidctl/cmd/utils/options.go and utils.go): positional `name` (namespace from -n, else
// "default") or `ns/name`; no names = every Etcd of the namespace (filtered by -l); -A = every
// Etcd of every namespace, after the user confirmed it on stdin.

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "druidctl/options.hpp"
#include "kube/client.hpp"
#include "util/expected.hpp"

namespace druid::druidctl {

struct EtcdRef {
  std::string namespace_;
  std::string name;
  friend bool operator==(const EtcdRef&, const EtcdRef&) = default;
};

// The namespace names are resolved in: -n, else "default".
std::string target_namespace(const GlobalOptions& options);

// The rules that need no server, with upstream's messages; nullopt when the selection is valid.
std::optional<std::string> validate_selection(const GlobalOptions& options,
                                              const std::vector<std::string>& args);

// `args` as references (validated first).
std::vector<EtcdRef> build_refs(const GlobalOptions& options, const std::vector<std::string>& args);

// The selected Etcds as the server has them, sorted by namespace/name. Named Etcds are fetched
// one by one (`etcd "<n>" not found in namespace "<ns>"`); otherwise they are listed with -l.
util::Expected<std::vector<nlohmann::json>, std::string> select_etcds(
    kube::Client& client, const GlobalOptions& options, const std::vector<std::string>& args);

// Asks before a command touches every Etcd of the cluster (-A). True for "y"/"yes" (any case);
// an error when stdin ends before an answer.
util::Expected<bool, std::string> confirm_all_namespaces(std::istream& in, std::ostream& out,
                                                         std::string_view operation);

}  // namespace druid::druidctl
