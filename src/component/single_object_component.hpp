#pragma once
// The shape most components have (upstream's internal/component/types.go): one object per Etcd,
// named after it, built by a pure function and brought to that state by
// create-or-patch — the ServiceAccount, Role, RoleBinding,
// PodDisruptionBudget and both Services. They differ only in the values of a
// SingleObjectDefinition. The free helpers below are the parts that the
// components with more to do (ConfigMap, StatefulSet) share with them.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/etcd.hpp"
#include "component/component.hpp"
#include "component/context.hpp"
#include "component/create_or_patch.hpp"
#include "kube/resource.hpp"

namespace druid::component {

// What tells one single-object component from another. The strings are
// static (string literals and error_codes.hpp constants).
struct SingleObjectDefinition {
  std::string_view kind;  // Component::kind(), e.g. "ServiceAccount"
  const util::ResourceType& type;
  std::string (*name)(const api::Etcd& etcd);
  // The complete desired object (a pure builder with a golden test).
  nlohmann::json (*build)(const Context& ctx);
  const char* get_error;     // existing_names failed
  const char* sync_error;    // create or patch failed
  const char* delete_error;  // delete failed (NotFound is success)
  // How the messages name the object: "service account" gives
  // "Error getting service account <namespace>/<name>".
  std::string_view description;
  CreateOrPatchOptions patch_options{};
};

class SingleObjectComponent final : public Component {
 public:
  explicit SingleObjectComponent(SingleObjectDefinition definition)
      : definition_(std::move(definition)) {}

  std::string_view kind() const override { return definition_.kind; }
  DruidResult<std::vector<std::string>> existing_names(Context& ctx) override;
  std::vector<std::string> desired_names(const api::Etcd& etcd) const override {
    return {definition_.name(etcd)};
  }
  DruidResult<> sync(Context& ctx) override;
  DruidResult<> trigger_delete(Context& ctx) override;
  const char* delete_error_code() const override { return definition_.delete_error; }

 private:
  // "<description> <namespace>/<name>".
  std::string object(const api::Etcd& etcd) const;

  SingleObjectDefinition definition_;
};

// {name} when the object `name` exists in the Etcd's namespace and the Etcd
// controls it, else {}. A failed read gives `code` with the message
// "Error getting <object>".
DruidResult<std::vector<std::string>> existing_if_controlled(Context& ctx,
                                                             const util::ResourceType& type,
                                                             const std::string& name,
                                                             const char* code,
                                                             std::string_view object);

// Deletes the object `name` in the Etcd's namespace; NotFound is success, a
// delete that removed it counts in ctx.writes. A failure gives `code` with
// the message "Failed to delete <object>".
DruidResult<> delete_ignoring_not_found(Context& ctx, const util::ResourceType& type,
                                        const std::string& name, const char* code,
                                        std::string_view object);

}  // namespace druid::component
