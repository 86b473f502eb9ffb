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

#include "druidctl/command_context.hpp"
#include "druidctl/options.hpp"
#include "druidctl/output.hpp"
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

// What a command that changes Etcds works on: the client and the selected Etcds.
struct Selection {
  std::shared_ptr<kube::Client> client;
  std::vector<nlohmann::json> etcds;
};

// The steps every changing command starts with: -A asks first (confirm_all_namespaces with
// `operation`), then the Etcds are selected. `etcds` is empty when the user said no ("Operation
// cancelled by user") or nothing matched ("No Etcd resources found"); both are said on `log`.
util::Expected<Selection, std::string> confirm_and_select(const CommandContext& ctx,
                                                          const std::vector<std::string>& args,
                                                          std::string_view operation,
                                                          const Logger& log);

}  // namespace druid::druidctl
