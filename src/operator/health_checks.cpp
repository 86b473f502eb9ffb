#include "operator/health_checks.hpp"

namespace druid::operator_ {
namespace {

constexpr int kOk = 200;
constexpr int kNotFound = 404;
constexpr int kUnavailable = 503;

}  // namespace

void HealthChecks::add(std::string name, Check check) {
  checks_.emplace_back(std::move(name), std::move(check));
}

HealthResponse HealthChecks::evaluate(bool verbose, std::string_view check) const {
  if (!check.empty()) {
    for (const auto& [name, function] : checks_) {
      if (name != check) continue;
      if (const auto result = function(); !result) {
        return {kUnavailable, "internal server error: " + result.error() + "\n"};
      }
      return {kOk, "ok"};
    }
    return {kNotFound, "no such " + endpoint_ + " check: " + std::string(check) + "\n"};
  }

  std::string lines;
  bool failed = false;
  for (const auto& [name, function] : checks_) {
    if (const auto result = function(); !result) {
      failed = true;
      lines += "[-]" + name + " failed: " + result.error() + "\n";
    } else {
      lines += "[+]" + name + " ok\n";
    }
  }
  if (failed) return {kUnavailable, lines + endpoint_ + " check failed\n"};
  if (verbose) return {kOk, lines + endpoint_ + " check passed\n"};
  return {kOk, "ok"};
}

}  // namespace druid::operator_
