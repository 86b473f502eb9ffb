#pragma once
// Where components read the current state of the objects they manage. The
// operator reads from its informers' caches (no request per reconcile); tests
// and tools can read live from the API server. Writes always go through the
// client, so a stale read costs at most one redundant, idempotent patch.

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

// Reads with GET/LIST requests.
class LiveReader final : public ObjectReader {
 public:
  explicit LiveReader(kube::Client& client) : client_(client) {}
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

  kube::Client& client_;
};

// `k1=v1,k2=v2` in key order, for label-selector query parameters.
std::string selector_string(const util::Labels& selector);
// `path=value` with the value escaped as apimachinery's fields.EscapeValue
// does ('\\', ',' and '=' behind a backslash).
std::string field_selector_string(std::string_view path, std::string_view value);

}  // namespace druid::component
