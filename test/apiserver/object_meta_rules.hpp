#pragma once
// What a Kubernetes API server does to metadata (and status) on the way into
// storage: system fields on create, immutable fields and generation on update,
// status isolation for types with a status subresource, and the deletion
// markers. Pure functions of the objects; time and randomness come in.

#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "api/field_error.hpp"
#include "apiserver/resource_registry.hpp"

namespace druid::testing {

// UIDs and generateName suffixes (thread-safe).
class IdGenerator {
 public:
  IdGenerator();
  std::string uid();          // random (version 4) UUID
  std::string name_suffix();  // 5 characters as k8s.io/apiserver/pkg/storage/names
 private:
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

// metadata.name from generateName if needed (`generateName` + 5 characters, the
// prefix cut to 58 characters as the real generator does).
void assign_generated_name(nlohmann::json& object, IdGenerator& ids);

// Sets uid, creationTimestamp, generation; clears what clients may not set;
// resets status where a status subresource owns it.
void prepare_for_create(nlohmann::json& object, const ResourceType& type, const std::string& now,
                        IdGenerator& ids);

// An update through the main resource: keeps the system fields of `old`, keeps
// old status when a status subresource owns it, bumps generation on spec change.
void prepare_for_update(nlohmann::json& object, const nlohmann::json& old,
                        const ResourceType& type);

// An update through /status: the old object with only the new status.
nlohmann::json prepare_for_status_update(const nlohmann::json& object, const nlohmann::json& old);

// Whether anything but metadata (and status, for types with a status
// subresource) differs: the rule for bumping metadata.generation.
bool spec_changed(const nlohmann::json& object, const nlohmann::json& old,
                  const ResourceType& type);

// A deletion that waits for finalizers: deletionTimestamp, grace period 0 and a
// generation bump (registry.markAsDeleting).
void mark_deleting(nlohmann::json& object, const std::string& now);

bool has_finalizers(const nlohmann::json& object);
bool is_deleting(const nlohmann::json& object);

// The ObjectMeta rules of ValidateObjectMeta[Update] that clients run into:
// name required and well-formed, immutable uid/name/namespace/creationTimestamp,
// no new finalizers on an object being deleted, and on both create and update
// label keys and values, annotation keys and the 256 KiB annotation size
// (api/validation/object_meta_validation.hpp).
api::FieldErrors validate_object_meta(const nlohmann::json& object, const ResourceType& type);
api::FieldErrors validate_object_meta_update(const nlohmann::json& object,
                                             const nlohmann::json& old);

// Rules of built-in types the operator depends on (e.g. StatefulSet spec fields
// other than replicas, template, updateStrategy, ... are immutable).
api::FieldErrors validate_builtin_update(const nlohmann::json& object, const nlohmann::json& old,
                                         const ResourceType& type);

}  // namespace druid::testing
