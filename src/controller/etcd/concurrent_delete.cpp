#include "controller/etcd/concurrent_delete.hpp"

#include <exception>
#include <future>

namespace druid::controller::etcd {

std::vector<component::DruidError> delete_concurrently(
    const std::vector<component::Component*>& components, const component::Context& ctx) {
  std::vector<std::future<component::DruidResult<>>> deletions;
  deletions.reserve(components.size());
  for (component::Component* component : components) {
    deletions.push_back(std::async(std::launch::async, [component, own = ctx]() mutable {
      try {
        return component->trigger_delete(own);
      } catch (const std::exception& e) {
        return component::DruidResult<>(util::unexpected(
            component::druid_error(own.now, component->delete_error_code(),
                                   component::Operation::kTriggerDelete, e.what())));
      }
    }));
  }
  std::vector<component::DruidError> errors;
  for (auto& deletion : deletions) {
    auto outcome = deletion.get();
    if (!outcome) errors.push_back(outcome.error());
  }
  return errors;
}

}  // namespace druid::controller::etcd
