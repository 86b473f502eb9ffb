#pragma once
// The routes of the operator's plain-HTTP servers: /metrics (Prometheus text
// of a snapshot gathered per scrape) and /healthz, /readyz (with ?verbose and
// per-check sub-paths).

#include <functional>
#include <optional>
#include <string>

#include "kube/client.hpp"
#include "kube/manager.hpp"
#include "operator/health_checks.hpp"
#include "operator/prometheus_text.hpp"

namespace httplib {
class Server;
}

namespace druid::operator_ {

// What a scrape reads: the manager's controllers and leadership, the client's
// request counters, /proc. `lease_name` is set when leader election is enabled.
MetricsSnapshot gather_metrics(const kube::Manager& manager, const kube::Client& client,
                               const std::optional<std::string>& lease_name);

void add_metrics_route(httplib::Server& server, std::function<MetricsSnapshot()> gather);

// The checks must outlive the server.
void add_health_routes(httplib::Server& server, const HealthChecks& healthz,
                       const HealthChecks& readyz);

}  // namespace druid::operator_
