#include "operator/webhook_server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

#include "operator/http_listener.hpp"
#include "webhook/admission_review.hpp"
#include "webhook/certificate_reloader.hpp"
#include "webhook/client_lookup.hpp"
#include "webhook/component_protection.hpp"

namespace druid::operator_ {
namespace {

using nlohmann::json;

void reply(httplib::Response& res, const json& review) {
  // Admission answers are always HTTP 200; the verdict is inside the review.
  res.status = 200;
  res.set_content(review.dump(), "application/json");
}

// A request that cannot be judged at all (controller-runtime answers these
// with a v1 review carrying the error code and no uid).
void reply_bad_request(httplib::Response& res, std::string message) {
  reply(res, webhook::encode_admission_review(webhook::kAdmissionV1, "",
                                              webhook::Decision::errored(400, std::move(message))));
}

class HttpsWebhookServer final : public WebhookServer {
 public:
  HttpsWebhookServer(WebhookServerOptions options, kube::Client& client,
                     std::unique_ptr<webhook::CertificateReloader> certificates)
      : options_(std::move(options)),
        lookup_(client),
        protection_{options_.reconciler_service_account, options_.exempt_service_accounts},
        certificates_(std::move(certificates)),
        server_([this](SSL_CTX& ctx) {
          SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
          certificates_->attach(ctx);
          return true;
        }) {
    server_.Post(webhook::kWebhookPath,
                 [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    refuse_port_sharing(server_);
    server_.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
          std::string what = "unknown error";
          try {
            std::rethrow_exception(std::move(error));
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          reply(res, webhook::encode_admission_review(
                         webhook::kAdmissionV1, "",
                         webhook::Decision::errored(500, "panic: " + what + " [recovered]")));
        });
  }

  ~HttpsWebhookServer() override { stop(); }

  util::Expected<std::monostate, std::string> listen() {
    const std::string host =
        options_.bind_address.empty() ? std::string("0.0.0.0") : options_.bind_address;
    if (!server_.is_valid()) {
      return util::unexpected(std::string("the webhook server cannot set up TLS"));
    }
    if (options_.port == 0) {
      port_ = server_.bind_to_any_port(host);
    } else if (server_.bind_to_port(host, options_.port)) {
      port_ = options_.port;
    }
    if (port_ <= 0) {
      return util::unexpected(
          fmt::format("the webhook server cannot listen on {}:{}", host, options_.port));
    }
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      listen_returned_ = true;
    });
    // The socket is bound already; this waits for the accept loop only.
    while (!server_.is_running() && !listen_returned_) std::this_thread::yield();
    if (!server_.is_running()) {
      stop();
      return util::unexpected(
          fmt::format("the webhook server on {}:{} stopped at once", host, port_));
    }
    spdlog::info("webhook server {} listening on {}:{}{}", webhook::kHandlerName, host, port_,
                 webhook::kWebhookPath);
    return std::monostate{};
  }

  int port() const override { return port_; }
  bool listening() const override { return !stopped_ && server_.is_running(); }

  void stop() override {
    if (stopped_.exchange(true)) return;
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    if (req.body.empty()) return reply_bad_request(res, "request body is empty");
    const std::string content_type = req.get_header_value("Content-Type");
    if (content_type != "application/json") {
      return reply_bad_request(res, "contentType=" + content_type + ", expected application/json");
    }
    auto review = webhook::decode_admission_review(req.body);
    if (!review) return reply_bad_request(res, review.error());
    const auto& request = review->request;
    webhook::Decision decision;
    try {
      decision = webhook::decide(request, lookup_, protection_);
    } catch (const std::exception& e) {
      // controller-runtime recovers handler panics the same way.
      decision = webhook::Decision::errored(500, fmt::format("panic: {} [recovered]", e.what()));
    }
    spdlog::debug(
        "EtcdComponents webhook invoked: name={} namespace={} resourceGroupKind={}/{} "
        "operation={} user={} allowed={} code={}",
        request.name, request.namespace_, request.kind.group, request.kind.kind, request.operation,
        request.username, decision.allowed, decision.code);
    reply(res, webhook::encode_admission_review(review->api_version, request.uid, decision));
  }

  WebhookServerOptions options_;
  webhook::ClientLookup lookup_;
  webhook::ProtectionConfig protection_;
  std::unique_ptr<webhook::CertificateReloader> certificates_;
  httplib::SSLServer server_;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
  std::atomic<bool> stopped_{false};
  int port_ = 0;
};

}  // namespace

util::Expected<WebhookServerOptions, std::string> webhook_server_options(
    const api::OperatorConfiguration& config) {
  auto protection = webhook::protection_config(config.webhooks.etcd_component_protection);
  if (!protection) return util::unexpected(protection.error());
  WebhookServerOptions options;
  if (config.server.webhooks) {
    options.bind_address = config.server.webhooks->bind_address;
    options.port = static_cast<int>(config.server.webhooks->port);
    options.cert_dir = config.server.webhooks->server_cert_dir;
  }
  options.reconciler_service_account = std::move(protection->reconciler_service_account);
  options.exempt_service_accounts = std::move(protection->exempt_service_accounts);
  return options;
}

util::Expected<std::unique_ptr<WebhookServer>, std::string> WebhookServer::start(
    WebhookServerOptions options, kube::Client& client) {
  auto certificates = webhook::CertificateReloader::load(options.cert_dir);
  if (!certificates) return util::unexpected(certificates.error());
  auto server =
      std::make_unique<HttpsWebhookServer>(std::move(options), client, std::move(*certificates));
  auto listening = server->listen();
  if (!listening) return util::unexpected(listening.error());
  return std::unique_ptr<WebhookServer>(std::move(server));
}

}  // namespace druid::operator_
