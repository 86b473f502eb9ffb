#pragma once
// What /initialization/start runs in the background (test/localenv/README.md): the
// learner add of a new member of a multi-member cluster, else the data
// directory's validation (safe_guard, structure) and, for a single member
// without valid data, the restore from the Local store.

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "etcd/client.hpp"
#include "kube/client.hpp"
#include "localenv/member_agent/local_snapstore.hpp"
#include "util/expected.hpp"

namespace druid::localenv::backup {

enum class ValidationMode { kFull, kSanity };

// "sanity" → kSanity; anything else (missing, unknown) → kFull, as upstream.
ValidationMode validation_mode_from(const std::string& text);

enum class DataDirState { kAbsent, kValid, kInvalid };

// Absent, or valid when it has member/snap and member/wal (and in full mode
// member/snap/db).
DataDirState check_data_dir(const std::filesystem::path& data_dir, ValidationMode mode);

struct InitializerInputs {
  nlohmann::json config;  // the ConfigMap's etcd.conf.yaml
  std::string pod_name;
  std::string pod_namespace;
  std::filesystem::path data_dir;
  std::filesystem::path data_volume_dir;  // holds safe_guard
  std::int64_t quota_bytes = 8589934592;
  etcd::ClientOptions service_endpoints;  // empty endpoints: membership unknown
  kube::Client* kube = nullptr;  // for the member lease; null: never ran before is assumed unknown
  const LocalSnapstore* store = nullptr;  // null: no Local store
  const std::atomic<bool>* stop = nullptr;
};

// Success, or an error text naming what failed (it is logged; the state
// becomes Failed).
util::Expected<bool, std::string> initialize_member(const InitializerInputs& inputs,
                                                    ValidationMode mode);

}  // namespace druid::localenv::backup
