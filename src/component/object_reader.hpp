#pragma once
// Where components read the current state of the objects they manage. The
// operator reads from its informers' caches (no request per reconcile); tests
// and tools can read live from the API server. Writes always go to the API
// server (object_writer.hpp), so a stale read costs at most one redundant,
// idempotent patch.

#include <string_view>
#include <vector>

#include "api/label_selector.hpp"
#include "kube/cache.hpp"
#include "kube/client.hpp"
#include "kube/resource.hpp"

namespace druid::component {

class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // nullptr when the object does not exist.
  virtual kube::ApiResult<kube::ObjectPtr> get(const util::ResourceType& type, std::string_view ns,
                                               std::string_view name) = 0;
  // Objects of the namespace whose labels include every pair of `selector`.
  virtual kube::ApiResult<std::vector<kube::ObjectPtr>> list(const util::ResourceType& type,
                                                             std::string_view ns,
                                                             const util::Labels& selector) = 0;
  // Objects of the namespace whose string field at the dotted `path` equals
  // `value`: the field selector "path=value", which the API server must
  // support for the type (involvedObject.name for Events).
  virtual kube::ApiResult<std::vector<kube::ObjectPtr>> list_by_field(
      const util::ResourceType& type, std::string_view ns, std::string_view path,
      std::string_view value) = 0;
};

// The API server's own answers to GET and LIST, never from a cache: what
// LiveReader reads through. The operator's ClientWriter sends them as requests;
// the unit tests' in-memory API answers them in-process.
class LiveApi {
 public:
  virtual ~LiveApi() = default;
  // A missing object is a kNotFound error.
  virtual kube::ApiResult<nlohmann::json> get_live(const util::ResourceType& type,
                                                   std::string_view ns, std::string_view name) = 0;
  // The List object, with its items.
  virtual kube::ApiResult<nlohmann::json> list_live(const util::ResourceType& type,
                                                    std::string_view ns,
                                                    const kube::ListOptions& options) = 0;
};

// An ObjectReader over GET and LIST requests.
class LiveReader final : public ObjectReader {
 public:
  explicit LiveReader(LiveApi& api) : api_(api) {}
  kube::ApiResult<kube::ObjectPtr> get(const util::ResourceType& type, std::string_view ns,
                                       std::string_view name) override;
  kube::ApiResult<std::vector<kube::ObjectPtr>> list(const util::ResourceType& type,
                                                     std::string_view ns,
                                                     const util::Labels& selector) override;
  kube::ApiResult<std::vector<kube::ObjectPtr>> list_by_field(const util::ResourceType& type,
                                                              std::string_view ns,
                                                              std::string_view path,
                                                              std::string_view value) override;

 private:
  kube::ApiResult<std::vector<kube::ObjectPtr>> list_with(const util::ResourceType& type,
                                                          std::string_view ns,
                                                          const kube::ListOptions& options);

  LiveApi& api_;
};

// `k1=v1,k2=v2` in key order, for label-selector query parameters.
std::string selector_string(const util::Labels& selector);
// `path=value` with the value escaped as apimachinery's fields.EscapeValue
// does ('\\', ',' and '=' behind a backslash).
std::string field_selector_string(std::string_view path, std::string_view value);

}  // namespace druid::component
