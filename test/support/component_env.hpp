#pragma once
// A test API server with the druid CRDs, one namespace, an admin client, and
// a component Context for an Etcd created in it — what component tests need
// to run a real sync against HTTP.

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/image_vector.hpp"
#include "api/resources.hpp"
#include "component/context.hpp"
#include "component/object_reader.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"

namespace druid::test {

class ComponentEnv {
 public:
  ComponentEnv() : reader_(live_.client()) {
    live_.server().install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd");
    const auto error = kube::test::create_namespace(live_.client(), kTestNamespace);
    if (!error.empty()) throw std::runtime_error(error);
  }

  kube::Client& client() { return live_.client(); }
  druid::testing::TestApiServer& server() { return live_.server(); }
  component::LiveReader& reader() { return reader_; }
  component::OperatorSettings& settings() { return settings_; }

  // Creates the Etcd in the server (uid and generation assigned by it) and
  // returns it decoded.
  api::Etcd create_etcd(nlohmann::json etcd) {
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    auto created = client().create(api::resources::kEtcds, kTestNamespace, etcd);
    if (!created) throw std::runtime_error(created.error().what());
    return decode(*created);
  }

  // A context for `etcd`; keep `etcd` alive while using it.
  component::Context context(const api::Etcd& etcd) {
    return component::Context{client(), reader_, settings_, api::embedded_image_vector(), etcd};
  }

 private:
  kube::test::LiveServer live_;
  component::LiveReader reader_;
  component::OperatorSettings settings_;
};

}  // namespace druid::test
