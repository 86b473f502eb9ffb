#include "api/object_meta.hpp"

#include <algorithm>

namespace druid::api {

bool ObjectMeta::has_finalizer(const std::string& finalizer) const {
  return std::find(finalizers.begin(), finalizers.end(), finalizer) != finalizers.end();
}

const OwnerReference* ObjectMeta::controller_reference() const {
  for (const auto& ref : owner_references) {
    if (ref.controller.value_or(false)) return &ref;
  }
  return nullptr;
}

}  // namespace druid::api
