#include "kube/request_encoding.hpp"

namespace druid::kube {

std::vector<std::pair<std::string, std::string>> list_query_parameters(const ListOptions& options) {
  std::vector<std::pair<std::string, std::string>> parameters;
  const auto add = [&](const char* key, std::string value) {
    if (!value.empty()) parameters.emplace_back(key, std::move(value));
  };
  add("labelSelector", options.label_selector);
  add("fieldSelector", options.field_selector);
  add("limit", options.limit ? std::to_string(*options.limit) : "");
  add("continue", options.continue_token);
  add("resourceVersion", options.resource_version);
  add("resourceVersionMatch", options.resource_version_match);
  return parameters;
}

nlohmann::json delete_options_body(const DeleteOptions& options) {
  nlohmann::json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (options.propagation_policy) body["propagationPolicy"] = *options.propagation_policy;
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (options.precondition_uid || options.precondition_resource_version) {
    nlohmann::json& preconditions = body["preconditions"] = nlohmann::json::object();
    if (options.precondition_uid) preconditions["uid"] = *options.precondition_uid;
    if (options.precondition_resource_version) {
      preconditions["resourceVersion"] = *options.precondition_resource_version;
    }
  }
  if (options.dry_run) body["dryRun"] = nlohmann::json::array({"All"});
  return body;
}

std::string_view patch_content_type(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

}  // namespace druid::kube
