#pragma once
// The druid CRDs, one namespace and a component Context for an Etcd created in
// it, over the in-memory API (in_memory_cluster.hpp): what component tests need
// to run a real sync, without a server process.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "api/image_vector.hpp"
#include "api/resources.hpp"
#include "component/context.hpp"
#include "component/object_reader.hpp"
#include "support/fixtures.hpp"
#include "support/in_memory_cluster.hpp"

namespace druid::test {

class ComponentEnv {
 public:
  ComponentEnv() {
    auto created = cluster_.create_namespace(kTestNamespace);
    if (!created) throw std::runtime_error(created.error().what());
  }

  InMemoryCluster& cluster() { return cluster_; }
  component::ObjectReader& reader() { return cluster_.reader(); }
  component::OperatorSettings& settings() { return settings_; }

  // Creates the Etcd in the cluster (uid and generation assigned by it) and
  // returns it decoded.
  api::Etcd create_etcd(nlohmann::json etcd) {
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    auto created = cluster_.create(api::resources::kEtcds, kTestNamespace, etcd);
    if (!created) throw std::runtime_error(created.error().what());
    return decode(*created);
  }

  // A context for `etcd`; keep `etcd` alive while using it.
  component::Context context(const api::Etcd& etcd) {
    return component::Context{cluster_, cluster_.reader(), settings_, api::embedded_image_vector(),
                              etcd};
  }

 private:
  InMemoryCluster cluster_;
  component::OperatorSettings settings_;
};

}  // namespace druid::test
