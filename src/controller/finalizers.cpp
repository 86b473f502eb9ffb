#include "controller/finalizers.hpp"

namespace druid::controller {

std::vector<std::string> finalizers_after(const api::ObjectMeta& meta, std::string_view finalizer,
                                          bool present) {
  std::vector<std::string> finalizers;
  for (const auto& existing : meta.finalizers) {
    if (existing != finalizer) finalizers.push_back(existing);
  }
  if (present) finalizers.emplace_back(finalizer);
  return finalizers;
}

nlohmann::json finalizer_patch(const api::ObjectMeta& meta, std::string_view finalizer,
                               bool present) {
  return {{"metadata",
           {{"finalizers", finalizers_after(meta, finalizer, present)},
            {"resourceVersion", meta.resource_version}}}};
}

}  // namespace druid::controller
