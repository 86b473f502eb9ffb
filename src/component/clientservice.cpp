#include "component/clientservice.hpp"

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

namespace {

nlohmann::json tcp_port(const char* name, std::int32_t port) {
  return {{"name", name}, {"protocol", "TCP"}, {"port", port}, {"targetPort", port}};
}

}  // namespace

nlohmann::json build_client_service(const api::Etcd& etcd) {
  const auto& client_service = etcd.spec.etcd.client_service;
  nlohmann::json metadata =
      managed_metadata(etcd, api::client_service_name(etcd), api::client_service_labels(etcd));
  if (client_service && !client_service->annotations.empty()) {
    metadata["annotations"] = client_service->annotations;
  }
  nlohmann::json traffic_distribution = nullptr;
  if (client_service && client_service->traffic_distribution) {
    traffic_distribution = *client_service->traffic_distribution;
  }
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", std::move(metadata)},
          {"spec",
           {{"type", "ClusterIP"},
            {"sessionAffinity", "None"},
            {"selector", api::etcd_pod_selector_labels(etcd)},
            {"ports", nlohmann::json::array({
                          tcp_port("client", api::effective::client_port(etcd)),
                          // Peer traffic uses the peer Service; upstream keeps
                          // this port only until a later release removes it.
                          tcp_port("server", api::effective::server_port(etcd)),
                          tcp_port("backuprestore", api::effective::backup_port(etcd)),
                      })},
            {"trafficDistribution", std::move(traffic_distribution)}}}};
}

ComponentPtr make_client_service_component() {
  return std::make_unique<SingleObjectComponent>(SingleObjectDefinition{
      .kind = "ClientService",
      .type = kube::resources::kServices,
      .name = api::client_service_name,
      .build = [](const Context& ctx) { return build_client_service(ctx.etcd); },
      .get_error = error_code::kGetClientService,
      .sync_error = error_code::kSyncClientService,
      .delete_error = error_code::kDeleteClientService,
      .description = "client service",
      // druid owns the annotations of the client Service entirely (as upstream's clientservice.go),
      // so annotations removed from spec.etcd.clientService disappear from it.
      .patch_options = {{"/metadata/labels", "/metadata/annotations"}},
  });
}

}  // namespace druid::component
