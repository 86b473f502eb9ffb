#include "apiserver/server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "apiserver/admission.hpp"
#include "apiserver/crd_install.hpp"
#include "util/base64.hpp"
#include "util/yaml.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxRequestBody = 3 * 1024 * 1024;  // the API server's limit
constexpr auto kWatchPoll = std::chrono::milliseconds(200);

bool is_public_path(const std::string& path) {
  return path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version";
}

// httplib keeps idle keep-alive connections open until their timeout and its
// stop() waits for them. Shutting down the server side of every connection to
// our port (found among the process' descriptors) ends them at once; the
// threads that own the descriptors still close them.
void shut_down_connections(int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    if (local.ss_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(&local);
    if (ntohs(in->sin_port) != port) continue;
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    ::shutdown(fd, SHUT_RDWR);
  }
}

ApiRequest to_api_request(const httplib::Request& req) {
  ApiRequest r;
  r.method = req.method;
  r.path = req.path;
  for (const auto& [k, v] : req.params) r.query.emplace(k, v);
  r.body = req.body;
  r.content_type = req.get_header_value("Content-Type");
  r.accept = req.get_header_value("Accept");
  return r;
}

std::string random_token(IdGenerator& ids) {
  std::string uid = ids.uid();
  uid.erase(std::remove(uid.begin(), uid.end(), '-'), uid.end());
  return uid;
}

}  // namespace

TestApiServer::TestApiServer(Options options) : options_(std::move(options)) {
  ApiCore::Options core_options;
  core_options.event_log_limit = options_.event_log_limit;
  core_options.watch.bookmark_interval = options_.bookmark_interval;
  core_ = std::make_unique<ApiCore>(core_options);
  IdGenerator ids;
  admin_token_ = options_.admin_token.empty() ? random_token(ids) : options_.admin_token;
  authenticator_.add_user(admin_token_, "admin", {"system:masters"});
  if (options_.admission_webhooks) {
    ApiCore* core = core_.get();
    auto admission = std::make_shared<WebhookAdmission>(
        [core](const std::string& ns) {
          util::Labels labels;
          if (auto object = core->get_object("namespaces", "", ns)) {
            const json labels_json = object->at("metadata").value("labels", json::object());
            for (const auto& [k, v] : labels_json.items()) {
              if (v.is_string()) labels[k] = v.get<std::string>();
            }
          }
          return labels;
        },
        [core](const std::string& webhook) { core->controls().count_webhook_call(webhook); });
    core_->set_admission_hook([admission](const AdmissionAttributes& attributes,
                                          const std::vector<json>& configurations) {
      return admission->review(attributes, configurations);
    });
  }
}

TestApiServer::~TestApiServer() {
  stop();
}

void TestApiServer::add_user(const std::string& token, const std::string& username,
                             std::vector<std::string> groups) {
  authenticator_.add_user(token, username, std::move(groups));
}

std::string TestApiServer::add_user_with_random_token(const std::string& username,
                                                      std::vector<std::string> groups) {
  IdGenerator ids;
  std::string token = random_token(ids);
  authenticator_.add_user(token, username, std::move(groups));
  return token;
}

std::string TestApiServer::url() const {
  return "https://" + options_.host + ":" + std::to_string(port_);
}

void TestApiServer::start() {
  if (server_) return;
  // Writing to a connection the client closed raises SIGPIPE, which would end
  // the process; the write error is handled instead.
  std::signal(SIGPIPE, SIG_IGN);
  // A restart keeps the credentials, as a restarted API server keeps its certificate.
  if (tls_.cert_pem.empty()) tls_ = generate_tls_credentials({"localhost"}, {"127.0.0.1"});
  server_ = std::make_unique<httplib::SSLServer>(
      [this](SSL_CTX& ctx) { return use_pem_credentials(ctx, tls_.cert_pem, tls_.key_pem); });
  if (!server_->is_valid()) throw std::runtime_error("test API server: TLS set-up failed");
  const std::size_t threads = options_.threads;
  // httplib owns the task queue it gets from this factory.
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Headers and body go out in separate writes; without TCP_NODELAY Nagle
  // holds the second until the client's delayed ACK (~40 ms per request).
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_max_count(100000);
  server_->set_keep_alive_timeout(30);
  server_->set_read_timeout(30);
  server_->set_write_timeout(30);
  server_->set_payload_max_length(kMaxRequestBody);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    ApiRequest request = to_api_request(req);
    ApiResponse response;
    auto user = authenticator_.authenticate(req.get_header_value("Authorization"));
    if (!user && !is_public_path(req.path)) {
      response = ApiResponse::error(unauthorized());
    } else {
      if (user) request.user = *user;
      try {
        response = core_->handle(request);
      } catch (const std::exception& e) {
        response = ApiResponse::error(internal_error(e.what()));
      }
    }
    res.status = response.status;
    if (options_.log_requests) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      spdlog::info("{} {}{}{} user={} status={} {}ms{}", req.method, req.path,
                   req.params.empty() ? "" : "?", httplib::detail::params_to_query_str(req.params),
                   request.user.username.empty() ? "-" : request.user.username, response.status,
                   elapsed.count(), response.watch ? " (watch stream)" : "");
    }
    res.set_header("Cache-Control", "no-cache, private");
    for (const auto& [k, v] : response.headers) res.set_header(k.c_str(), v);
    if (response.watch) {
      // httplib gzips a response when the client accepts it, and its gzip
      // compressor holds everything back until the stream ends: kubectl (which
      // sends Accept-Encoding: gzip) would see no event of a watch until it
      // closed. A real API server sends every watch event at once, so watches
      // are never compressed here. httplib decides from the request's header
      // when it writes the response; the request object is this handler's own.
      const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");  // NOLINT
      auto stream = response.watch;
      res.set_chunked_content_provider(
          response.content_type, [stream](std::size_t, httplib::DataSink& sink) {
            std::string chunk = stream->next(kWatchPoll);
            if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) {
              stream->cancel();
              return false;
            }
            if (stream->finished()) sink.done();
            return true;
          });
      return;
    }
    auto body = std::make_shared<std::string>(
        response.body.is_string() ? response.body.get<std::string>() : response.body.dump());
    if (response.cut_connection) {
      // Headers and half the body, then the connection drops (the provider fails).
      res.set_content_provider(body->size(), response.content_type,
                               [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 if (offset == 0) sink.write(body->data(), body->size() / 2);
                                 return false;
                               });
      return;
    }
    res.set_content(*body, response.content_type.c_str());
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Put(".*", handler);
  server_->Patch(".*", handler);
  server_->Delete(".*", handler);

  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    server_.reset();
    throw std::runtime_error("test API server: cannot bind " + options_.host + ":" +
                             std::to_string(options_.port));
  }
  core_->set_server_address(options_.host + ":" + std::to_string(port_));
  listening_done_ = false;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listening_done_ = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void TestApiServer::stop() {
  if (!server_) return;
  core_->shutdown();
  server_->stop();
  // Until the listening thread has joined its workers, end the connections
  // they are waiting on (new ones may still be accepted just before the stop).
  while (!listening_done_) {
    shut_down_connections(port_);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void TestApiServer::restart() {
  stop();
  options_.port = port_;
  core_->resume();
  start();
}

std::string TestApiServer::kubeconfig(const std::string& token) const {
  std::ostringstream out;
  out << "apiVersion: v1\n"
      << "kind: Config\n"
      << "clusters:\n"
      << "- name: druid-dev\n"
      << "  cluster:\n"
      << "    server: " << url() << "\n"
      << "    certificate-authority-data: " << util::base64_encode(tls_.ca_pem) << "\n"
      << "users:\n"
      << "- name: druid-dev-user\n"
      << "  user:\n"
      << "    token: " << (token.empty() ? admin_token_ : token) << "\n"
      << "contexts:\n"
      << "- name: druid-dev\n"
      << "  context:\n"
      << "    cluster: druid-dev\n"
      << "    user: druid-dev-user\n"
      << "    namespace: default\n"
      << "current-context: druid-dev\n"
      << "preferences: {}\n";
  return out.str();
}

void TestApiServer::write_kubeconfig(const std::filesystem::path& path,
                                     const std::string& token) const {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::trunc);
  file << kubeconfig(token);
  if (!file) throw std::runtime_error("cannot write kubeconfig " + path.string());
  file.close();
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

void TestApiServer::install_crds(const std::filesystem::path& dir, CrdRules rules) {
  druid::testing::install_crds(*core_, dir, rules);
}

}  // namespace druid::testing
