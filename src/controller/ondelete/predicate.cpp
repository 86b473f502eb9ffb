#include "controller/ondelete/predicate.hpp"

#include <algorithm>
#include <array>

namespace druid::controller::ondelete {
namespace {

using nlohmann::json;

json at(const json& object, const char* pointer) {
  const json::json_pointer p(pointer);
  return object.contains(p) ? object.at(p) : json();
}

}  // namespace

kube::Predicate statefulset_predicate() {
  kube::Predicate p;
  p.create = [](const json&) { return true; };
  p.update = [](const json& old_object, const json& new_object) {
    if (&old_object == &new_object || old_object == new_object) return true;  // resync
    constexpr std::array<const char*, 3> kWatched = {"/status/updateRevision",
                                                     "/spec/updateStrategy/type", "/spec/replicas"};
    return std::ranges::any_of(kWatched, [&](const char* pointer) {
      return at(old_object, pointer) != at(new_object, pointer);
    });
  };
  p.remove = [](const json&) { return false; };
  return p;
}

kube::Predicate pod_predicate() {
  return kube::Predicate{};
}

}  // namespace druid::controller::ondelete
