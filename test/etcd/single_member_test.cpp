// The client against a real one-member etcd: every call, and how failures of
// endpoints are reported and skipped.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "etcd/canned_http_listener.hpp"
#include "etcd/client.hpp"
#include "support/etcd_process.hpp"

namespace druid::etcd {
namespace {

using druid::etcd::test::CannedHttpListener;
using druid::test::EtcdCluster;

// One member shared by the suite: starting etcd takes about a second.
class SingleMember : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists("/usr/bin/etcd")) return;
    cluster_ = std::make_unique<EtcdCluster>(1);
  }
  static void TearDownTestSuite() { cluster_.reset(); }
  void SetUp() override {
    if (!cluster_) GTEST_SKIP() << "/usr/bin/etcd is not installed";
  }

  static std::unique_ptr<Client> client() {
    return std::make_unique<Client>(cluster_->client_options());
  }

  static std::unique_ptr<EtcdCluster> cluster_;
};
std::unique_ptr<EtcdCluster> SingleMember::cluster_;

TEST_F(SingleMember, StatusReportsItselfAsLeader) {
  auto status = client()->status();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->version, "3.4.23");
  EXPECT_NE(status->member_id, 0u);
  EXPECT_NE(status->cluster_id, 0u);
  EXPECT_EQ(status->leader, status->member_id);
  EXPECT_GE(status->revision, 1);
  EXPECT_GE(status->raft_term, 1u);
  EXPECT_GE(status->raft_index, 1u);
  EXPECT_GT(status->db_size, 0);
  EXPECT_FALSE(status->is_learner);
}

TEST_F(SingleMember, MemberListHasTheOneVoter) {
  auto members = client()->member_list();
  ASSERT_TRUE(members) << members.error().message;
  ASSERT_EQ(members->size(), 1u);
  const auto& member = members->front();
  EXPECT_EQ(member.name, cluster_->member(0).name);
  EXPECT_EQ(member.peer_urls, std::vector<std::string>{cluster_->member(0).peer_url});
  EXPECT_EQ(member.client_urls, std::vector<std::string>{cluster_->member(0).client_url});
  EXPECT_FALSE(member.is_learner);
  EXPECT_EQ(member.id, client()->status()->member_id);
}

TEST_F(SingleMember, PutThenRangeLinearizableAndSerializable) {
  auto c = client();
  auto first = c->put("/range/a", "alpha");
  ASSERT_TRUE(first) << first.error().message;
  auto second = c->put("/range/b", std::string("b\0eta", 5));  // binary-safe
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*second, *first + 1);

  auto one = c->range("/range/a");
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->kvs.size(), 1u);
  EXPECT_EQ(one->kvs[0].key, "/range/a");
  EXPECT_EQ(one->kvs[0].value, "alpha");
  EXPECT_EQ(one->kvs[0].mod_revision, *first);
  EXPECT_EQ(one->kvs[0].create_revision, *first);
  EXPECT_EQ(one->kvs[0].version, 1);
  EXPECT_GE(one->revision, *second);

  auto prefix = c->range("/range/", std::string("/range0"), /*serializable=*/true);
  ASSERT_TRUE(prefix) << prefix.error().message;
  ASSERT_EQ(prefix->kvs.size(), 2u);
  EXPECT_EQ(prefix->kvs[1].key, "/range/b");
  EXPECT_EQ(prefix->kvs[1].value, std::string("b\0eta", 5));

  auto missing = c->range("/range/none");
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_TRUE(missing->kvs.empty());
}

TEST_F(SingleMember, EventsBetweenRevisionsIncludeDeletes) {
  auto c = client();
  const auto start = c->put("/events/x", "1");
  ASSERT_TRUE(start) << start.error().message;
  ASSERT_TRUE(c->put("/events/y", "2"));
  ASSERT_TRUE(c->put("/events/x", "3"));
  auto deleted = c->delete_key("/events/y");
  ASSERT_TRUE(deleted) << deleted.error().message;
  const auto after = c->put("/events/z", "after the end");
  ASSERT_TRUE(after);

  auto events = c->events(*start, *deleted);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 4u);
  EXPECT_EQ((*events)[0].type, EventType::kPut);
  EXPECT_EQ((*events)[0].kv.key, "/events/x");
  EXPECT_EQ((*events)[0].kv.value, "1");
  EXPECT_EQ((*events)[1].kv.key, "/events/y");
  EXPECT_EQ((*events)[2].kv.value, "3");
  EXPECT_EQ((*events)[2].kv.version, 2);
  EXPECT_EQ((*events)[3].type, EventType::kDelete);
  EXPECT_EQ((*events)[3].kv.key, "/events/y");
  EXPECT_EQ((*events)[3].kv.mod_revision, *deleted);

  auto empty = c->events(*after + 1, *after);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(SingleMember, EventsBeyondTheCurrentRevisionTimeOut) {
  auto options = cluster_->client_options();
  options.timeout = std::chrono::milliseconds(500);
  Client c(options);
  const auto now = c.put("/events/now", "x");
  ASSERT_TRUE(now);
  auto events = c.events(*now, *now + 1000);
  ASSERT_FALSE(events);
  EXPECT_EQ(events.error().kind, ErrorKind::kTimeout) << events.error().message;
}

TEST_F(SingleMember, SnapshotIsADatabaseEtcdctlAccepts) {
  ASSERT_TRUE(client()->put("/snapshot/key", "value"));
  const auto file = cluster_->dir() / "client.db";
  std::size_t chunks = 0;
  {
    std::ofstream out(file, std::ios::binary);
    auto done = client()->snapshot([&](std::string_view bytes) {
      ++chunks;
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      return true;
    });
    ASSERT_TRUE(done) << done.error().message;
  }
  EXPECT_GE(chunks, 1u);
  const auto size = std::filesystem::file_size(file);
  EXPECT_GT(size, 0u);

  const auto status_file = cluster_->dir() / "status.json";
  const std::string status_command = "ETCDCTL_API=3 /usr/bin/etcdctl snapshot status " +
                                     file.string() + " -w json > " + status_file.string() + " 2>&1";
  ASSERT_EQ(std::system(status_command.c_str()), 0) << druid::test::read_file_text(status_file);
  const auto status = nlohmann::json::parse(druid::test::read_file_text(status_file));
  EXPECT_GE(status.at("totalKey").get<int>(), 1);

  const auto saved = cluster_->dir() / "etcdctl.db";
  const std::string save_command =
      "ETCDCTL_API=3 /usr/bin/etcdctl --endpoints=" + cluster_->member(0).client_url +
      " snapshot save " + saved.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(save_command.c_str()), 0);
  const auto saved_size = std::filesystem::file_size(saved);
  EXPECT_GE(size * 2, saved_size);
  EXPECT_LE(size, saved_size * 2);

  // The stream ends with the database's sha256, which restore verifies.
  const auto restore_log = cluster_->dir() / "restore.log";
  const std::string restore_command =
      "ETCDCTL_API=3 /usr/bin/etcdctl snapshot restore " + file.string() + " --data-dir " +
      (cluster_->dir() / "restored").string() + " > " + restore_log.string() + " 2>&1";
  EXPECT_EQ(std::system(restore_command.c_str()), 0) << druid::test::read_file_text(restore_log);
}

TEST_F(SingleMember, SnapshotStopsWhenTheSinkSaysSo) {
  std::size_t chunks = 0;
  auto done = client()->snapshot([&](std::string_view) { return ++chunks < 1; });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(chunks, 1u);
}

TEST_F(SingleMember, EtcdErrorsCarryTheirCodeAndText) {
  auto moved = client()->move_leader(12345);  // no such member
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().kind, ErrorKind::kEtcd);
  EXPECT_EQ(moved.error().grpc_code, 9);
  EXPECT_EQ(moved.error().message, "etcdserver: bad leader transferee");
  EXPECT_GE(moved.error().http_status, 400);
  EXPECT_EQ(moved.error().endpoint, cluster_->member(0).client_url);

  auto promote = client()->member_promote(12345);
  ASSERT_FALSE(promote);
  EXPECT_EQ(promote.error().kind, ErrorKind::kEtcd);
  EXPECT_EQ(promote.error().message, "etcdserver: member not found");
}

TEST_F(SingleMember, UnreachableEndpointFallsThroughToTheNext) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(operator_::test::free_port());
  auto options = cluster_->client_options({dead, cluster_->member(0).client_url});
  Client c(options);
  auto status = c.status();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_NE(status->member_id, 0u);
  auto put = c.put("/fallthrough", "ok");
  ASSERT_TRUE(put) << put.error().message;
}

TEST_F(SingleMember, SilentEndpointTimesOutThenFallsThrough) {
  CannedHttpListener silent(std::nullopt);
  auto options = cluster_->client_options({silent.url(), cluster_->member(0).client_url});
  options.timeout = std::chrono::milliseconds(300);
  Client c(options);
  auto status = c.status();
  ASSERT_TRUE(status) << status.error().message;

  auto options_silent = cluster_->client_options({silent.url()});
  options_silent.timeout = std::chrono::milliseconds(300);
  Client silent_client(options_silent);
  auto failed = silent_client.status();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kTimeout) << failed.error().message;
  EXPECT_EQ(failed.error().endpoint, silent.url());
}

TEST(EtcdClientErrors, DeadEndpointOnlyIsATransportError) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(operator_::test::free_port());
  ClientOptions options;
  options.endpoints = {dead};
  Client c(options);
  auto status = c.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kTransport);
  EXPECT_EQ(status.error().http_status, 0);
  EXPECT_EQ(status.error().endpoint, dead);
  auto snapshot = c.snapshot([](std::string_view) { return true; });
  ASSERT_FALSE(snapshot);
  EXPECT_EQ(snapshot.error().kind, ErrorKind::kTransport);
}

TEST(EtcdClientErrors, NoEndpointsIsATransportError) {
  Client c(ClientOptions{});
  auto status = c.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kTransport);
}

TEST(EtcdClientErrors, HttpErrorWithoutEtcdBodyIsKHttpAndIsNotRetried) {
  CannedHttpListener not_found(
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n"
      "Connection: close\r\n\r\nnot found");
  ClientOptions options;
  options.endpoints = {not_found.url(),
                       "http://127.0.0.1:" + std::to_string(operator_::test::free_port())};
  Client c(options);
  auto status = c.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kHttp);
  EXPECT_EQ(status.error().http_status, 404);
  EXPECT_EQ(status.error().endpoint, not_found.url());
}

TEST(EtcdClientErrors, AnswerThatIsNotEtcdJsonIsKDecode) {
  CannedHttpListener garbage(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 26\r\n"
      "Connection: close\r\n\r\n{\"header\":{\"revision\":\"x\"}}");
  ClientOptions options;
  options.endpoints = {garbage.url()};
  Client c(options);
  auto status = c.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kDecode);
  EXPECT_EQ(status.error().http_status, 200);
}

}  // namespace
}  // namespace druid::etcd
