#include "druidctl/resource_selection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <istream>
#include <ostream>

#include "api/resources.hpp"
#include "util/json_access.hpp"
#include "util/text.hpp"

namespace druid::druidctl {

using nlohmann::json;

std::string target_namespace(const GlobalOptions& options) {
  return options.connection.namespace_.empty() ? std::string("default")
                                               : options.connection.namespace_;
}

std::optional<std::string> validate_selection(const GlobalOptions& options,
                                              const std::vector<std::string>& args) {
  const bool namespace_flag = !options.connection.namespace_.empty();
  if (options.all_namespaces) {
    if (!args.empty()) return "cannot specify resource names when using --all-namespaces/-A";
    if (namespace_flag) return "cannot use --namespace/-n with --all-namespaces/-A";
    return std::nullopt;
  }
  for (const auto& arg : args) {
    const auto slashes = std::count(arg.begin(), arg.end(), '/');
    if (slashes > 1 || arg.empty() || arg.front() == '/' || arg.back() == '/') {
      return fmt::format("invalid resource name: {}", arg);
    }
  }
  const bool cross_namespace = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a.find('/') != std::string::npos;
  });
  if (cross_namespace && namespace_flag) {
    return "cannot use --namespace/-n with cross-namespace resource references (ns/name format)";
  }
  return std::nullopt;
}

std::vector<EtcdRef> build_refs(const GlobalOptions& options,
                                const std::vector<std::string>& args) {
  std::vector<EtcdRef> refs;
  for (const auto& arg : args) {
    const auto slash = arg.find('/');
    if (slash == std::string::npos) {
      refs.push_back({target_namespace(options), arg});
    } else {
      refs.push_back({arg.substr(0, slash), arg.substr(slash + 1)});
    }
  }
  return refs;
}

namespace {

std::string key_of(const json& etcd) {
  return util::string_field(util::metadata_of(etcd), "namespace") + "/" +
         util::string_field(util::metadata_of(etcd), "name");
}

util::Expected<std::vector<json>, std::string> items_of(const kube::ApiResult<json>& listed,
                                                        const std::string& what) {
  if (!listed) return util::unexpected(fmt::format("{}: {}", what, listed.error().message));
  std::vector<json> items;
  if (const auto it = listed->find("items"); it != listed->end() && it->is_array()) {
    for (const auto& item : *it) items.push_back(item);
  }
  return items;
}

}  // namespace

util::Expected<std::vector<json>, std::string> select_etcds(kube::Client& client,
                                                            const GlobalOptions& options,
                                                            const std::vector<std::string>& args) {
  const auto& type = api::resources::kEtcds;
  kube::ListOptions list_options;
  list_options.label_selector = options.selector;
  util::Expected<std::vector<json>, std::string> selected = std::vector<json>{};
  if (options.all_namespaces) {
    selected = items_of(client.list(type, "", list_options), "unable to list etcd objects");
  } else if (args.empty()) {
    const std::string ns = target_namespace(options);
    selected = items_of(client.list(type, ns, list_options),
                        fmt::format("unable to list etcd objects in namespace {}", ns));
  } else {
    std::vector<json> items;
    for (const auto& ref : build_refs(options, args)) {
      auto etcd = client.get(type, ref.namespace_, ref.name);
      if (!etcd) {
        if (etcd.error().reason == kube::ApiErrorReason::kNotFound) {
          return util::unexpected(
              fmt::format(R"(etcd "{}" not found in namespace "{}")", ref.name, ref.namespace_));
        }
        return util::unexpected(fmt::format("unable to get etcd object: {}", etcd.error().message));
      }
      items.push_back(std::move(*etcd));
    }
    selected = std::move(items);
  }
  if (!selected) return selected;
  auto& items = *selected;
  std::sort(items.begin(), items.end(),
            [](const json& a, const json& b) { return key_of(a) < key_of(b); });
  // The same Etcd named twice is acted on once.
  items.erase(std::unique(items.begin(), items.end(),
                          [](const json& a, const json& b) { return key_of(a) == key_of(b); }),
              items.end());
  return selected;
}

util::Expected<bool, std::string> confirm_all_namespaces(std::istream& in, std::ostream& out,
                                                         std::string_view operation) {
  out << fmt::format(
             "--⚠️-- You are about to {} ALL etcd resources across ALL namespaces. Continue? "
             "[y/n]: ",
             operation)
      << std::flush;
  std::string answer;
  if (!std::getline(in, answer) && answer.empty()) {
    out << "\n";
    return util::unexpected(std::string("confirmation failed: failed to read response: EOF"));
  }
  answer = util::ascii_lower(util::trim_go_space(answer));
  return answer == "y" || answer == "yes";
}

util::Expected<Selection, std::string> confirm_and_select(const CommandContext& ctx,
                                                          const std::vector<std::string>& args,
                                                          std::string_view operation,
                                                          const Logger& log) {
  if (ctx.global.all_namespaces) {
    auto confirmed = confirm_all_namespaces(ctx.in, ctx.out, operation);
    if (!confirmed) return util::unexpected(confirmed.error());
    if (!*confirmed) {
      log.info("Operation cancelled by user");
      return Selection{};
    }
  }
  auto client = ctx.client();
  if (!client) return util::unexpected(client.error());
  auto etcds = select_etcds(**client, ctx.global, args);
  if (!etcds) return util::unexpected(etcds.error());
  if (etcds->empty()) log.info("No Etcd resources found");
  return Selection{std::move(*client), std::move(*etcds)};
}

}  // namespace druid::druidctl
