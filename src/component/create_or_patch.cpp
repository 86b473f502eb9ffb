#include "component/create_or_patch.hpp"

#include <memory>

#include "api/quantity.hpp"
#include "kube/patch.hpp"
#include "util/json_access.hpp"

namespace druid::component {
namespace {

bool is_quantity_map_key(std::string_view key) {
  return key == "requests" || key == "limits";
}

bool same_quantity(const nlohmann::json& desired, const nlohmann::json& current) {
  if (!desired.is_string() || !current.is_string()) return false;
  auto a = api::Quantity::parse(desired.get<std::string>());
  auto b = api::Quantity::parse(current.get<std::string>());
  return a && b && *a == *b;
}

bool satisfied(const nlohmann::json& desired, const nlohmann::json* current, bool quantities) {
  if (desired.is_null()) return current == nullptr || current->is_null();
  if (current == nullptr) return false;
  if (desired.is_object()) {
    if (!current->is_object()) return false;
    for (const auto& [key, value] : desired.items()) {
      const auto it = current->find(key);
      const nlohmann::json* child = it == current->end() ? nullptr : &*it;
      if (!satisfied(value, child, is_quantity_map_key(key))) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!current->is_array() || current->size() != desired.size()) return false;
    for (std::size_t i = 0; i < desired.size(); ++i) {
      if (!satisfied(desired[i], &(*current)[i], false)) return false;
    }
    return true;
  }
  if (quantities && same_quantity(desired, *current)) return true;
  // Numbers compare by value whatever their JSON representation (1 == 1.0).
  if (desired.is_number() && current->is_number()) return desired == *current;
  return desired == *current;
}

// Adds null for keys of the owned map in `current` that `desired` lacks.
void remove_foreign_keys(nlohmann::json& desired, const nlohmann::json& current,
                         const std::string& pointer) {
  const nlohmann::json::json_pointer ptr(pointer);
  if (!current.contains(ptr) || !current.at(ptr).is_object()) return;
  nlohmann::json& target = desired[ptr];
  if (target.is_null()) target = nlohmann::json::object();
  for (const auto& [key, value] : current.at(ptr).items()) {
    (void)value;
    if (!target.contains(key)) target[key] = nullptr;
  }
}

}  // namespace

bool is_satisfied_by(const nlohmann::json& desired, const nlohmann::json& current) {
  return satisfied(desired, &current, false);
}

nlohmann::json without_nulls(const nlohmann::json& desired) {
  if (desired.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : desired.items()) {
      if (!value.is_null()) out[key] = without_nulls(value);
    }
    return out;
  }
  if (desired.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : desired) out.push_back(without_nulls(item));
    return out;
  }
  return desired;
}

nlohmann::json desired_state_patch(const nlohmann::json& current, const nlohmann::json& desired,
                                   const CreateOrPatchOptions& options) {
  nlohmann::json complete = desired;
  for (const auto& pointer : options.owned_maps) remove_foreign_keys(complete, current, pointer);
  if (is_satisfied_by(complete, current)) return nlohmann::json::object();
  // The minimal difference between the current object and the current object
  // with the desired fields applied (lists are replaced whole by merge patches).
  return kube::create_merge_patch(current, kube::apply_merge_patch(current, complete));
}

kube::ApiResult<PatchOutcome> create_or_patch(ObjectWriter& writer, ObjectReader& reader,
                                              const util::ResourceType& type,
                                              const nlohmann::json& desired,
                                              const CreateOrPatchOptions& options) {
  const auto& metadata = desired.at("metadata");
  const std::string ns = metadata.value("namespace", "");
  const std::string name = metadata.value("name", "");
  auto current = reader.get(type, ns, name);
  if (!current) return util::unexpected(current.error());
  kube::ObjectPtr existing = *current;
  if (!existing) {
    auto created = writer.create(type, ns, without_nulls(desired));
    if (created) return PatchOutcome{PatchAction::kCreated, std::move(*created)};
    if (created.error().reason != kube::ApiErrorReason::kAlreadyExists) {
      return util::unexpected(created.error());
    }
    auto live = writer.get_live(type, ns, name);
    if (!live) return util::unexpected(live.error());
    existing = std::make_shared<const nlohmann::json>(std::move(*live));
  }
  const nlohmann::json patch = desired_state_patch(*existing, desired, options);
  if (patch.empty()) return PatchOutcome{PatchAction::kNone, *existing};
  auto patched = writer.patch(type, ns, name, kube::PatchType::kMerge, patch, {});
  if (!patched) return util::unexpected(patched.error());
  return PatchOutcome{PatchAction::kPatched, std::move(*patched)};
}

kube::ApiResult<PatchOutcome> create_or_patch(Context& ctx, const util::ResourceType& type,
                                              const nlohmann::json& desired,
                                              const CreateOrPatchOptions& options) {
  auto outcome = create_or_patch(ctx.writer, ctx.reader, type, desired, options);
  if (!outcome || outcome->action != PatchAction::kNone) ++ctx.writes;
  if (outcome && outcome->action != PatchAction::kNone) {
    const std::string name = util::metadata_of(desired).value("name", "");
    if (outcome->action == PatchAction::kCreated) {
      ctx.record_created(type.kind, name);
    } else {
      ctx.record_updated(type.kind, name);
    }
  }
  return outcome;
}

}  // namespace druid::component
