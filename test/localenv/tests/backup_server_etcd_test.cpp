// The backup server against a real etcd on loopback and the test API server:
// member lease heartbeat, snapshots into the Local store with their leases,
// the HTTP API, and the restore of a single member from the store.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "localenv/member_agent/backup_server.hpp"
#include "localenv/member_agent/member_initializer.hpp"
#include "localenv/member_agent/member_leases.hpp"
#include "localenv/member_agent/snapshotter.hpp"
#include "support/etcd_process.hpp"
#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::localenv::backup {
namespace {

using kube::test::eventually;

constexpr const char* kNamespace = "shoot--dev";
constexpr const char* kPod = "etcd-main-0";

bool etcd_installed() {
  return std::filesystem::exists("/usr/bin/etcd");
}

nlohmann::json lease(const std::string& name) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}, {"namespace", kNamespace}}},
          {"spec", nlohmann::json::object()}};
}

std::string holder_of(kube::Client& client, const std::string& name) {
  auto object = client.get(kube::resources::kLeases, kNamespace, name);
  if (!object) return "";
  return (*object)["spec"].value("holderIdentity", "");
}

std::vector<std::string> store_files(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.starts_with(prefix)) names.push_back(name);
  }
  return names;
}

class BackupServerEtcdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!etcd_installed()) GTEST_SKIP() << "/usr/bin/etcd is not installed";
    etcd_ = std::make_unique<druid::test::EtcdCluster>(1);
    ASSERT_EQ(kube::test::create_namespace(api_.client(), kNamespace), "");
    for (const char* name : {kPod, "etcd-main-full-snap", "etcd-main-delta-snap"}) {
      ASSERT_TRUE(api_.client().create(kube::resources::kLeases, kNamespace, lease(name)));
    }
    root_ = dir_.path();
    auto& member = etcd_->member(0);
    std::ofstream(root_ / "etcd.conf.yaml")
        << "name: etcd-config\n"
        << "data-dir: " << member.data_dir.string() << "\n"
        << "enable-grpc-gateway: false\n"
        << "initial-cluster: " << kPod << "=" << member.peer_url << "\n"
        << "initial-advertise-peer-urls:\n  " << kPod << ":\n  - " << member.peer_url << "\n"
        << "advertise-client-urls:\n  " << kPod << ":\n  - " << member.client_url << "\n"
        << "initial-cluster-state: new\n";
  }

  BackupServerFlags flags() const {
    auto parsed = parse_backup_server_flags(
        {"--server-port=0", "--enable-snapshot-lease-renewal=true",
         "--full-snapshot-lease-name=etcd-main-full-snap",
         "--delta-snapshot-lease-name=etcd-main-delta-snap", "--storage-provider=Local",
         "--store-prefix=shoot--dev--etcd-main", "--compress-snapshots=true",
         "--compression-policy=gzip", "--insecure-transport=true",
         "--endpoints=" + etcd_->member(0).client_url,
         "--data-dir=" + etcd_->member(0).data_dir.string(), "--enable-member-lease-renewal=true",
         "--k8s-heartbeat-duration=1s", "--delta-snapshot-period=1s"});
    EXPECT_TRUE(parsed);
    return *parsed;
  }

  BackupServerEnvironment environment() const {
    BackupServerEnvironment env;
    env.pod_name = kPod;
    env.pod_namespace = kNamespace;
    env.storage_container = "etcd-bucket";
    env.etcd_conf = root_ / "etcd.conf.yaml";
    env.data_volume_dir = root_ / "volume";
    env.local_store_root = root_ / "store";
    env.home = root_;
    return env;
  }

  std::filesystem::path store_dir() const {
    return root_ / "store" / "etcd-bucket" / "shoot--dev--etcd-main" / "v2";
  }

  kube::test::LiveServer api_;
  operator_::test::TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<druid::test::EtcdCluster> etcd_;
};

TEST_F(BackupServerEtcdTest, RenewsLeasesTakesSnapshotsAndServesTheApi) {
  BackupServer server(flags(), environment(), api_.make_client());
  auto port = server.start();
  ASSERT_TRUE(port) << port.error();
  etcd::Client etcd(etcd_->client_options());
  auto status = etcd.status();
  ASSERT_TRUE(status);
  const std::string expected_holder =
      etcd::id_to_hex(status->member_id) + ":" + etcd::id_to_hex(status->cluster_id) + ":Leader";

  // Member lease heartbeat.
  ASSERT_TRUE(eventually([&] { return holder_of(api_.client(), kPod) == expected_holder; },
                         std::chrono::seconds(15)));
  auto member_lease = api_.client().get(kube::resources::kLeases, kNamespace, kPod);
  ASSERT_TRUE(member_lease);
  EXPECT_EQ((*member_lease)["metadata"]["annotations"][kTlsEnabledAnnotation], "false");
  EXPECT_TRUE((*member_lease)["spec"].contains("renewTime"));

  // A full snapshot on becoming leader, and its lease.
  ASSERT_TRUE(eventually([&] { return !store_files(store_dir(), "Full-").empty(); },
                         std::chrono::seconds(15)));
  const auto full_name = store_files(store_dir(), "Full-").front();
  EXPECT_TRUE(full_name.ends_with(".gz")) << full_name;
  auto full = parse_snap_name(full_name, "");
  ASSERT_TRUE(full);
  ASSERT_TRUE(eventually(
      [&] {
        return holder_of(api_.client(), "etcd-main-full-snap") ==
               std::to_string(full->last_revision);
      },
      std::chrono::seconds(10)));
  EXPECT_TRUE(eventually([&] { return holder_of(api_.client(), "etcd-main-delta-snap") == "0"; }));

  // Writes become a delta snapshot and move the delta lease.
  std::int64_t last_put = 0;
  for (int i = 0; i < 3; ++i) {
    auto put = etcd.put("/key/" + std::to_string(i), "value");
    ASSERT_TRUE(put);
    last_put = *put;
  }
  ASSERT_TRUE(eventually([&] { return !store_files(store_dir(), "Incr-").empty(); },
                         std::chrono::seconds(15)));
  EXPECT_TRUE(eventually(
      [&] { return holder_of(api_.client(), "etcd-main-delta-snap") == std::to_string(last_put); },
      std::chrono::seconds(10)));

  // The HTTP API.
  httplib::Client http("127.0.0.1", *port);
  http.set_read_timeout(std::chrono::seconds(30));
  ASSERT_TRUE(eventually(
      [&] {
        auto health = http.Get("/healthz");
        return health && health->status == 200 && health->body == R"({"health":true})";
      },
      std::chrono::seconds(10)));
  auto snapshot = http.Post("/snapshot/full", "", "text/plain");
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->status, 200) << snapshot->body;
  const auto json = nlohmann::json::parse(snapshot->body);
  EXPECT_EQ(json["kind"], "Full");
  EXPECT_EQ(json["prefix"], "shoot--dev--etcd-main/v2");
  EXPECT_TRUE(std::filesystem::exists(store_dir() / json["snapName"].get<std::string>()));
  EXPECT_EQ(http.Post("/snapshot/full?final=maybe", "", "text/plain")->status, 400);

  auto latest = http.Get("/snapshot/latest");
  ASSERT_TRUE(latest);
  EXPECT_EQ(nlohmann::json::parse(latest->body)["fullSnapshot"]["snapName"], json["snapName"]);

  auto config = http.Get("/config");
  ASSERT_TRUE(config);
  ASSERT_EQ(config->status, 200) << config->body;
  EXPECT_NE(config->body.find("name: etcd-main-0"), std::string::npos) << config->body;
  EXPECT_NE(config->body.find("enable-grpc-gateway: true"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(root_ / "etcd.conf.yaml"));

  // Initialization of a member with valid data: Successful once, then New.
  ASSERT_EQ(http.Get("/initialization/status")->body, "New");
  ASSERT_EQ(http.Get("/initialization/start?mode=sanity")->status, 200);
  std::string state;
  ASSERT_TRUE(eventually(
      [&] {
        state = http.Get("/initialization/status")->body;
        return state == "Successful" || state == "Failed";
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(state, "Successful");
  EXPECT_EQ(http.Get("/initialization/status")->body, "New");
  std::ifstream guard(root_ / "volume" / "safe_guard");
  std::string guarded;
  guard >> guarded;
  EXPECT_EQ(guarded, kNamespace);

  server.stop();
}

TEST_F(BackupServerEtcdTest, WrongSafeGuardFailsInitialization) {
  std::filesystem::create_directories(root_ / "volume");
  std::ofstream(root_ / "volume" / "safe_guard") << "other-namespace";
  BackupServer server(flags(), environment(), nullptr);
  auto port = server.start();
  ASSERT_TRUE(port) << port.error();
  httplib::Client http("127.0.0.1", *port);
  ASSERT_EQ(http.Get("/initialization/start")->status, 200);
  std::string state;
  ASSERT_TRUE(eventually(
      [&] {
        state = http.Get("/initialization/status")->body;
        return state == "Successful" || state == "Failed";
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(state, "Failed");
}

TEST_F(BackupServerEtcdTest, RestoresASingleMemberFromFullAndDeltaSnapshots) {
  etcd::Client etcd(etcd_->client_options());
  etcd::ClientOptions options = etcd_->client_options();
  options.timeout = std::chrono::seconds(30);
  etcd::Client snapshot_client(options);
  LocalSnapstore store(root_ / "store", "etcd-bucket", "shoot--dev--etcd-main");
  SnapshotterOptions snapshotter_options;
  snapshotter_options.compress = true;
  Snapshotter snapshotter(snapshot_client, store, nullptr, snapshotter_options);

  ASSERT_TRUE(etcd.put("/a", "1"));
  ASSERT_TRUE(etcd.put("/gone", "x"));
  auto full = snapshotter.take_full(false, util::Time(std::chrono::seconds(1000)));
  ASSERT_TRUE(full) << full.error();
  ASSERT_TRUE(etcd.put("/b", "2"));
  auto delta1 = snapshotter.take_delta(util::Time(std::chrono::seconds(1001)));
  ASSERT_TRUE(delta1 && *delta1) << (delta1 ? "no events" : delta1.error());
  // A deletion, via etcd's gateway (the client has no delete).
  {
    httplib::Client http("127.0.0.1", etcd_->member(0).client_port);
    auto deleted = http.Post("/v3/kv/deleterange", R"({"key":"L2dvbmU="})", "application/json");
    ASSERT_TRUE(deleted && deleted->status == 200);
  }
  ASSERT_TRUE(etcd.put("/a", "3"));
  auto delta2 = snapshotter.take_delta(util::Time(std::chrono::seconds(1002)));
  ASSERT_TRUE(delta2 && *delta2) << (delta2 ? "no events" : delta2.error());
  EXPECT_FALSE(*snapshotter.take_delta(util::Time(std::chrono::seconds(1003))));  // nothing new

  // A fresh single member restores from the store during initialization.
  druid::test::EtcdCluster restored(0);
  const auto index = restored.plan_member(kPod);
  auto& member = restored.member(index);
  InitializerInputs inputs;
  inputs.config = {{"initial-cluster", std::string(kPod) + "=" + member.peer_url},
                   {"initial-advertise-peer-urls", {{kPod, {member.peer_url}}}}};
  inputs.pod_name = kPod;
  inputs.pod_namespace = kNamespace;
  inputs.data_dir = member.data_dir;
  inputs.data_volume_dir = root_ / "volume2";
  inputs.store = &store;
  auto initialized = initialize_member(inputs, ValidationMode::kFull);
  ASSERT_TRUE(initialized) << initialized.error();
  ASSERT_EQ(check_data_dir(member.data_dir, ValidationMode::kFull), DataDirState::kValid);

  restored.start_joining(index);  // the only member: starts from its restored data
  ASSERT_TRUE(restored.wait_ready(std::chrono::seconds(30))) << restored.logs();
  etcd::Client after(restored.client_options());
  auto a = after.range("/a");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->kvs.size(), 1u);
  EXPECT_EQ(a->kvs[0].value, "3");
  auto b = after.range("/b");
  ASSERT_TRUE(b && b->kvs.size() == 1u);
  auto gone = after.range("/gone");
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->kvs.empty());
}

}  // namespace
}  // namespace druid::localenv::backup
