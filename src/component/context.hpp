#pragma once
// What a component needs for one reconcile of one Etcd: where to write and
// read, the operator's settings, the images, the time, and the values one
// component hands to a later one (the ConfigMap's checksum for the pod
// template). Built by the controller per reconcile; components keep no state.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/etcd.hpp"
#include "api/image_vector.hpp"
#include "api/operator_config.hpp"
#include "component/object_reader.hpp"
#include "component/object_writer.hpp"

namespace druid::component {

// The operator configuration the components read (upstream's api/config/v1alpha1/types.go).
struct OperatorSettings {
  bool disable_etcd_service_account_automount = false;
  api::FeatureGates feature_gates;
};

struct Context {
  Context(ObjectWriter& writer, ObjectReader& reader, const OperatorSettings& settings,
          const api::ImageVector& image_vector, const api::Etcd& etcd)
      : writer(writer),
        reader(reader),
        settings(settings),
        image_vector(image_vector),
        etcd(etcd) {}

  ObjectWriter& writer;
  ObjectReader& reader;
  const OperatorSettings& settings;
  const api::ImageVector& image_vector;
  const api::Etcd& etcd;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::string run_id;
  // SHA-256 of the ConfigMap data, set by the ConfigMap's sync; the
  // StatefulSet's pod template carries it (checksum/etcd-configmap).
  std::optional<std::string> configmap_checksum;
  // Set by the StatefulSet's pre-sync when it gave up waiting for a snapshot
  // after the last attempt, so the controller can warn.
  bool presync_snapshot_failed = false;
  // Writes (creates, patches, deletes) the components sent in this reconcile:
  // a periodic re-sync that sent none leaves lastOperation alone.
  int writes = 0;
  // The objects this reconcile created and updated ("StatefulSet etcd-main"),
  // in order, for the Etcd's lifecycle Event.
  std::vector<std::string> created;
  std::vector<std::string> updated;

  // Counts a create or update of `kind` `name` that the API server accepted.
  void record_created(std::string_view kind, std::string_view name) {
    created.push_back(std::string(kind) + " " + std::string(name));
  }
  void record_updated(std::string_view kind, std::string_view name) {
    updated.push_back(std::string(kind) + " " + std::string(name));
  }
};

}  // namespace druid::component
