#include "operator/endpoints.hpp"

#include <httplib.h>

#include "operator/process_stats.hpp"

namespace druid::operator_ {
namespace {

void add_checks_route(httplib::Server& server, const HealthChecks& checks) {
  const auto handler = [&checks](const httplib::Request& request, httplib::Response& response) {
    const std::string prefix = "/" + checks.endpoint();
    std::string check;
    if (request.path.size() > prefix.size() + 1) check = request.path.substr(prefix.size() + 1);
    const HealthResponse answer = checks.evaluate(request.has_param("verbose"), check);
    response.status = answer.status;
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_content(answer.body, "text/plain; charset=utf-8");
  };
  server.Get("/" + checks.endpoint(), handler);
  server.Get("/" + checks.endpoint() + "/[^/]+", handler);
}

}  // namespace

MetricsSnapshot gather_metrics(const kube::Manager& manager, const kube::Client& client,
                               const std::optional<std::string>& lease_name) {
  MetricsSnapshot snapshot;
  snapshot.controllers = manager.controller_metrics();
  snapshot.requests = client.request_counts();
  // The leader elector talks through a client of its own; its requests count the same.
  for (const auto& [key, count] : manager.election_request_counts())
    snapshot.requests[key] += count;
  if (lease_name) snapshot.leader_election = LeaderElectionStatus{*lease_name, manager.is_leader()};
  snapshot.process = read_process_stats();
  return snapshot;
}

void add_metrics_route(httplib::Server& server, std::function<MetricsSnapshot()> gather) {
  server.Get("/metrics",
             [gather = std::move(gather)](const httplib::Request&, httplib::Response& response) {
               response.set_content(render_prometheus_text(gather()), kPrometheusContentType);
             });
}

void add_health_routes(httplib::Server& server, const HealthChecks& healthz,
                       const HealthChecks& readyz) {
  add_checks_route(server, healthz);
  add_checks_route(server, readyz);
}

}  // namespace druid::operator_
