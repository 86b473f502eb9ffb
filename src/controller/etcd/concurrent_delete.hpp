#pragma once
// Deleting several components at once, as upstream's reconciler runs each
// component's TriggerDelete in its own goroutine (internal/controller/etcd/
// reconcile_delete.go and reconcile_spec.go's runtime-component cleanup).

#include <vector>

#include "component/component.hpp"
#include "component/druid_error.hpp"

namespace druid::controller::etcd {

// Triggers the deletion of every component in `components` at once, each with
// its own copy of `ctx` (contexts are not shared between threads), and waits
// for all. An exception thrown by a component becomes that component's error
// (its delete error code, operation TriggerDelete). Returns the errors.
std::vector<component::DruidError> delete_concurrently(
    const std::vector<component::Component*>& components, const component::Context& ctx);

}  // namespace druid::controller::etcd
