#include "apiserver/admission.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

#include "apiserver/scale.hpp"
#include "util/base64.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

bool list_matches(const json& list, const std::string& value) {
  if (!list.is_array()) return false;
  for (const auto& v : list) {
    if (v == "*" || v == value) return true;
  }
  return false;
}

bool resource_matches(const json& resources, const std::string& resource,
                      const std::string& subresource) {
  if (!resources.is_array()) return false;
  for (const auto& entry : resources) {
    if (!entry.is_string()) continue;
    const std::string r = entry.get<std::string>();
    const auto slash = r.find('/');
    const std::string res = r.substr(0, slash);
    const std::string sub = slash == std::string::npos ? "" : r.substr(slash + 1);
    const bool res_ok = res == "*" || res == resource;
    const bool sub_ok =
        slash == std::string::npos ? subresource.empty() : (sub == "*" || sub == subresource);
    if (res_ok && sub_ok) return true;
  }
  return false;
}

util::Labels labels_of(const json& object) {
  util::Labels labels;
  if (!object.is_object() || !object.contains("metadata")) return labels;
  const json& meta = object["metadata"];
  if (!meta.contains("labels") || !meta["labels"].is_object()) return labels;
  for (const auto& [k, v] : meta["labels"].items()) {
    if (v.is_string()) labels[k] = v.get<std::string>();
  }
  return labels;
}

json group_version_kind(const AdmissionAttributes& a) {
  if (a.subresource == "scale")
    return {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}};
  return {{"group", a.type.group}, {"version", a.type.version}, {"kind", a.type.kind}};
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

StatusError call_failure(const std::string& webhook, const std::string& url,
                         const std::string& cause) {
  return internal_error(
      fmt::format("failed calling webhook \"{}\": failed to call webhook: Post "
                  "\"{}\": {}",
                  webhook, url, cause));
}

}  // namespace

bool rule_matches(const json& rule, const AdmissionAttributes& a) {
  if (!list_matches(rule.value("operations", json::array()), a.operation)) return false;
  if (!list_matches(rule.value("apiGroups", json::array()), a.type.group)) return false;
  if (!list_matches(rule.value("apiVersions", json::array()), a.type.version)) return false;
  if (!resource_matches(rule.value("resources", json::array()), a.type.plural, a.subresource)) {
    return false;
  }
  const std::string scope = rule.value("scope", "*");
  if (scope == "Namespaced") return a.type.namespaced;
  if (scope == "Cluster") return !a.type.namespaced;
  return true;
}

bool label_selector_matches(const json& selector, const util::Labels& labels) {
  if (!selector.is_object() || selector.empty()) return true;
  const std::string text = label_selector_string(selector);
  if (text.empty()) return true;
  auto parsed = util::Selector::parse(text);
  return parsed && parsed->matches(labels);
}

json admission_review(const AdmissionAttributes& a, const std::string& uid) {
  json resource = {
      {"group", a.type.group}, {"version", a.type.version}, {"resource", a.type.plural}};
  json request = {{"uid", uid},
                  {"kind", group_version_kind(a)},
                  {"resource", resource},
                  {"requestKind", group_version_kind(a)},
                  {"requestResource", resource},
                  {"name", a.name},
                  {"operation", a.operation},
                  {"userInfo", {{"username", a.user.username}, {"groups", a.user.groups}}},
                  {"object", a.object},
                  {"oldObject", a.old_object},
                  {"dryRun", a.dry_run},
                  {"options", a.options}};
  if (!a.user.uid.empty()) request["userInfo"]["uid"] = a.user.uid;
  if (!a.subresource.empty()) {
    request["subResource"] = a.subresource;
    request["requestSubResource"] = a.subresource;
  }
  if (!a.ns.empty()) request["namespace"] = a.ns;
  return {{"kind", "AdmissionReview"}, {"apiVersion", "admission.k8s.io/v1"}, {"request", request}};
}

StatusError denied_error(const std::string& webhook, const json& status) {
  StatusError e;
  const json s = status.is_object() ? status : json::object();
  e.code = s.value("code", 0);
  if (e.code < 400) e.code = 400;  // a rejection is never a success code
  e.reason = s.value("reason", "");
  const std::string denied_by = fmt::format("admission webhook \"{}\" denied the request", webhook);
  const std::string message = s.value("message", "");
  if (!message.empty()) {
    e.message = denied_by + ": " + message;
  } else if (!e.reason.empty()) {
    e.message = denied_by + ": " + e.reason;
  } else {
    e.message = denied_by + " without explanation";
  }
  if (s.contains("details")) e.details = s["details"];
  return e;
}

WebhookAdmission::WebhookAdmission(NamespaceLabels namespace_labels, CallObserver on_call)
    : namespace_labels_(std::move(namespace_labels)), on_call_(std::move(on_call)) {}

bool WebhookAdmission::webhook_matches(const json& webhook, const AdmissionAttributes& a) const {
  bool any_rule = false;
  for (const auto& rule : webhook.value("rules", json::array())) {
    if (rule_matches(rule, a)) {
      any_rule = true;
      break;
    }
  }
  if (!any_rule) return false;
  const json object_selector = webhook.value("objectSelector", json::object());
  if (!label_selector_matches(object_selector, labels_of(a.object)) &&
      !label_selector_matches(object_selector, labels_of(a.old_object))) {
    return false;
  }
  const json namespace_selector = webhook.value("namespaceSelector", json::object());
  if (a.type.namespaced && !a.ns.empty() && namespace_labels_) {
    return label_selector_matches(namespace_selector, namespace_labels_(a.ns));
  }
  if (a.type.group.empty() && a.type.plural == "namespaces") {
    return label_selector_matches(namespace_selector,
                                  labels_of(a.object.is_null() ? a.old_object : a.object));
  }
  return true;
}

std::optional<StatusError> WebhookAdmission::call(const json& webhook,
                                                  const AdmissionAttributes& a) {
  const std::string name = webhook.value("name", "");
  const bool ignore_failures = webhook.value("failurePolicy", "Fail") == "Ignore";
  const long timeout = webhook.value("timeoutSeconds", 10);
  const json config = webhook.value("clientConfig", json::object());
  std::string url = config.value("url", "");
  std::string resolve;
  if (url.empty() && config.contains("service")) {
    // In-cluster services are reached on loopback: the webhook server of a
    // test listens on 127.0.0.1 and presents a certificate for the service name.
    const json& service = config["service"];
    const std::string host =
        service.value("name", "") + "." + service.value("namespace", "") + ".svc";
    const int port = service.value("port", 443);
    url = fmt::format("https://{}:{}{}", host, port, service.value("path", ""));
    resolve = fmt::format("{}:{}:127.0.0.1", host, port);
  }
  const std::string full_url =
      fmt::format("{}{}timeout={}s", url, url.find('?') == std::string::npos ? "?" : "&", timeout);
  auto fail = [&](const std::string& cause) -> std::optional<StatusError> {
    if (ignore_failures) return std::nullopt;
    return call_failure(name, full_url, cause);
  };

  const std::string uid = ids_.uid();
  const std::string body = admission_review(a, uid).dump();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return fail("cannot create an HTTP client");
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  headers.reset(curl_slist_append(headers.release(), "Accept: application/json"));
  std::unique_ptr<curl_slist, SlistDeleter> resolves;
  std::string response;
  std::string ca = util::base64_decode(config.value("caBundle", "")).value_or("");
  curl_easy_setopt(curl.get(), CURLOPT_URL, full_url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
  if (!ca.empty()) {
    curl_blob blob{ca.data(), ca.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!resolve.empty()) {
    resolves.reset(curl_slist_append(nullptr, resolve.c_str()));
    curl_easy_setopt(curl.get(), CURLOPT_RESOLVE, resolves.get());
  }
  const CURLcode result = curl_easy_perform(curl.get());
  if (result != CURLE_OK) {
    if (result == CURLE_OPERATION_TIMEDOUT) {
      return fail("context deadline exceeded");
    }
    return fail(curl_easy_strerror(result));
  }
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  if (code != 200) return fail(fmt::format("the server responded with status {}", code));
  json review = json::parse(response, nullptr, false);
  if (review.is_discarded() || !review.contains("response")) {
    return fail("received invalid webhook response: no response in the AdmissionReview");
  }
  const json& r = review["response"];
  if (r.value("uid", "") != uid) {
    return fail(fmt::format("expected response.uid=\"{}\", got \"{}\"", uid, r.value("uid", "")));
  }
  if (r.value("allowed", false)) return std::nullopt;
  return denied_error(name, r.value("status", json::object()));
}

std::optional<StatusError> WebhookAdmission::review(const AdmissionAttributes& a,
                                                    const std::vector<json>& configurations) {
  // Webhook configurations themselves are never sent to webhooks.
  if (a.type.group == "admissionregistration.k8s.io") return std::nullopt;
  for (const auto& configuration : configurations) {
    for (const auto& webhook : configuration.value("webhooks", json::array())) {
      if (!webhook_matches(webhook, a)) continue;
      if (on_call_) on_call_(webhook.value("name", ""));
      if (auto error = call(webhook, a)) return error;
    }
  }
  return std::nullopt;
}

}  // namespace druid::testing
