#include "localenv/member_agent/snapshot_restorer.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "etcd/client.hpp"
#include "localenv/member_agent/backup_child_process.hpp"
#include "localenv/member_agent/delta_snapshot.hpp"
#include "util/base64.hpp"

namespace druid::localenv::backup {
namespace {

// The end of a process log, for error messages.
std::string log_tail(const std::filesystem::path& log) {
  std::ifstream in(log, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t kTail = 2000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

// A loopback port nobody listens on right now (bound and released).
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// KV.DeleteRange of one key over the JSON gateway: src/etcd/client.hpp has
// no delete, and the temporary etcd is plain HTTP on loopback.
util::Expected<bool, std::string> delete_key(int client_port, const std::string& key) {
  httplib::Client http("127.0.0.1", client_port);
  http.set_connection_timeout(std::chrono::seconds(5));
  http.set_read_timeout(std::chrono::seconds(5));
  const nlohmann::json body = {{"key", util::base64_encode(key)}};
  auto response = http.Post("/v3/kv/deleterange", body.dump(), "application/json");
  if (!response) return util::unexpected("deleterange: " + httplib::to_string(response.error()));
  if (response->status != 200) {
    return util::unexpected("deleterange: HTTP " + std::to_string(response->status) + " " +
                            response->body);
  }
  return true;
}

util::Expected<int, std::string> replay_deltas(const LocalSnapstore& store,
                                               const std::vector<Snapshot>& deltas,
                                               const RestoreRequest& request,
                                               const std::filesystem::path& part_dir) {
  const int client_port = free_loopback_port();
  const int peer_port = free_loopback_port();
  const std::string client_url = "http://127.0.0.1:" + std::to_string(client_port);
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port);
  BackupChildProcess etcd_process(
      request.etcd,
      {"--name=" + request.member_name, "--data-dir=" + part_dir.string(),
       "--listen-client-urls=" + client_url, "--advertise-client-urls=" + client_url,
       "--listen-peer-urls=" + peer_url,
       "--quota-backend-bytes=" + std::to_string(request.quota_bytes)},
      {}, request.work_dir / "restore-etcd.log");
  etcd::ClientOptions options;
  options.endpoints = {client_url};
  options.timeout = std::chrono::seconds(5);
  etcd::Client client(options);
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  while (!client.status()) {
    if (etcd_process.wait(std::chrono::milliseconds(0))) {
      return util::unexpected("temporary etcd for the restore exited: " +
                              log_tail(request.work_dir / "restore-etcd.log"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return util::unexpected(std::string("temporary etcd for the restore did not answer in time"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int applied = 0;
  for (const auto& delta : deltas) {
    auto content = store.read(delta);
    if (!content) return util::unexpected(content.error());
    auto events = decode_delta_snapshot(*content);
    if (!events) return util::unexpected(delta.snap_name() + ": " + events.error());
    for (const auto& event : *events) {
      if (event.type == etcd::EventType::kPut) {
        auto put = client.put(event.kv.key, event.kv.value);
        if (!put)
          return util::unexpected("replaying " + delta.snap_name() + ": " + put.error().message);
      } else {
        auto deleted = delete_key(client_port, event.kv.key);
        if (!deleted)
          return util::unexpected("replaying " + delta.snap_name() + ": " + deleted.error());
      }
    }
    ++applied;
  }
  etcd_process.stop();
  return applied;
}

}  // namespace

util::Expected<RestoreOutcome, std::string> restore_from_store(const LocalSnapstore& store,
                                                               const RestoreRequest& request) {
  const auto latest = store.latest();
  RestoreOutcome outcome;
  if (!latest.full) return outcome;
  std::error_code ec;
  std::filesystem::create_directories(request.work_dir, ec);
  auto content = store.read(*latest.full);
  if (!content) return util::unexpected(content.error());
  const auto db_file = request.work_dir / "restore.db";
  {
    std::ofstream out(db_file, std::ios::binary | std::ios::trunc);
    out.write(content->data(), static_cast<std::streamsize>(content->size()));
    if (!out) return util::unexpected("cannot write " + db_file.string());
  }
  const std::filesystem::path part_dir = request.data_dir.string() + ".part";
  std::filesystem::remove_all(part_dir, ec);
  const auto log = request.work_dir / "restore-etcdctl.log";
  const auto code =
      run_to_completion(request.etcdctl,
                        {"snapshot", "restore", db_file.string(), "--name=" + request.member_name,
                         "--initial-cluster=" + request.initial_cluster,
                         "--initial-advertise-peer-urls=" + request.initial_advertise_peer_urls,
                         "--data-dir=" + part_dir.string()},
                        {{"ETCDCTL_API", "3"}}, log, request.timeout);
  std::filesystem::remove(db_file, ec);
  if (!code || *code != 0) {
    return util::unexpected("etcdctl snapshot restore of " + latest.full->snap_name() +
                            " failed: " + log_tail(log));
  }
  outcome.restored = true;
  outcome.full_revision = latest.full->last_revision;
  if (!latest.deltas.empty()) {
    auto applied = replay_deltas(store, latest.deltas, request, part_dir);
    if (!applied) return util::unexpected(applied.error());
    outcome.deltas_applied = *applied;
  }
  std::filesystem::remove_all(request.data_dir, ec);
  std::filesystem::rename(part_dir, request.data_dir, ec);
  if (ec)
    return util::unexpected("cannot move the restored data into " + request.data_dir.string() +
                            ": " + ec.message());
  spdlog::info("restored {} from {} and {} delta snapshot(s)", request.data_dir.string(),
               latest.full->snap_name(), outcome.deltas_applied);
  return outcome;
}

}  // namespace druid::localenv::backup
