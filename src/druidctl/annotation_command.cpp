#include "druidctl/annotation_command.hpp"

#include <fmt/format.h>

#include <thread>

#include "druidctl/output.hpp"
#include "druidctl/resource_selection.hpp"
#include "util/json_access.hpp"

namespace druid::druidctl {

std::string aggregate_failures(const std::string& what,
                               const std::vector<std::pair<std::string, std::string>>& failures) {
  std::string joined;
  for (const auto& [key, error] : failures) {
    if (!joined.empty()) joined += "\n";
    joined += fmt::format("{} failed for etcd {}: {}", what, key, error);
  }
  return fmt::format("{} failed for some etcd resources: {}", what, joined);
}

CommandResult run_annotation_change(const CommandContext& ctx, const std::vector<std::string>& args,
                                    const AnnotationChange& change) {
  if (auto invalid = validate_selection(ctx.global, args)) return util::unexpected(*invalid);
  const Logger log(ctx.out, ctx.global.verbose);
  auto selection = confirm_and_select(ctx, args, change.prompt_operation, log);
  if (!selection) return util::unexpected(selection.error());
  if (selection->etcds.empty()) return {};
  const auto& client = selection->client;
  const auto& etcds = selection->etcds;
  std::vector<std::optional<std::string>> errors(etcds.size());
  std::vector<std::thread> workers;
  for (std::size_t i = 0; i < etcds.size(); ++i) {
    workers.emplace_back([&, i] {
      const auto& meta = util::metadata_of(etcds[i]);
      const std::string ns = util::string_field(meta, "namespace");
      const std::string name = util::string_field(meta, "name");
      auto updated = update_etcd(*client, ns, name, change.modify);
      if (!updated) {
        errors[i] = updated.error();
        return;
      }
      log.detail(ns, name, change.success);
    });
  }
  for (auto& worker : workers) worker.join();
  std::vector<std::pair<std::string, std::string>> failures;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i]) continue;
    const auto& meta = util::metadata_of(etcds[i]);
    failures.emplace_back(
        util::string_field(meta, "namespace") + "/" + util::string_field(meta, "name"), *errors[i]);
  }
  if (!failures.empty()) return util::unexpected(aggregate_failures(change.failure, failures));
  return {};
}

}  // namespace druid::druidctl
