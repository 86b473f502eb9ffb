#include "component/peerservice.hpp"

#include "api/codec.hpp"
#include "api/defaults.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "component/single_object_component.hpp"
#include "kube/resource.hpp"

namespace druid::component {

nlohmann::json build_peer_service(const api::Etcd& etcd) {
  const std::int32_t peer_port = api::effective::server_port(etcd);
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata",
           managed_metadata(etcd, api::peer_service_name(etcd), api::peer_service_labels(etcd))},
          {"spec",
           {{"type", "ClusterIP"},
            {"clusterIP", "None"},
            {"sessionAffinity", "None"},
            {"selector", api::etcd_pod_selector_labels(etcd)},
            {"publishNotReadyAddresses", true},
            {"ports", nlohmann::json::array({{{"name", "peer"},
                                              {"protocol", "TCP"},
                                              {"port", peer_port},
                                              {"targetPort", peer_port}}})}}}};
}

ComponentPtr make_peer_service_component() {
  return std::make_unique<SingleObjectComponent>(SingleObjectDefinition{
      .kind = "PeerService",
      .type = kube::resources::kServices,
      .name = api::peer_service_name,
      .build = [](const Context& ctx) { return build_peer_service(ctx.etcd); },
      .get_error = error_code::kGetPeerService,
      .sync_error = error_code::kSyncPeerService,
      .delete_error = error_code::kDeletePeerService,
      .description = "peer service",
  });
}

}  // namespace druid::component
