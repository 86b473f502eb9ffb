#pragma once
// metav1.ObjectMeta and metav1.OwnerReference: the parts every object shares.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/codec.hpp"

namespace druid::api {

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
  UnknownFields unknown;
  friend bool operator==(const OwnerReference&, const OwnerReference&) = default;
};

template <class V>
void visit_fields(V& v, OwnerReference& o) {
  v.required("apiVersion", o.api_version);
  v.required("kind", o.kind);
  v.required("name", o.name);
  v.required("uid", o.uid);
  v("controller", o.controller);
  v("blockOwnerDeletion", o.block_owner_deletion);
  v.unknown(o.unknown);
}

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  std::string creation_timestamp;  // RFC 3339, see util/time.hpp
  std::optional<std::string> deletion_timestamp;
  std::optional<std::int64_t> deletion_grace_period_seconds;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  UnknownFields unknown;  // managedFields, selfLink, ... kept verbatim
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;

  bool has_annotation(const std::string& key) const { return annotations.contains(key); }
  bool has_finalizer(const std::string& finalizer) const;
  bool is_being_deleted() const { return deletion_timestamp.has_value(); }
  // The owner reference with controller=true, if any.
  const OwnerReference* controller_reference() const;
};

template <class V>
void visit_fields(V& v, ObjectMeta& m) {
  v("name", m.name);
  v("generateName", m.generate_name);
  v("namespace", m.namespace_);
  v("uid", m.uid);
  v("resourceVersion", m.resource_version);
  v("generation", m.generation);
  v("creationTimestamp", m.creation_timestamp);
  v("deletionTimestamp", m.deletion_timestamp);
  v("deletionGracePeriodSeconds", m.deletion_grace_period_seconds);
  v("labels", m.labels);
  v("annotations", m.annotations);
  v("ownerReferences", m.owner_references);
  v("finalizers", m.finalizers);
  v.unknown(m.unknown);
}

}  // namespace druid::api
