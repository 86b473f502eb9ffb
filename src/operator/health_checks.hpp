#pragma once
// /healthz and /readyz as controller-runtime's healthz handler answers them:
// named checks; "ok" when all pass; otherwise one line per check
// ("[+]ping ok", "[-]informer-sync failed: <reason>") and "<endpoint> check
// failed". `?verbose` lists the checks on success too, and
// /<endpoint>/<check> asks one check. Failures answer 503 (upstream never
// serves these endpoints; 503 is what Kubernetes' own components answer).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace druid::operator_ {

// Check names of upstream's internal/manager/manager.go.
inline constexpr const char* kPingCheck = "ping";
inline constexpr const char* kInformerSyncCheck = "informer-sync";
inline constexpr const char* kWebhookServerCheck = "webhook-server";

struct HealthResponse {
  int status = 200;
  std::string body;
};

class HealthChecks {
 public:
  // Success when healthy, else the error says why not. Called on server threads.
  using Check = std::function<util::Expected<void, std::string>()>;

  explicit HealthChecks(std::string endpoint) : endpoint_(std::move(endpoint)) {}
  void add(std::string name, Check check);

  // The answer for /<endpoint> (check empty) or /<endpoint>/<check>.
  HealthResponse evaluate(bool verbose, std::string_view check = {}) const;
  const std::string& endpoint() const { return endpoint_; }

 private:
  std::string endpoint_;  // "healthz", "readyz"
  std::vector<std::pair<std::string, Check>> checks_;
};

}  // namespace druid::operator_
