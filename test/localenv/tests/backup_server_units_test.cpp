// The pure parts of the backup server: flags, the member's etcd config,
// snapshot names, delta snapshot content and gzip.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "localenv/member_agent/backup_server_flags.hpp"
#include "localenv/member_agent/delta_snapshot.hpp"
#include "localenv/member_agent/member_etcd_config.hpp"
#include "localenv/member_agent/snapshot.hpp"
#include "localenv/member_agent/snapshot_compression.hpp"
#include "util/yaml.hpp"

namespace druid::localenv::backup {
namespace {

std::vector<std::string> golden_backup_args(const std::string& file) {
  std::ifstream in(std::string(DRUID_SOURCE_DIR) + "/test/golden/statefulset/" + file);
  const auto sts = nlohmann::json::parse(in);
  for (const auto& container : sts["spec"]["template"]["spec"]["containers"]) {
    if (container["name"] == "backup-restore") {
      auto args = container["args"].get<std::vector<std::string>>();
      args.erase(args.begin());  // "server"
      return args;
    }
  }
  return {};
}

TEST(BackupServerFlags, AcceptsEveryFlagDruidPassesForLocalStore) {
  const auto args = golden_backup_args("local-default-host-path.json");
  ASSERT_FALSE(args.empty());
  auto flags = parse_backup_server_flags(args);
  ASSERT_TRUE(flags) << flags.error();
  EXPECT_TRUE(flags->warnings.empty()) << flags->warnings.front();
  EXPECT_EQ(flags->server_port, 8080);
  EXPECT_EQ(flags->storage_provider, "Local");
  EXPECT_EQ(flags->store_prefix, "shoot--dev--test--etcd-main");
  EXPECT_EQ(flags->full_snapshot_lease_name, "etcd-main-full-snap");
  EXPECT_EQ(flags->delta_snapshot_lease_name, "etcd-main-delta-snap");
  EXPECT_TRUE(flags->compress_snapshots);
  EXPECT_TRUE(flags->enable_member_lease_renewal);
  EXPECT_EQ(flags->k8s_heartbeat_duration, std::chrono::seconds(10));
  EXPECT_EQ(flags->endpoints, std::vector<std::string>{"http://etcd-main-local:2379"});
  EXPECT_EQ(flags->service_endpoints, std::vector<std::string>{"http://etcd-main-client:2379"});
  EXPECT_EQ(flags->data_dir, "/var/etcd/data/new.etcd");
  EXPECT_EQ(flags->embedded_etcd_quota_bytes, 8589934592);
}

TEST(BackupServerFlags, AcceptsEveryFlagDruidPassesWithTls) {
  auto flags = parse_backup_server_flags(golden_backup_args("3-replicas-all-tls-s3.json"));
  ASSERT_TRUE(flags) << flags.error();
  EXPECT_TRUE(flags->warnings.empty());
  EXPECT_EQ(flags->cacert, "/var/etcd/ssl/ca/bundle.crt");
  EXPECT_EQ(flags->server_cert, "/var/etcdbr/ssl/server/tls.crt");
  EXPECT_FALSE(flags->insecure_transport);
}

TEST(BackupServerFlags, WarnsAboutUnknownFlagsAndRefusesBadValues) {
  auto flags = parse_backup_server_flags(
      {"--new-flag=1", "--other", "value", "--delta-snapshot-period", "5s", "--use-etcd-wrapper"});
  ASSERT_TRUE(flags) << flags.error();
  EXPECT_EQ(flags->warnings, (std::vector<std::string>{"ignoring unknown flag --new-flag",
                                                       "ignoring unknown flag --other"}));
  EXPECT_EQ(flags->delta_snapshot_period, std::chrono::seconds(5));

  auto bad_port = parse_backup_server_flags({"--server-port=http"});
  ASSERT_FALSE(bad_port);
  EXPECT_EQ(bad_port.error(), "invalid value \"http\" for flag --server-port: not an integer");
  auto bad_duration = parse_backup_server_flags({"--k8s-heartbeat-duration=5x"});
  ASSERT_FALSE(bad_duration);
  EXPECT_NE(bad_duration.error().find("--k8s-heartbeat-duration"), std::string::npos);
  EXPECT_FALSE(parse_backup_server_flags({"--store-prefix"}));
}

nlohmann::json golden_config(const std::string& name) {
  std::ifstream in(std::string(DRUID_SOURCE_DIR) + "/test/golden/configmap/" + name);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = util::parse_yaml(text.str());
  EXPECT_TRUE(parsed);
  return parsed ? *parsed : nlohmann::json();
}

TEST(MemberEtcdConfig, SingleMemberIsNewWithItsOwnUrls) {
  auto config = member_etcd_config(golden_config("minimal-1-replica.yaml"), "etcd-main-0", {});
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ((*config)["name"], "etcd-main-0");
  EXPECT_EQ((*config)["initial-cluster-state"], "new");
  EXPECT_EQ((*config)["enable-grpc-gateway"], true);
  EXPECT_TRUE((*config)["initial-advertise-peer-urls"].is_string());
  EXPECT_TRUE((*config)["advertise-client-urls"].is_string());
  EXPECT_NE((*config)["advertise-client-urls"].get<std::string>().find("etcd-main-0."),
            std::string::npos);
}

TEST(MemberEtcdConfig, ThreeMembersTrimToClusterAndSeeTheLearner) {
  const auto shared = golden_config("tls-3-replicas.yaml");
  etcd::Member m0;
  m0.name = "etcd-main-0";
  etcd::Member learner;  // etcd-main-1 added as learner, not started: no name yet
  learner.is_learner = true;
  auto config = member_etcd_config(shared, "etcd-main-1", std::vector<etcd::Member>{m0, learner});
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ((*config)["name"], "etcd-main-1");
  EXPECT_EQ((*config)["initial-cluster"],
            "etcd-main-0=https://etcd-main-0.etcd-main-peer.shoot--dev--test.svc:2380,"
            "etcd-main-1=https://etcd-main-1.etcd-main-peer.shoot--dev--test.svc:2380");
  EXPECT_EQ((*config)["initial-cluster-state"], "existing");
  EXPECT_EQ((*config)["initial-advertise-peer-urls"],
            "https://etcd-main-1.etcd-main-peer.shoot--dev--test.svc:2380");

  etcd::Member m1, m2;
  m1.name = "etcd-main-1";
  m2.name = "etcd-main-2";
  auto all = member_etcd_config(shared, "etcd-main-2", std::vector<etcd::Member>{m0, m1, m2});
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)["initial-cluster"], shared["initial-cluster"]);
  EXPECT_EQ((*all)["initial-cluster-state"], "new");

  auto unknown = member_etcd_config(shared, "etcd-main-2", std::nullopt);
  ASSERT_TRUE(unknown);
  EXPECT_EQ((*unknown)["initial-cluster"], shared["initial-cluster"]);
  EXPECT_EQ((*unknown)["initial-cluster-state"], "new");
}

TEST(MemberEtcdConfig, MemberNamePrefixAndErrors) {
  const auto shared = golden_config("member-name-prefix.yaml");
  auto config = member_etcd_config(shared, "etcd-main-1", std::nullopt);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ((*config)["name"], "prefix-etcd-main-1");
  EXPECT_EQ((*config)["initial-advertise-peer-urls"],
            "https://etcd-main-1.etcd-main-peer.shoot--dev--test.svc:2380,https://"
            "10.0.0.11:2380,https://lb-1.example.com:2380");
  auto missing = member_etcd_config(shared, "etcd-main-7", std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "etcd config initial-advertise-peer-urls has no entry for member prefix-etcd-main-7");
  EXPECT_FALSE(parse_initial_cluster("a=http://x:2380,broken"));
}

TEST(Snapshot, NamesRoundTrip) {
  Snapshot full;
  full.kind = SnapshotKind::kFull;
  full.last_revision = 12345;
  full.created_on = util::Time(std::chrono::seconds(1721466723));
  full.compression_suffix = ".gz";
  full.prefix = "p/v2";
  EXPECT_EQ(full.snap_name(), "Full-00000000-00012345-1721466723.gz");
  EXPECT_EQ(parse_snap_name(full.snap_name(), "p/v2"), full);

  Snapshot delta = full;
  delta.kind = SnapshotKind::kIncr;
  delta.start_revision = 12346;
  delta.last_revision = 12400;
  delta.compression_suffix = "";
  delta.is_final = true;
  EXPECT_EQ(delta.snap_name(), "Incr-00012346-00012400-1721466723.final");
  EXPECT_EQ(parse_snap_name(delta.snap_name(), "p/v2"), delta);
  EXPECT_FALSE(parse_snap_name(".tmp-Full-00000000-00000001-1.gz", "p/v2"));
  EXPECT_FALSE(parse_snap_name("Full-1-2", "p/v2"));

  const auto json = full.to_json();
  for (const char* field :
       {"createdOn", "immutabilityExpriyTime", "versionID", "kind", "snapDir", "snapName", "prefix",
        "compressionSuffix", "startRevision", "lastRevision", "isChunk", "isFinal"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
  EXPECT_EQ(json["createdOn"], "2024-07-20T09:12:03Z");
  EXPECT_EQ(json["kind"], "Full");
}

TEST(DeltaSnapshot, EncodesEventsWithSha256Trailer) {
  etcd::Event put;
  put.kv = {"foo", "bar", 2, 3, 1};
  etcd::Event del;
  del.type = etcd::EventType::kDelete;
  del.kv.key = "foo";
  del.kv.mod_revision = 4;
  const auto data = encode_delta_snapshot({put, del}, util::Time(std::chrono::seconds(0)));
  const auto json = nlohmann::json::parse(data.substr(0, data.size() - 32));
  EXPECT_EQ(json[0]["etcdEvent"]["kv"]["key"], "Zm9v");
  EXPECT_EQ(json[0]["etcdEvent"]["kv"]["value"], "YmFy");
  EXPECT_FALSE(json[0]["etcdEvent"].contains("type"));  // PUT = 0, omitted like Go
  EXPECT_EQ(json[1]["etcdEvent"]["type"], 1);
  EXPECT_EQ(json[1]["time"], "1970-01-01T00:00:00Z");

  auto events = decode_delta_snapshot(data);
  ASSERT_TRUE(events) << events.error();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kv.value, "bar");
  EXPECT_EQ((*events)[1].type, etcd::EventType::kDelete);

  auto corrupted = data;
  corrupted[2] = 'X';
  ASSERT_FALSE(decode_delta_snapshot(corrupted));
  EXPECT_EQ(decode_delta_snapshot(corrupted).error(), "delta snapshot sha256 mismatch");
}

TEST(SnapshotCompression, GzipRoundTripsAndIsRealGzip) {
  std::string data(100000, 'a');
  const auto compressed = gzip(data);
  ASSERT_GE(compressed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  EXPECT_LT(compressed.size(), data.size() / 10);
  auto plain = gunzip(compressed);
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(*plain, data);
}

}  // namespace
}  // namespace druid::localenv::backup
