#include "druidctl/list_resources.hpp"

#include <fmt/format.h>

#include <ostream>

#include "druidctl/output.hpp"
#include "druidctl/resource_resolver.hpp"
#include "druidctl/resource_selection.hpp"
#include "util/json_access.hpp"
#include "util/time.hpp"

namespace druid::druidctl {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* kPartOfLabel = "app.kubernetes.io/part-of";

bool valid_output(const std::string& output) {
  return output.empty() || output == "json" || output == "json-raw" || output == "yaml";
}

}  // namespace

ordered_json to_resource_list(const std::vector<EtcdResources>& etcds) {
  ordered_json list = ordered_json::object();
  list["etcds"] = ordered_json::array();
  for (const auto& etcd : etcds) {
    ordered_json entry;
    entry["etcd"] = {{"name", etcd.name}, {"namespace", etcd.namespace_}};
    entry["items"] = ordered_json::array();
    for (const auto& listed : etcd.types) {
      ordered_json item;
      item["key"] = {{"group", listed.type.group},
                     {"version", listed.type.version},
                     {"resource", listed.type.resource},
                     {"kind", listed.type.kind}};
      item["resources"] = ordered_json::array();
      for (const auto& object : listed.objects) {
        item["resources"].push_back(
            {{"namespace", object.namespace_}, {"name", object.name}, {"age", object.age.count()}});
      }
      entry["items"].push_back(std::move(item));
    }
    list["etcds"].push_back(std::move(entry));
  }
  list["kind"] = "EtcdResourceList";
  return list;
}

std::string render_resource_tables(const std::vector<EtcdResources>& etcds) {
  std::string out;
  for (const auto& etcd : etcds) {
    out += fmt::format("Etcd [{}/{}]\n", etcd.namespace_, etcd.name);
    std::vector<std::vector<std::string>> rows;
    for (const auto& listed : etcd.types) {
      for (const auto& object : listed.objects) {
        const std::string ns = object.namespace_.empty() ? "N/A" : object.namespace_;
        rows.push_back({listed.type.kind, ns + "/" + object.name, short_duration(object.age)});
      }
    }
    if (rows.empty()) {
      out += "No resources found for selected filters\n";
    } else {
      out += render_table({"Kind", "NamespacedName", "Age"}, rows);
    }
  }
  return out;
}

CommandResult run_list_resources(const CommandContext& ctx, const std::vector<std::string>& args,
                                 const ListResourcesOptions& options) {
  if (auto invalid = validate_selection(ctx.global, args)) return util::unexpected(*invalid);
  if (!valid_output(options.output)) {
    return util::unexpected(fmt::format(
        "invalid output format: {} (must be one of json, json-raw, yaml)", options.output));
  }
  auto client = ctx.client();
  if (!client) return util::unexpected(client.error());
  auto discovered = discover_resources(**client);
  if (!discovered) return util::unexpected(discovered.error());
  auto types = resolve_filter(options.filter, *discovered);
  if (!types) return util::unexpected(types.error());
  auto etcds = select_etcds(**client, ctx.global, args);
  if (!etcds) return util::unexpected(etcds.error());
  // Structured output keeps stdout parseable: log lines go to stderr then.
  const Logger log(options.output.empty() ? ctx.out : ctx.err, ctx.global.verbose);
  if (etcds->empty() && options.output.empty()) {
    log.info("No Etcd resources found");
    return {};
  }

  const auto now = std::chrono::system_clock::now();
  std::vector<EtcdResources> result;
  for (const auto& etcd : *etcds) {
    const auto& meta = util::metadata_of(etcd);
    EtcdResources entry{
        util::string_field(meta, "namespace"), util::string_field(meta, "name"), {}};
    kube::ListOptions list_options;
    list_options.label_selector = fmt::format("{}={}", kPartOfLabel, entry.name);
    for (const auto& type : *types) {
      auto listed = (*client)->list(type, type.namespaced ? entry.namespace_ : "", list_options);
      if (!listed) {
        return util::unexpected(fmt::format("failed to list {} for etcd {}/{}: {}", type.resource,
                                            entry.namespace_, entry.name, listed.error().message));
      }
      ListedType found{type, {}};
      for (const auto& item : listed->value("items", json::array())) {
        const auto& item_meta = util::metadata_of(item);
        ListedObject object{
            util::string_field(item_meta, "namespace"), util::string_field(item_meta, "name"), {}};
        if (auto created =
                util::parse_rfc3339(util::string_field(item_meta, "creationTimestamp"))) {
          object.age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - *created);
        }
        found.objects.push_back(std::move(object));
      }
      log.detail(entry.namespace_, entry.name,
                 fmt::format("Found {} {}", found.objects.size(), type.resource));
      if (!found.objects.empty()) entry.types.push_back(std::move(found));
    }
    result.push_back(std::move(entry));
  }

  if (options.output.empty()) {
    ctx.out << render_resource_tables(result) << std::flush;
    return {};
  }
  return write_document(ctx.out, to_resource_list(result), options.output, "resources");
}

}  // namespace druid::druidctl
