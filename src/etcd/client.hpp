#pragma once
// A small etcd v3 client over etcd's gRPC-gateway JSON API (`POST /v3/...`),
// which etcd 3.4 and 3.5 serve on the client port. It needs no gRPC stack:
// requests and answers are JSON, 64-bit numbers travel as decimal strings and
// bytes (keys, values, snapshot blobs) as base64. Used by the operator (leader
// transfer before a quorum-aware pod update) and by the local environment's
// member agent (status, membership, leases, snapshots).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/http_transport.hpp"
#include "util/expected.hpp"

namespace druid::etcd {

// Why a call failed, for callers to branch on.
enum class ErrorKind {
  kTransport,  // no HTTP answer: connect, TLS or DNS failure
  kTimeout,    // no answer within the call's timeout
  kHttp,       // an HTTP answer that is not 2xx and carries no etcd error
  kEtcd,       // etcd answered with an error (`code` is the gRPC code)
  kDecode,     // a 2xx answer that is not the JSON etcd sends
};

struct Error {
  ErrorKind kind = ErrorKind::kTransport;
  int http_status = 0;   // 0 without an HTTP answer
  int grpc_code = 0;     // etcd's gRPC status code for kEtcd (e.g. 9 FailedPrecondition)
  std::string message;   // etcd's own text for kEtcd ("etcdserver: not leader"), else a description
  std::string endpoint;  // which endpoint answered (or failed last)
};

// "Nothing to return" for calls that only succeed or fail.
struct Done {};

template <class T>
using EtcdResult = util::Expected<T, Error>;

struct ClientOptions {
  // Base URLs such as "https://etcd-main-0.etcd-main-peer.default.svc:2379".
  // Calls go to the first endpoint that answers, in order.
  std::vector<std::string> endpoints;
  kube::TlsConfig tls;  // CA and client certificate for https endpoints
  std::chrono::milliseconds timeout{5000};
  // How long connecting to one endpoint may take before the call fails over
  // (a member whose pod is gone never answers); `timeout` when unset.
  std::optional<std::chrono::milliseconds> connect_timeout;
  // Bounds a whole snapshot download (the database can be gigabytes).
  std::chrono::milliseconds snapshot_timeout{std::chrono::minutes(10)};
};

struct Member {
  std::uint64_t id = 0;
  std::string name;  // empty for a member added but not started yet
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
  bool is_learner = false;
};

struct MemberStatus {
  std::uint64_t cluster_id = 0;
  std::uint64_t member_id = 0;
  std::uint64_t leader = 0;  // the leader's member ID, 0 when there is none
  std::int64_t revision = 0;
  std::uint64_t raft_term = 0;
  std::uint64_t raft_index = 0;
  std::int64_t db_size = 0;
  std::string version;
  bool is_learner = false;
};

struct KeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t version = 0;
};

struct RangeResult {
  std::int64_t revision = 0;  // the store's revision when the read was served
  std::vector<KeyValue> kvs;
};

enum class EventType { kPut, kDelete };

struct Event {
  EventType type = EventType::kPut;
  KeyValue kv;  // for a delete: key and mod_revision only
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Maintenance.Status of the first endpoint that answers.
  EtcdResult<MemberStatus> status();
  EtcdResult<std::vector<Member>> member_list();
  // Cluster.MemberAdd; `as_learner` adds a non-voting member (etcd ≥ 3.4).
  EtcdResult<Member> member_add(const std::vector<std::string>& peer_urls, bool as_learner);
  // Cluster.MemberPromote (etcd refuses until the learner caught up).
  EtcdResult<Done> member_promote(std::uint64_t id);
  EtcdResult<Done> member_remove(std::uint64_t id);
  EtcdResult<Done> member_update(std::uint64_t id, const std::vector<std::string>& peer_urls);
  // Maintenance.MoveLeader: must reach the current leader ("not leader" otherwise).
  EtcdResult<Done> move_leader(std::uint64_t target_id);

  // KV.Put; returns the revision of the write.
  EtcdResult<std::int64_t> put(std::string_view key, std::string_view value);
  // KV.DeleteRange of one key; returns the revision after the call (unchanged
  // when the key did not exist).
  EtcdResult<std::int64_t> delete_key(std::string_view key);
  // KV.Range of one key, or of [key, range_end) when range_end is given
  // ("\0" = every key ≥ key). Linearizable unless `serializable`.
  EtcdResult<RangeResult> range(std::string_view key, std::optional<std::string> range_end = {},
                                bool serializable = false);

  // Every event of every key with start_revision ≤ revision ≤ end_revision, in
  // order (a Watch from start_revision that stops once end_revision is seen).
  EtcdResult<std::vector<Event>> events(std::int64_t start_revision, std::int64_t end_revision);

  // Maintenance.Snapshot: the backend database streamed to `sink` in order
  // (etcd's bbolt file with its sha256 trailer). `sink` returns false to stop.
  EtcdResult<Done> snapshot(const std::function<bool(std::string_view)>& sink);

 private:
  // POST `path` with a JSON body to each endpoint in turn; the decoded answer.
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Member and cluster IDs as etcd prints them (lower-case hex, no padding) and back.
std::string id_to_hex(std::uint64_t id);
std::optional<std::uint64_t> id_from_hex(std::string_view hex);

}  // namespace druid::etcd
