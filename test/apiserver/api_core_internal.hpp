#pragma once
// Shared between the api_core*.cpp files: the per-request context and the
// write plan. Not part of the server's interface.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "apiserver/api_core.hpp"

namespace druid::testing {

struct ApiCore::Context {
  const ApiRequest& request;
  RequestInfo info;
  ResourceType type;
  bool dry_run = false;
  QualifiedResource resource() const { return type.qualified_resource(); }
};

struct ApiCore::WritePlan {
  enum class Kind { kCreate, kUpdate, kNoop };
  Kind kind = Kind::kUpdate;
  ObjectKey key;
  nlohmann::json object;         // what to store
  nlohmann::json old;            // the stored object the plan was made from (null on create)
  bool rv_precondition = false;  // the request named a resourceVersion: a change in
                                 // between is a conflict, not a reason to retry
  int code = 200;
  std::vector<std::string> warnings;  // Warning headers (unknown fields dropped)
  // The body for the client from the stored object (the object, or its Scale).
  std::function<nlohmann::json(const nlohmann::json&)> render;
};

namespace core_detail {

std::string meta_string(const nlohmann::json& object, const char* field);
// Drops the fields a custom resource's schema does not declare; 400 under
// ?fieldValidation=Strict, warnings otherwise (none under Ignore).
util::Expected<std::vector<std::string>, StatusError> prune_custom_resource(
    const ResourceType& type, nlohmann::json& object, const QueryParams& query);
util::Expected<nlohmann::json, StatusError> parse_body(const ApiRequest& request);

}  // namespace core_detail
}  // namespace druid::testing
