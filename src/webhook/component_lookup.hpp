#pragma once
// What the component-protection decision needs to read from the cluster, as
// an interface: the server answers it with a kube::Client (client_lookup.hpp),
// tests with a fake. Errors are the text the webhook reports (HTTP 500).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/label_selector.hpp"
#include "util/expected.hpp"

namespace druid::webhook {

template <class T>
using Lookup = util::Expected<T, std::string>;

class ComponentLookup {
 public:
  virtual ~ComponentLookup() = default;
  // The Etcd object; nullopt when it does not exist.
  virtual Lookup<std::optional<nlohmann::json>> get_etcd(const std::string& ns,
                                                         const std::string& name) = 0;
  // The StatefulSet's metadata; a missing StatefulSet is an error.
  virtual Lookup<nlohmann::json> get_statefulset_metadata(const std::string& ns,
                                                          const std::string& name) = 0;
  // The metadata of every StatefulSet in `ns` carrying all of `labels`.
  virtual Lookup<std::vector<nlohmann::json>> list_statefulset_metadata(
      const std::string& ns, const util::Labels& labels) = 0;
};

}  // namespace druid::webhook
