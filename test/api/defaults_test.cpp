#include "api/defaults.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace druid::api {
namespace {

using namespace std::chrono_literals;

Etcd make_etcd() {
  Etcd etcd;
  etcd.metadata.name = "etcd-main";
  etcd.spec.replicas = 3;
  return etcd;
}

// --- plain values: one row per field, default and user value ----------------

template <class T>
struct ValueCase {
  const char* field;
  std::function<T(const Etcd&)> effective;
  T expected_default;
  std::function<void(Etcd&)> set_user_value;
  T expected_user;
};

template <class T>
void check(const std::vector<ValueCase<T>>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(c.effective(make_etcd()), c.expected_default) << c.field << " default";
    Etcd etcd = make_etcd();
    c.set_user_value(etcd);
    EXPECT_EQ(c.effective(etcd), c.expected_user) << c.field << " user value";
  }
}

TEST(Defaults, IntegerFields) {
  check<std::int64_t>({
      {"spec.etcd.snapshotCount", effective::snapshot_count, 10000,
       [](Etcd& e) { e.spec.etcd.snapshot_count = 75000; }, 75000},
      {"spec.etcd.serverPort", effective::server_port, 2380,
       [](Etcd& e) { e.spec.etcd.server_port = 12380; }, 12380},
      {"spec.etcd.clientPort", effective::client_port, 2379,
       [](Etcd& e) { e.spec.etcd.client_port = 12379; }, 12379},
      {"spec.etcd.wrapperPort", effective::wrapper_port, 9095,
       [](Etcd& e) { e.spec.etcd.wrapper_port = 19095; }, 19095},
      {"spec.backup.port", effective::backup_port, 8080,
       [](Etcd& e) { e.spec.backup.port = 18080; }, 18080},
      {"spec.backup.maxBackupsLimitBasedGC", effective::max_backups_limit_based_gc, 7,
       [](Etcd& e) { e.spec.backup.max_backups_limit_based_gc = 3; }, 3},
  });
}

TEST(Defaults, BooleanFields) {
  check<bool>({
      {"spec.etcd.enableGRPCGateway", effective::grpc_gateway_enabled, false,
       [](Etcd& e) { e.spec.etcd.enable_grpc_gateway = true; }, true},
      {"spec.backup.compression.enabled", effective::compression_enabled, true,
       [](Etcd& e) { e.spec.backup.compression.emplace().enabled = false; }, false},
      {"spec.backup.enableProfiling", effective::profiling_enabled, false,
       [](Etcd& e) { e.spec.backup.enable_profiling = true; }, true},
      {"spec.runAsRoot", effective::runs_as_root, false, [](Etcd& e) { e.spec.run_as_root = true; },
       true},
  });
}

TEST(Defaults, TextFields) {
  check<std::string>({
      {"spec.etcd.metrics", effective::metrics_level, "basic",
       [](Etcd& e) { e.spec.etcd.metrics = "extensive"; }, "extensive"},
      {"spec.etcd.backendBboltFreelistType", effective::backend_bbolt_freelist_type, "array",
       [](Etcd& e) { e.spec.etcd.backend_bbolt_freelist_type = "map"; }, "map"},
      {"spec.backup.garbageCollectionPolicy", effective::garbage_collection_policy, "LimitBased",
       [](Etcd& e) { e.spec.backup.garbage_collection_policy = "Exponential"; }, "Exponential"},
      {"spec.backup.compression.policy", effective::compression_policy, "gzip",
       [](Etcd& e) { e.spec.backup.compression.emplace().policy = "lzw"; }, "lzw"},
      {"spec.sharedConfig.autoCompactionMode", effective::auto_compaction_mode, "periodic",
       [](Etcd& e) { e.spec.shared_config.emplace().auto_compaction_mode = "revision"; },
       "revision"},
      {"spec.sharedConfig.autoCompactionRetention", effective::auto_compaction_retention, "30m",
       [](Etcd& e) { e.spec.shared_config.emplace().auto_compaction_retention = "1000"; }, "1000"},
      {"spec.priorityClassName", effective::priority_class_name, "",
       [](Etcd& e) { e.spec.priority_class_name = "etcd-critical"; }, "etcd-critical"},
  });
}

TEST(Defaults, PartlySetStructsFallBackPerField) {
  Etcd etcd = make_etcd();
  etcd.spec.backup.compression = CompressionSpec{};
  etcd.spec.shared_config = SharedConfig{};
  EXPECT_TRUE(effective::compression_enabled(etcd));
  EXPECT_EQ(effective::compression_policy(etcd), "gzip");
  EXPECT_EQ(effective::auto_compaction_mode(etcd), "periodic");
  EXPECT_EQ(effective::auto_compaction_retention(etcd), "30m");
}

TEST(Defaults, PodRunsAsNonRootUnlessAsked) {
  Etcd etcd = make_etcd();
  EXPECT_EQ(effective::pod_user_id(etcd), 65532);
  EXPECT_EQ(effective::pod_group_id(etcd), 65532);
  etcd.spec.run_as_root = false;
  EXPECT_EQ(effective::pod_user_id(etcd), 65532);
  etcd.spec.run_as_root = true;
  EXPECT_EQ(effective::pod_user_id(etcd), 0);
  EXPECT_EQ(effective::pod_group_id(etcd), 0);
}

TEST(Defaults, ResourcesDefaultToSmallRequests) {
  const auto expected = nlohmann::json::parse(R"({"requests": {"cpu": "50m", "memory": "128Mi"}})");
  EXPECT_EQ(effective::etcd_resources(make_etcd()), expected);
  EXPECT_EQ(effective::backup_resources(make_etcd()), expected);
}

TEST(Defaults, ResourcesPassThroughAsWritten) {
  Etcd etcd = make_etcd();
  const auto limits = nlohmann::json::parse(R"({"limits": {"memory": "1Gi"}})");
  etcd.spec.etcd.resources = limits;
  etcd.spec.backup.resources = nlohmann::json::object();  // set but empty: no requests
  EXPECT_EQ(effective::etcd_resources(etcd), limits);
  EXPECT_EQ(effective::backup_resources(etcd), nlohmann::json::object());
}

// --- quantities ---------------------------------------------------------------

struct QuantityCase {
  const char* field;
  std::function<util::Expected<Quantity, util::ParseError>(const Etcd&)> effective;
  std::function<void(Etcd&, IntOrString)> set;
  std::int64_t default_bytes;
  const char* default_text;
};

std::vector<QuantityCase> quantity_cases() {
  return {
      {"spec.etcd.quota", effective::quota, [](Etcd& e, IntOrString v) { e.spec.etcd.quota = v; },
       8589934592, "8Gi"},
      {"spec.storageCapacity", effective::storage_capacity,
       [](Etcd& e, IntOrString v) { e.spec.storage_capacity = v; }, 17179869184, "16Gi"},
      {"spec.backup.deltaSnapshotMemoryLimit", effective::delta_snapshot_memory_limit,
       [](Etcd& e, IntOrString v) { e.spec.backup.delta_snapshot_memory_limit = v; }, 104857600,
       "100Mi"},
  };
}

TEST(Defaults, QuantityDefaults) {
  for (const auto& c : quantity_cases()) {
    auto value = c.effective(make_etcd());
    ASSERT_TRUE(value.has_value()) << c.field;
    EXPECT_EQ(value->value(), c.default_bytes) << c.field;
    EXPECT_EQ(value->to_string(), c.default_text) << c.field;
  }
}

TEST(Defaults, QuantityUserValues) {
  for (const auto& c : quantity_cases()) {
    Etcd etcd = make_etcd();
    c.set(etcd, "2Gi");
    auto text = c.effective(etcd);
    ASSERT_TRUE(text.has_value()) << c.field;
    EXPECT_EQ(text->value(), 2147483648) << c.field;
    c.set(etcd, std::int64_t{1000});
    auto integer = c.effective(etcd);
    ASSERT_TRUE(integer.has_value()) << c.field;
    EXPECT_EQ(integer->value(), 1000) << c.field;
  }
}

TEST(Defaults, UnparsableQuantityNamesTheField) {
  for (const auto& c : quantity_cases()) {
    Etcd etcd = make_etcd();
    c.set(etcd, "lots");
    auto value = c.effective(etcd);
    ASSERT_FALSE(value.has_value()) << c.field;
    EXPECT_EQ(value.error().input, "lots");
    EXPECT_EQ(value.error().message(), std::string(c.field) +
                                           ": quantities must match the regular expression "
                                           "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  }
}

// --- durations ----------------------------------------------------------------

struct DurationCase {
  const char* field;
  std::function<util::Expected<EffectiveDuration, util::ParseError>(const Etcd&)> effective;
  std::function<void(Etcd&, std::string)> set;
  std::chrono::nanoseconds default_value;
  const char* default_text;
};

std::vector<DurationCase> duration_cases() {
  return {
      {"spec.etcd.etcdDefragTimeout", effective::etcd_defrag_timeout,
       [](Etcd& e, std::string v) { e.spec.etcd.etcd_defrag_timeout = v; }, 15min, "15m"},
      {"spec.etcd.heartbeatDuration", effective::heartbeat_duration,
       [](Etcd& e, std::string v) { e.spec.etcd.heartbeat_duration = v; }, 10s, "10s"},
      {"spec.backup.etcdSnapshotTimeout", effective::etcd_snapshot_timeout,
       [](Etcd& e, std::string v) { e.spec.backup.etcd_snapshot_timeout = v; }, 15min, "15m"},
      {"spec.backup.deltaSnapshotPeriod", effective::backup_ready_delta_snapshot_period,
       [](Etcd& e, std::string v) { e.spec.backup.delta_snapshot_period = v; }, 20s, "20s"},
  };
}

TEST(Defaults, DurationDefaultsKeepTheirLiteralText) {
  for (const auto& c : duration_cases()) {
    auto value = c.effective(make_etcd());
    ASSERT_TRUE(value.has_value()) << c.field;
    EXPECT_EQ(value->value.value, c.default_value) << c.field;
    EXPECT_EQ(value->text, c.default_text) << c.field;
  }
}

TEST(Defaults, DurationUserValuesPrintLikeGo) {
  for (const auto& c : duration_cases()) {
    Etcd etcd = make_etcd();
    c.set(etcd, "300s");
    auto value = c.effective(etcd);
    ASSERT_TRUE(value.has_value()) << c.field;
    EXPECT_EQ(value->value.value, 5min) << c.field;
    EXPECT_EQ(value->text, "5m0s") << c.field;
  }
}

TEST(Defaults, UnparsableDurationNamesTheField) {
  for (const auto& c : duration_cases()) {
    Etcd etcd = make_etcd();
    c.set(etcd, "soon");
    auto value = c.effective(etcd);
    ASSERT_FALSE(value.has_value()) << c.field;
    EXPECT_EQ(value.error().input, "soon");
    EXPECT_EQ(value.error().message(), std::string(c.field) + ": time: invalid duration \"soon\"");
  }
}

}  // namespace
}  // namespace druid::api
