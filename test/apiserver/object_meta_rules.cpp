#include "apiserver/object_meta_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "api/validation/object_meta_validation.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

const api::FieldPath kMetadata("metadata");

constexpr std::string_view kSubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr std::string_view kLabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
constexpr std::string_view kDns1035Message =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || !lower_alnum(s.front()) || !lower_alnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) { return lower_alnum(c) || c == '-'; });
}

bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) return false;
    if (!std::all_of(part.begin(), part.end(), [](char c) { return lower_alnum(c) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

const json& meta_of(const json& object) {
  static const json kEmpty = json::object();
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::string meta_string(const json& object, const char* field) {
  const json& meta = meta_of(object);
  auto it = meta.find(field);
  return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// What generation compares: the object without metadata (and without status when
// a status subresource owns it).
json generation_relevant(const json& object, const ResourceType& type) {
  json copy = object;
  copy.erase("metadata");
  copy.erase("apiVersion");
  copy.erase("kind");
  if (type.status_subresource) copy.erase("status");
  return copy;
}

json initial_status(const ResourceType& type) {
  if (type.group.empty() && type.plural == "namespaces") return {{"phase", "Active"}};
  if (type.group.empty() && (type.plural == "pods" || type.plural == "persistentvolumeclaims")) {
    return {{"phase", "Pending"}};
  }
  return json::object();
}

void append(api::FieldErrors& errors, api::FieldErrors more) {
  for (auto& e : more) errors.push_back(std::move(e));
}

// The name rule of the type (each registry strategy passes its own nameFn).
api::FieldErrors name_errors(const std::string& name, const ResourceType& type) {
  api::FieldErrors errors;
  const bool rbac = type.group == "rbac.authorization.k8s.io";
  const bool core_label = type.group.empty() && type.plural == "namespaces";
  const bool service = type.group.empty() && type.plural == "services";
  if (rbac) {
    // Path segment names: anything but "." and ".." and no '/' or '%'.
    if (name == "." || name == "..") {
      errors.push_back(
          api::invalid_error(kMetadata.child("name"), name, fmt::format("may not be '{}'", name)));
    } else if (name.find_first_of("/%") != std::string::npos) {
      errors.push_back(api::invalid_error(
          kMetadata.child("name"), name,
          fmt::format("may not contain '{}'", name.find('/') != std::string::npos ? "/" : "%")));
    }
  } else if (service) {
    bool ok = is_dns_label(name) && name.front() >= 'a' && name.front() <= 'z';
    if (!ok) {
      errors.push_back(
          api::invalid_error(kMetadata.child("name"), name, std::string(kDns1035Message)));
    }
  } else if (core_label) {
    if (!is_dns_label(name)) {
      errors.push_back(
          api::invalid_error(kMetadata.child("name"), name, std::string(kLabelMessage)));
    }
  } else if (!is_dns_subdomain(name)) {
    errors.push_back(
        api::invalid_error(kMetadata.child("name"), name, std::string(kSubdomainMessage)));
  }
  return errors;
}

// ValidateLabels and ValidateAnnotations, which ValidateObjectMeta and
// ValidateObjectMetaUpdate both run (after the name and immutability rules).
api::FieldErrors label_and_annotation_errors(const json& object) {
  const json& meta = meta_of(object);
  const json kNone;
  auto labels = meta.find("labels");
  auto annotations = meta.find("annotations");
  api::FieldErrors errors = api::validation::validate_labels(labels != meta.end() ? *labels : kNone,
                                                             kMetadata.child("labels"));
  append(errors,
         api::validation::validate_annotations(annotations != meta.end() ? *annotations : kNone,
                                               kMetadata.child("annotations")));
  return errors;
}

void copy_meta_field(json& object, const json& old, const char* field) {
  const json& old_meta = meta_of(old);
  auto it = old_meta.find(field);
  if (it != old_meta.end()) {
    object["metadata"][field] = *it;
  } else if (object.contains("metadata")) {
    object["metadata"].erase(field);
  }
}

}  // namespace

IdGenerator::IdGenerator() : rng_(std::random_device{}()) {}

std::string IdGenerator::uid() {
  std::lock_guard lock(mutex_);
  std::uniform_int_distribution<int> hex(0, 15);
  std::string s = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (char& c : s) {
    if (c == 'x' || c == 'y') {
      int v = hex(rng_);
      if (c == 'y') v = (v & 0x3) | 0x8;
      c = "0123456789abcdef"[v];
    }
  }
  return s;
}

std::string IdGenerator::name_suffix() {
  // k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable characters.
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::lock_guard lock(mutex_);
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string s;
  for (int i = 0; i < 5; ++i) s += kAlphabet[pick(rng_)];
  return s;
}

void assign_generated_name(json& object, IdGenerator& ids) {
  std::string name = meta_string(object, "name");
  std::string prefix = meta_string(object, "generateName");
  if (!name.empty() || prefix.empty()) return;
  constexpr std::size_t kMaxPrefix = 63 - 5;
  if (prefix.size() > kMaxPrefix) prefix.resize(kMaxPrefix);
  object["metadata"]["name"] = prefix + ids.name_suffix();
}

void prepare_for_create(json& object, const ResourceType& type, const std::string& now,
                        IdGenerator& ids) {
  json& meta = object["metadata"];
  meta["uid"] = ids.uid();
  meta["creationTimestamp"] = now;
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  meta.erase("selfLink");
  if (type.has_generation) {
    meta["generation"] = 1;
  } else {
    meta.erase("generation");
  }
  if (type.status_subresource) {
    if (type.custom) {
      object.erase("status");
    } else {
      object["status"] = initial_status(type);
    }
  }
  if (type.group.empty() && type.plural == "namespaces") {
    object["spec"]["finalizers"] = json::array({"kubernetes"});
  }
}

bool spec_changed(const json& object, const json& old, const ResourceType& type) {
  return generation_relevant(object, type) != generation_relevant(old, type);
}

void prepare_for_update(json& object, const json& old, const ResourceType& type) {
  if (!object.contains("metadata") || !object["metadata"].is_object()) {
    object["metadata"] = json::object();
  }
  if (meta_string(object, "uid").empty()) copy_meta_field(object, old, "uid");
  copy_meta_field(object, old, "creationTimestamp");
  copy_meta_field(object, old, "deletionTimestamp");
  if (!object["metadata"].contains("deletionGracePeriodSeconds")) {
    copy_meta_field(object, old, "deletionGracePeriodSeconds");
  }
  copy_meta_field(object, old, "generation");
  object["metadata"].erase("selfLink");
  if (type.status_subresource) {
    if (old.contains("status")) {
      object["status"] = old["status"];
    } else {
      object.erase("status");
    }
  }
  if (type.has_generation && spec_changed(object, old, type)) {
    object["metadata"]["generation"] = meta_of(old).value("generation", 0) + 1;
  }
}

json prepare_for_status_update(const json& object, const json& old) {
  json out = old;
  if (object.contains("status")) {
    out["status"] = object["status"];
  } else {
    out.erase("status");
  }
  return out;
}

void mark_deleting(json& object, const std::string& now) {
  json& meta = object["metadata"];
  if (!meta.contains("deletionTimestamp") && meta.value("generation", 0) > 0) {
    meta["generation"] = meta["generation"].get<std::int64_t>() + 1;
  }
  if (!meta.contains("deletionTimestamp")) meta["deletionTimestamp"] = now;
  meta["deletionGracePeriodSeconds"] = 0;
}

bool has_finalizers(const json& object) {
  const json& meta = meta_of(object);
  auto it = meta.find("finalizers");
  return it != meta.end() && it->is_array() && !it->empty();
}

bool is_deleting(const json& object) {
  return meta_of(object).contains("deletionTimestamp");
}

api::FieldErrors validate_object_meta(const json& object, const ResourceType& type) {
  api::FieldErrors errors;
  const std::string name = meta_string(object, "name");
  if (name.empty()) {
    errors.push_back(
        api::required_error(kMetadata.child("name"), "name or generateName is required"));
  } else {
    append(errors, name_errors(name, type));
  }
  append(errors, label_and_annotation_errors(object));
  return errors;
}

api::FieldErrors validate_object_meta_update(const json& object, const json& old) {
  api::FieldErrors errors;
  // ValidateObjectMetaAccessorUpdate's order: finalizers, immutable fields, labels, annotations.
  if (is_deleting(old)) {
    std::set<std::string> before;
    for (const auto& f : meta_of(old).value("finalizers", json::array())) {
      if (f.is_string()) before.insert(f.get<std::string>());
    }
    std::set<std::string> added;  // sets.String.List(): sorted, no duplicates
    for (const auto& f : meta_of(object).value("finalizers", json::array())) {
      if (f.is_string() && !before.contains(f.get<std::string>())) {
        added.insert(f.get<std::string>());
      }
    }
    if (!added.empty()) {
      std::string list;
      for (const auto& a : added) list += (list.empty() ? "" : ", ") + fmt::format("\"{}\"", a);
      errors.push_back(api::forbidden_error(
          kMetadata.child("finalizers"),
          fmt::format("no new finalizers can be added if the object is being deleted, found new "
                      "finalizers []string{{{}}}",
                      list)));
    }
  }
  for (const char* field : {"name", "namespace", "uid", "creationTimestamp"}) {
    const std::string now = meta_string(object, field);
    const std::string before = meta_string(old, field);
    if (now != before) {
      errors.push_back(api::invalid_error(kMetadata.child(field), now, "field is immutable"));
    }
  }
  append(errors, label_and_annotation_errors(object));
  return errors;
}

api::FieldErrors validate_builtin_update(const json& object, const json& old,
                                         const ResourceType& type) {
  api::FieldErrors errors;
  if (type.group == "apps" && type.plural == "statefulsets") {
    json a = object.value("spec", json::object());
    json b = old.value("spec", json::object());
    for (const char* mutable_field : {"replicas", "ordinals", "template", "updateStrategy",
                                      "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
      a.erase(mutable_field);
      b.erase(mutable_field);
    }
    if (a != b) {
      errors.push_back(api::forbidden_error(
          api::FieldPath("spec"),
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
          "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
          "'minReadySeconds' are forbidden"));
    }
  }
  return errors;
}

}  // namespace druid::testing
