#pragma once
// Where domain code changes the cluster: the counterpart of ObjectReader. The
// operator writes through its kube::Client (ClientWriter); unit tests write to
// an in-memory API (test/support/in_memory_cluster.hpp) with the same answers,
// so components and reconcilers run without an HTTPS server.

#include <nlohmann/json.hpp>
#include <string_view>

#include "component/object_reader.hpp"
#include "kube/client.hpp"
#include "kube/resource.hpp"

namespace druid::component {

// A writer reads live too (LiveApi): get_live is what a write that met
// AlreadyExists or a conflict continues from, and what reads payloads no cache
// holds (Secret data).
class ObjectWriter : public LiveApi {
 public:
  // The object's metadata.name (or generateName) names it.
  virtual kube::ApiResult<nlohmann::json> create(const util::ResourceType& type,
                                                 std::string_view ns,
                                                 const nlohmann::json& object) = 0;
  // `subresource` "status" patches the status subresource; "" the object.
  virtual kube::ApiResult<nlohmann::json> patch(const util::ResourceType& type, std::string_view ns,
                                                std::string_view name, kube::PatchType patch_type,
                                                const nlohmann::json& patch_body,
                                                std::string_view subresource) = 0;
  // PUT of the status subresource; metadata.resourceVersion makes it conditional.
  virtual kube::ApiResult<nlohmann::json> update_status(const util::ResourceType& type,
                                                        std::string_view ns,
                                                        const nlohmann::json& object) = 0;
  // The object (deletion pending on finalizers) or a Success Status.
  virtual kube::ApiResult<nlohmann::json> remove(const util::ResourceType& type,
                                                 std::string_view ns, std::string_view name,
                                                 const kube::DeleteOptions& options) = 0;
  virtual kube::ApiResult<nlohmann::json> delete_collection(const util::ResourceType& type,
                                                            std::string_view ns,
                                                            const kube::ListOptions& selection,
                                                            const kube::DeleteOptions& options) = 0;
};

// Writes (and reads live) with requests of the operator's client.
class ClientWriter final : public ObjectWriter {
 public:
  explicit ClientWriter(kube::Client& client) : client_(client) {}

  kube::ApiResult<nlohmann::json> create(const util::ResourceType& type, std::string_view ns,
                                         const nlohmann::json& object) override {
    return client_.create(type, ns, object);
  }
  kube::ApiResult<nlohmann::json> patch(const util::ResourceType& type, std::string_view ns,
                                        std::string_view name, kube::PatchType patch_type,
                                        const nlohmann::json& patch_body,
                                        std::string_view subresource) override {
    return client_.patch(type, ns, name, patch_type, patch_body, subresource);
  }
  kube::ApiResult<nlohmann::json> update_status(const util::ResourceType& type, std::string_view ns,
                                                const nlohmann::json& object) override {
    return client_.update_status(type, ns, object);
  }
  kube::ApiResult<nlohmann::json> remove(const util::ResourceType& type, std::string_view ns,
                                         std::string_view name,
                                         const kube::DeleteOptions& options) override {
    return client_.remove(type, ns, name, options);
  }
  kube::ApiResult<nlohmann::json> delete_collection(const util::ResourceType& type,
                                                    std::string_view ns,
                                                    const kube::ListOptions& selection,
                                                    const kube::DeleteOptions& options) override {
    return client_.delete_collection(type, ns, selection, options);
  }
  kube::ApiResult<nlohmann::json> get_live(const util::ResourceType& type, std::string_view ns,
                                           std::string_view name) override {
    return client_.get(type, ns, name);
  }
  kube::ApiResult<nlohmann::json> list_live(const util::ResourceType& type, std::string_view ns,
                                            const kube::ListOptions& options) override {
    return client_.list(type, ns, options);
  }

 private:
  kube::Client& client_;
};

}  // namespace druid::component
