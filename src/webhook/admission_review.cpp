#include "webhook/admission_review.hpp"

#include <fmt/format.h>

namespace druid::webhook {
namespace {

using nlohmann::json;

// Reads an optional string field; a value of another type is an error naming
// the field (Go's decoder refuses those too).
bool read_string(const json& parent, const char* key, const std::string& path, std::string& out,
                 std::string& error) {
  const auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error = fmt::format("{}.{}: expected a string, got {}", path, key, it->type_name());
    return false;
  }
  out = it->get<std::string>();
  return true;
}

bool read_object(const json& parent, const char* key, const std::string& path, const json*& out,
                 std::string& error) {
  static const json kEmpty = json::object();
  out = &kEmpty;
  const auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return true;
  if (!it->is_object()) {
    error = fmt::format("{}.{}: expected an object, got {}", path, key, it->type_name());
    return false;
  }
  out = &*it;
  return true;
}

bool read_request(const json& r, AdmissionRequest& out, std::string& error) {
  const std::string p = "request";
  const json* kind = nullptr;
  const json* resource = nullptr;
  const json* user = nullptr;
  if (!read_string(r, "uid", p, out.uid, error) || !read_object(r, "kind", p, kind, error) ||
      !read_object(r, "resource", p, resource, error) ||
      !read_string(r, "subResource", p, out.sub_resource, error) ||
      !read_string(r, "name", p, out.name, error) ||
      !read_string(r, "namespace", p, out.namespace_, error) ||
      !read_string(r, "operation", p, out.operation, error) ||
      !read_object(r, "userInfo", p, user, error)) {
    return false;
  }
  if (!read_string(*kind, "group", p + ".kind", out.kind.group, error) ||
      !read_string(*kind, "version", p + ".kind", out.kind.version, error) ||
      !read_string(*kind, "kind", p + ".kind", out.kind.kind, error) ||
      !read_string(*resource, "group", p + ".resource", out.resource.group, error) ||
      !read_string(*resource, "version", p + ".resource", out.resource.version, error) ||
      !read_string(*resource, "resource", p + ".resource", out.resource.resource, error) ||
      !read_string(*user, "username", p + ".userInfo", out.username, error)) {
    return false;
  }
  // Objects stay raw: whether they decode is the handler's question (400 there).
  out.object = r.value("object", json());
  out.old_object = r.value("oldObject", json());
  return true;
}

}  // namespace

Decision Decision::allow(std::string message, std::vector<std::string> warnings) {
  return {true, 200, "", std::move(message), std::move(warnings)};
}

Decision Decision::deny(std::string message) {
  return {false, 403, "Forbidden", std::move(message), {}};
}

Decision Decision::errored(int code, std::string message) {
  return {false, code, "", std::move(message), {}};
}

util::Expected<AdmissionReview, std::string> decode_admission_review(std::string_view body) {
  const json review = json::parse(body, nullptr, false);
  if (review.is_discarded()) {
    return util::unexpected(std::string("couldn't decode the AdmissionReview: invalid JSON"));
  }
  if (!review.is_object()) {
    return util::unexpected(fmt::format(
        "couldn't decode the AdmissionReview: expected an object, got {}", review.type_name()));
  }
  AdmissionReview out;
  std::string kind;
  std::string error;
  if (!read_string(review, "apiVersion", "AdmissionReview", out.api_version, error) ||
      !read_string(review, "kind", "AdmissionReview", kind, error)) {
    return util::unexpected(error);
  }
  // A review without type information is read as v1, as controller-runtime does.
  if (out.api_version.empty()) out.api_version = kAdmissionV1;
  if (kind.empty()) kind = kAdmissionReviewKind;
  if (kind != kAdmissionReviewKind ||
      (out.api_version != kAdmissionV1 && out.api_version != kAdmissionV1beta1)) {
    return util::unexpected(
        fmt::format(R"(no kind "{}" is registered for version "{}")", kind, out.api_version));
  }
  const auto request = review.find("request");
  if (request == review.end() || request->is_null()) {
    return util::unexpected(std::string("got an empty AdmissionRequest"));
  }
  if (!request->is_object()) {
    return util::unexpected(
        fmt::format("request: expected an object, got {}", request->type_name()));
  }
  if (!read_request(*request, out.request, error)) return util::unexpected(error);
  return out;
}

nlohmann::json encode_admission_review(const std::string& api_version, const std::string& uid,
                                       const Decision& decision) {
  // metav1.Status as Go writes it: metadata always, the rest when set.
  json status = {{"metadata", json::object()}};
  if (decision.code != 0) status["code"] = decision.code;
  if (!decision.reason.empty()) status["reason"] = decision.reason;
  if (!decision.message.empty()) status["message"] = decision.message;
  json response = {{"uid", uid}, {"allowed", decision.allowed}, {"status", status}};
  if (!decision.warnings.empty()) response["warnings"] = decision.warnings;
  return {{"kind", kAdmissionReviewKind}, {"apiVersion", api_version}, {"response", response}};
}

}  // namespace druid::webhook
