#pragma once
// The test API server's Kubernetes semantics (apiserver/api_core.hpp: validation,
// defaulting, merge and strategic patches, resourceVersions, deletion with
// finalizers, owner references, field selectors, injected errors and request
// counters) without its HTTPS front: requests go straight to an in-process
// ApiCore, so unit tests of components and reconcilers run in milliseconds
// without sockets, TLS or threads. It is the domain code's ObjectWriter and,
// through reader(), its ObjectReader; the Client-shaped methods serve the tests'
// own reads and edits.

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/api_core.hpp"
#include "apiserver/crd_install.hpp"
#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "kube/api_error.hpp"
#include "kube/client.hpp"
#include "kube/request_encoding.hpp"
#include "kube/resource.hpp"
#include "util/text.hpp"

namespace druid::test {

class InMemoryCluster final : public component::ObjectWriter {
 public:
  // The repository's CRDs installed (with CEL rules unless `rules` says otherwise).
  explicit InMemoryCluster(druid::testing::CrdRules rules = druid::testing::CrdRules::kCel) {
    druid::testing::install_crds(core_, std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd",
                                 rules);
  }
  InMemoryCluster(const InMemoryCluster&) = delete;
  InMemoryCluster& operator=(const InMemoryCluster&) = delete;

  druid::testing::ApiCore& core() { return core_; }
  druid::testing::Controls& controls() { return core_.controls(); }
  // Reads as the operator's live reader makes them (GET and LIST requests).
  component::ObjectReader& reader() { return reader_; }

  kube::ApiResult<nlohmann::json> create_namespace(const std::string& name) {
    return create(kube::resources::kNamespaces, "",
                  {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  }

  // --- component::ObjectWriter (and its LiveApi)
  kube::ApiResult<nlohmann::json> create(const util::ResourceType& type, std::string_view ns,
                                         const nlohmann::json& object) override {
    return send("POST", type.path(ns.empty() ? namespace_of(object) : std::string(ns)), {},
                object.dump(), "application/json");
  }
  kube::ApiResult<nlohmann::json> patch(const util::ResourceType& type, std::string_view ns,
                                        std::string_view name, kube::PatchType patch_type,
                                        const nlohmann::json& patch_body,
                                        std::string_view subresource) override {
    return send("PATCH", type.path(ns, name, subresource), {}, patch_body.dump(),
                std::string(kube::patch_content_type(patch_type)));
  }
  kube::ApiResult<nlohmann::json> update_status(const util::ResourceType& type, std::string_view ns,
                                                const nlohmann::json& object) override {
    return send("PUT", type.path(ns, object.at("metadata").value("name", ""), "status"), {},
                object.dump(), "application/json");
  }
  kube::ApiResult<nlohmann::json> remove(const util::ResourceType& type, std::string_view ns,
                                         std::string_view name,
                                         const kube::DeleteOptions& options) override {
    return send("DELETE", type.path(ns, name), {}, kube::delete_options_body(options).dump(),
                "application/json");
  }
  kube::ApiResult<nlohmann::json> delete_collection(const util::ResourceType& type,
                                                    std::string_view ns,
                                                    const kube::ListOptions& selection,
                                                    const kube::DeleteOptions& options) override {
    return send("DELETE", type.path(ns), kube::list_query_parameters(selection),
                kube::delete_options_body(options).dump(), "application/json");
  }
  kube::ApiResult<nlohmann::json> get_live(const util::ResourceType& type, std::string_view ns,
                                           std::string_view name) override {
    return get(type, ns, name);
  }
  kube::ApiResult<nlohmann::json> list_live(const util::ResourceType& type, std::string_view ns,
                                            const kube::ListOptions& options) override {
    return list(type, ns, options);
  }

  // --- as kube::Client has them
  kube::ApiResult<nlohmann::json> get(const util::ResourceType& type, std::string_view ns,
                                      std::string_view name) {
    return send("GET", type.path(ns, name), {}, {}, {});
  }
  kube::ApiResult<nlohmann::json> list(const util::ResourceType& type, std::string_view ns,
                                       const kube::ListOptions& options = {}) {
    return send("GET", type.path(ns), kube::list_query_parameters(options), {}, {});
  }
  kube::ApiResult<nlohmann::json> update(const util::ResourceType& type, std::string_view ns,
                                         const nlohmann::json& object) {
    return send("PUT", type.path(ns, object.at("metadata").value("name", "")), {}, object.dump(),
                "application/json");
  }
  kube::ApiResult<nlohmann::json> patch(const util::ResourceType& type, std::string_view ns,
                                        std::string_view name, kube::PatchType patch_type,
                                        const nlohmann::json& patch_body) {
    return patch(type, ns, name, patch_type, patch_body, {});
  }
  kube::ApiResult<nlohmann::json> remove(const util::ResourceType& type, std::string_view ns,
                                         std::string_view name) {
    return remove(type, ns, name, kube::DeleteOptions{});
  }

 private:
  static std::string namespace_of(const nlohmann::json& object) {
    return object.contains("metadata") ? object["metadata"].value("namespace", "") : "";
  }

  // One request as the admin user (system:masters); an answer of 400 or more
  // becomes the ApiError a client would decode from it.
  kube::ApiResult<nlohmann::json> send(
      std::string method, const std::string& path,
      const std::vector<std::pair<std::string, std::string>>& query, std::string body,
      std::string content_type) {
    druid::testing::ApiRequest request;
    request.method = std::move(method);
    request.path = percent_decoded(path);  // as an HTTP server hands it on
    for (const auto& [key, value] : query) request.query.emplace(key, value);
    request.body = std::move(body);
    request.content_type = std::move(content_type);
    request.accept = "application/json";
    request.user = {"admin", "", {"system:masters", "system:authenticated"}};
    const druid::testing::ApiResponse response = core_.handle(request);
    if (response.status >= 400) {
      kube::HttpHeaders headers;
      for (const auto& [name, value] : response.headers) headers[util::ascii_lower(name)] = value;
      return util::unexpected(kube::from_response(response.status, response.body.dump(), headers));
    }
    return response.body;
  }

  // ResourceType::path percent-encodes its segments (RBAC names hold ':').
  static std::string percent_decoded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '%' && i + 2 < text.size()) {
        out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  }

  druid::testing::ApiCore core_;
  component::LiveReader reader_{*this};
};

}  // namespace druid::test
