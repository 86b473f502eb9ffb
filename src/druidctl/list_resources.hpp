#pragma once
// `kubectl druid list-resources` (upstream's druidctl/cmd/listresources): the objects of each
// selected Etcd — those labelled app.kubernetes.io/part-of=<etcd> — per resource type, as
// tables or as one EtcdResourceList document (json, json-raw, yaml).

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "druidctl/command_context.hpp"
#include "util/resource_type.hpp"

namespace druid::druidctl {

struct ListResourcesOptions {
  std::string filter = "all";  // -f/--filter
  std::string output;          // -o/--output: "", json, json-raw, yaml
};

struct ListedObject {
  std::string namespace_, name;
  std::chrono::nanoseconds age{0};
};
struct ListedType {
  util::ResourceType type;
  std::vector<ListedObject> objects;
};
struct EtcdResources {
  std::string namespace_, name;
  std::vector<ListedType> types;  // types without objects are left out
};

// The EtcdResourceList document (age as integer nanoseconds, a Go duration).
nlohmann::ordered_json to_resource_list(const std::vector<EtcdResources>& etcds);
// The default output: per Etcd "Etcd [<ns>/<name>]" and a Kind | NamespacedName | Age table, or
// "No resources found for selected filters".
std::string render_resource_tables(const std::vector<EtcdResources>& etcds);

CommandResult run_list_resources(const CommandContext& ctx, const std::vector<std::string>& args,
                                 const ListResourcesOptions& options);

}  // namespace druid::druidctl
