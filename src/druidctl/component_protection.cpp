#include "druidctl/component_protection.hpp"

#include "api/annotations.hpp"
#include "druidctl/annotation_command.hpp"

namespace druid::druidctl {

CommandResult run_protection_add(const CommandContext& ctx, const std::vector<std::string>& args) {
  return run_annotation_change(
      ctx, args,
      {"add protection to", "adding component protection", "Added component protection",
       [](nlohmann::json& etcd) {
         if (!has_annotation(etcd, api::kDisableEtcdComponentProtectionAnnotation)) return false;
         annotations_of(etcd).erase(api::kDisableEtcdComponentProtectionAnnotation);
         return true;
       }});
}

CommandResult run_protection_remove(const CommandContext& ctx,
                                    const std::vector<std::string>& args) {
  return run_annotation_change(
      ctx, args,
      {"remove protection from", "removing component protection", "Removed component protection",
       [](nlohmann::json& etcd) {
         auto& annotations = annotations_of(etcd);
         const auto it = annotations.find(api::kDisableEtcdComponentProtectionAnnotation);
         if (it != annotations.end() && it->is_string() && it->get<std::string>().empty())
           return false;
         annotations[api::kDisableEtcdComponentProtectionAnnotation] = "";
         return true;
       }});
}

}  // namespace druid::druidctl
