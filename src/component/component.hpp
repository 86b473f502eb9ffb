#pragma once
// The one interface every managed component implements (upstream's
// internal/component/types.go): which of its objects exist for an Etcd, how to bring them to the
// desired state, how to delete them, and an optional step before any sync.
// The registry (registry.hpp) lists them in sync order.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "component/context.hpp"
#include "component/druid_error.hpp"

namespace druid::component {

class Component {
 public:
  virtual ~Component() = default;

  // "ServiceAccount", "Role", ... (upstream's component kinds; they appear in
  // lastOperation descriptions and logs).
  virtual std::string_view kind() const = 0;

  // Names of this component's objects that exist and are controlled by the
  // Etcd (owner reference with controller=true and the Etcd's UID).
  virtual DruidResult<std::vector<std::string>> existing_names(Context& ctx) = 0;

  // Names of the objects a sync of `etcd` creates (none when the component
  // has nothing to create for this spec); with existing_names, what is missing.
  virtual std::vector<std::string> desired_names(const api::Etcd& etcd) const = 0;

  // Runs before any component syncs; only the StatefulSet has one.
  virtual DruidResult<> pre_sync(Context& ctx) {
    (void)ctx;
    return ok();
  }

  // Creates or patches the objects to the desired state; sends nothing when
  // they are already there.
  virtual DruidResult<> sync(Context& ctx) = 0;

  // Deletes the objects (NotFound is success). PVCs are never deleted.
  virtual DruidResult<> trigger_delete(Context& ctx) = 0;

  // The code of a failed trigger_delete, an error_codes.hpp constant
  // (ERR_DELETE_SERVICE_ACCOUNT, ...): users alert on it, so it is never built
  // from kind().
  virtual const char* delete_error_code() const = 0;
};

using ComponentPtr = std::unique_ptr<Component>;

// "<namespace>/<name>" of the Etcd, as error messages and logs name it.
std::string etcd_key(const api::Etcd& etcd);

// The metadata of every managed object: name, the Etcd's namespace, the
// component's labels and the Etcd as controlling owner.
nlohmann::json managed_metadata(const api::Etcd& etcd, const std::string& name,
                                const util::Labels& labels);

}  // namespace druid::component
