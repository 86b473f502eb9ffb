#include "etcd/client.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "util/base64.hpp"

namespace druid::etcd {
namespace {

using nlohmann::json;

// A 2xx answer whose JSON does not have the shape etcd sends; caught where the
// answer is decoded and turned into ErrorKind::kDecode.
struct DecodeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The gateway writes 64-bit integers as decimal strings (proto3 JSON); small
// ones may come as numbers. An absent field is proto3's zero value.
template <class Int>
Int int_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return 0;
  if (it->is_number_integer()) return it->get<Int>();
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    Int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return value;
  }
  throw DecodeFailure(fmt::format("field {} is not an integer: {}", name, it->dump()));
}

bool bool_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw DecodeFailure(fmt::format("field {} is not a boolean", name));
  return it->get<bool>();
}

std::string string_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_string()) throw DecodeFailure(fmt::format("field {} is not a string", name));
  return it->get<std::string>();
}

std::vector<std::string> strings_field(const json& object, const char* name) {
  std::vector<std::string> out;
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) throw DecodeFailure(fmt::format("field {} is not a list", name));
  for (const auto& item : *it) {
    if (!item.is_string()) throw DecodeFailure(fmt::format("field {} holds a non-string", name));
    out.push_back(item.get<std::string>());
  }
  return out;
}

const json& object_field(const json& object, const char* name) {
  static const json kEmpty = json::object();
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return kEmpty;
  if (!it->is_object()) throw DecodeFailure(fmt::format("field {} is not an object", name));
  return *it;
}

std::string bytes_field(const json& object, const char* name) {
  const auto text = string_field(object, name);
  auto bytes = util::base64_decode(text);
  if (!bytes) throw DecodeFailure(fmt::format("field {} is not base64", name));
  return std::move(*bytes);
}

Member decode_member(const json& object) {
  Member member;
  member.id = int_field<std::uint64_t>(object, "ID");
  member.name = string_field(object, "name");
  member.peer_urls = strings_field(object, "peerURLs");
  member.client_urls = strings_field(object, "clientURLs");
  member.is_learner = bool_field(object, "isLearner");
  return member;
}

KeyValue decode_kv(const json& object) {
  KeyValue kv;
  kv.key = bytes_field(object, "key");
  kv.value = bytes_field(object, "value");
  kv.create_revision = int_field<std::int64_t>(object, "create_revision");
  kv.mod_revision = int_field<std::int64_t>(object, "mod_revision");
  kv.version = int_field<std::int64_t>(object, "version");
  return kv;
}

json id_json(std::uint64_t id) {
  return std::to_string(id);
}

// The error of a non-2xx answer: etcd's own error when the body carries one
// ({"error": "...", "message": "...", "code": N}), else a plain HTTP error.
Error http_error(const std::string& endpoint, int status, const std::string& body) {
  Error error;
  error.endpoint = endpoint;
  error.http_status = status;
  const auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && (parsed.contains("message") || parsed.contains("error"))) {
    error.kind = ErrorKind::kEtcd;
    const auto code = parsed.find("code");
    if (code != parsed.end() && code->is_number_integer()) error.grpc_code = code->get<int>();
    const auto message = parsed.find("message");
    const auto text = parsed.find("error");
    if (message != parsed.end() && message->is_string() && !message->get<std::string>().empty()) {
      error.message = message->get<std::string>();
    } else if (text != parsed.end() && text->is_string()) {
      error.message = text->get<std::string>();
    } else {
      error.message = body;
    }
    return error;
  }
  error.kind = ErrorKind::kHttp;
  error.message = fmt::format("HTTP {}: {}", status, body.substr(0, 200));
  return error;
}

Error transport_error(const std::string& endpoint, const kube::TransportError& failure) {
  Error error;
  error.kind = failure.timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport;
  error.message = failure.message;
  error.endpoint = endpoint;
  return error;
}

Error decode_error(const std::string& endpoint, int status, const std::string& what) {
  Error error;
  error.kind = ErrorKind::kDecode;
  error.http_status = status;
  error.message = what;
  error.endpoint = endpoint;
  return error;
}

// An error carried inside a stream ({"error": {"grpc_code": N, "message": "..."}}),
// as the gateway reports failures after it sent the 200 header.
std::optional<Error> stream_error(const std::string& endpoint, const json& message) {
  const auto it = message.find("error");
  if (it == message.end() || it->is_null()) return std::nullopt;
  Error error;
  error.kind = ErrorKind::kEtcd;
  error.endpoint = endpoint;
  error.http_status = 200;
  if (it->is_object()) {
    error.grpc_code = it->value("grpc_code", it->value("code", 0));
    error.message = it->value("message", it->dump());
  } else {
    error.message = it->dump();
  }
  return error;
}

bool is_2xx(int status) {
  return status >= 200 && status < 300;
}

// Splits a stream of newline-separated JSON messages into whole messages.
class MessageSplitter {
 public:
  // Appends a chunk; calls `on_message` with each complete line, stops (and
  // returns false) when it does.
  template <class F>
  bool feed(std::string_view chunk, F&& on_message) {
    buffer_.append(chunk);
    std::size_t start = 0;
    bool keep_going = true;
    while (keep_going) {
      const auto end = buffer_.find('\n', start);
      if (end == std::string::npos) break;
      const std::string_view line(buffer_.data() + start, end - start);
      start = end + 1;
      if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
      keep_going = on_message(line);
    }
    buffer_.erase(0, start);
    return keep_going;
  }
  // What is left after the stream ended (a last message without newline).
  std::string_view rest() const { return buffer_; }

 private:
  std::string buffer_;
};

}  // namespace

struct Client::Impl {
  explicit Impl(ClientOptions opts)
      : options(std::move(opts)),
        transport(options.tls, options.connect_timeout.value_or(options.timeout),
                  "druid-etcd-client") {}

  std::string url(const std::string& endpoint, std::string_view path) const {
    std::string base = endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + std::string(path);
  }

  kube::HttpRequest request(const std::string& endpoint, std::string_view path, const json& body,
                            std::chrono::milliseconds timeout) const {
    kube::HttpRequest req;
    req.method = "POST";
    req.url = url(endpoint, path);
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = body.dump();
    req.timeout = timeout;
    return req;
  }

  Error no_endpoints() const {
    Error error;
    error.kind = ErrorKind::kTransport;
    error.message = "no etcd endpoints configured";
    return error;
  }

  // POSTs `body` to `path` at each endpoint in turn until one answers; then
  // decodes the answer with `decode` (a DecodeFailure becomes kDecode).
  template <class T, class Decode>
  EtcdResult<T> call(std::string_view path, const json& body, Decode&& decode) {
    std::optional<Error> last;
    for (const auto& endpoint : options.endpoints) {
      auto response = transport.perform(request(endpoint, path, body, options.timeout));
      if (!response) {
        last = transport_error(endpoint, response.error());
        continue;
      }
      if (!is_2xx(response->status)) {
        return util::unexpected(http_error(endpoint, response->status, response->body));
      }
      const auto parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_object()) {
        return util::unexpected(decode_error(endpoint, response->status,
                                             "answer of " + std::string(path) + " is not JSON"));
      }
      try {
        return decode(parsed);
      } catch (const std::exception& e) {
        return util::unexpected(
            decode_error(endpoint, response->status,
                         fmt::format("cannot decode answer of {}: {}", path, e.what())));
      }
    }
    return util::unexpected(last ? *last : no_endpoints());
  }

  // Streams `path` from the first endpoint that answers; `on_result` gets each
  // message's "result" object and returns false once it has seen enough.
  // A stream that failed after delivering data is not retried elsewhere.
  EtcdResult<Done> stream(std::string_view path, const json& body,
                          std::chrono::milliseconds timeout,
                          const std::function<bool(const json&)>& on_result) {
    std::optional<Error> last;
    for (const auto& endpoint : options.endpoints) {
      MessageSplitter splitter;
      std::optional<Error> failure;
      bool delivered = false;
      bool finished = false;
      const auto handle_line = [&](std::string_view line) {
        const auto message = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!message.is_object()) {
          failure = decode_error(endpoint, 200,
                                 "stream message of " + std::string(path) + " is not JSON");
          return false;
        }
        if (auto error = stream_error(endpoint, message)) {
          failure = std::move(error);
          return false;
        }
        try {
          delivered = true;
          if (!on_result(object_field(message, "result"))) {
            finished = true;
            return false;
          }
        } catch (const std::exception& e) {
          failure = decode_error(endpoint, 200,
                                 fmt::format("cannot decode stream of {}: {}", path, e.what()));
          return false;
        }
        return true;
      };
      auto streamed = transport.stream(
          request(endpoint, path, body, timeout),
          [&](std::string_view chunk) { return splitter.feed(chunk, handle_line); }, nullptr);
      if (failure) return util::unexpected(std::move(*failure));
      if (!streamed) {
        last = transport_error(endpoint, streamed.error());
        if (delivered) return util::unexpected(std::move(*last));
        continue;
      }
      if (!is_2xx(streamed->response.status)) {
        return util::unexpected(
            http_error(endpoint, streamed->response.status, streamed->response.body));
      }
      if (!finished && !splitter.rest().empty()) {
        const std::string rest(splitter.rest());
        handle_line(rest);
        if (failure) return util::unexpected(std::move(*failure));
      }
      if (finished) return Done{};
      // The server closed the stream before the consumer had enough.
      Error closed;
      closed.kind = ErrorKind::kTransport;
      closed.endpoint = endpoint;
      closed.http_status = streamed->response.status;
      closed.message = fmt::format("stream of {} ended early", path);
      return util::unexpected(std::move(closed));
    }
    return util::unexpected(last ? *last : no_endpoints());
  }

  ClientOptions options;
  kube::HttpTransport transport;
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

EtcdResult<MemberStatus> Client::status() {
  return impl_->call<MemberStatus>("/v3/maintenance/status", json::object(), [](const json& j) {
    const auto& header = object_field(j, "header");
    MemberStatus status;
    status.cluster_id = int_field<std::uint64_t>(header, "cluster_id");
    status.member_id = int_field<std::uint64_t>(header, "member_id");
    status.revision = int_field<std::int64_t>(header, "revision");
    status.leader = int_field<std::uint64_t>(j, "leader");
    status.raft_term = int_field<std::uint64_t>(j, "raftTerm");
    status.raft_index = int_field<std::uint64_t>(j, "raftIndex");
    status.db_size = int_field<std::int64_t>(j, "dbSize");
    status.version = string_field(j, "version");
    status.is_learner = bool_field(j, "isLearner");
    return status;
  });
}

EtcdResult<std::vector<Member>> Client::member_list() {
  return impl_->call<std::vector<Member>>("/v3/cluster/member/list", json::object(),
                                          [](const json& j) {
                                            std::vector<Member> members;
                                            const auto it = j.find("members");
                                            if (it == j.end() || it->is_null()) return members;
                                            if (!it->is_array())
                                              throw DecodeFailure("members is not a list");
                                            for (const auto& item : *it)
                                              members.push_back(decode_member(item));
                                            return members;
                                          });
}

EtcdResult<Member> Client::member_add(const std::vector<std::string>& peer_urls, bool as_learner) {
  json body = {{"peerURLs", peer_urls}};
  if (as_learner) body["isLearner"] = true;
  return impl_->call<Member>("/v3/cluster/member/add", body, [](const json& j) {
    return decode_member(object_field(j, "member"));
  });
}

EtcdResult<Done> Client::member_promote(std::uint64_t id) {
  return impl_->call<Done>("/v3/cluster/member/promote", {{"ID", id_json(id)}},
                           [](const json&) { return Done{}; });
}

EtcdResult<Done> Client::member_remove(std::uint64_t id) {
  return impl_->call<Done>("/v3/cluster/member/remove", {{"ID", id_json(id)}},
                           [](const json&) { return Done{}; });
}

EtcdResult<Done> Client::member_update(std::uint64_t id,
                                       const std::vector<std::string>& peer_urls) {
  return impl_->call<Done>("/v3/cluster/member/update",
                           {{"ID", id_json(id)}, {"peerURLs", peer_urls}},
                           [](const json&) { return Done{}; });
}

EtcdResult<Done> Client::move_leader(std::uint64_t target_id) {
  return impl_->call<Done>("/v3/maintenance/transfer-leadership",
                           {{"targetID", id_json(target_id)}}, [](const json&) { return Done{}; });
}

EtcdResult<std::int64_t> Client::put(std::string_view key, std::string_view value) {
  const json body = {{"key", util::base64_encode(key)}, {"value", util::base64_encode(value)}};
  return impl_->call<std::int64_t>("/v3/kv/put", body, [](const json& j) {
    return int_field<std::int64_t>(object_field(j, "header"), "revision");
  });
}

EtcdResult<std::int64_t> Client::delete_key(std::string_view key) {
  return impl_->call<std::int64_t>(
      "/v3/kv/deleterange", {{"key", util::base64_encode(key)}},
      [](const json& j) { return int_field<std::int64_t>(object_field(j, "header"), "revision"); });
}

EtcdResult<RangeResult> Client::range(std::string_view key, std::optional<std::string> range_end,
                                      bool serializable) {
  json body = {{"key", util::base64_encode(key)}};
  if (range_end) body["range_end"] = util::base64_encode(*range_end);
  if (serializable) body["serializable"] = true;
  return impl_->call<RangeResult>("/v3/kv/range", body, [](const json& j) {
    RangeResult result;
    result.revision = int_field<std::int64_t>(object_field(j, "header"), "revision");
    const auto it = j.find("kvs");
    if (it != j.end() && !it->is_null()) {
      if (!it->is_array()) throw DecodeFailure("kvs is not a list");
      for (const auto& item : *it) result.kvs.push_back(decode_kv(item));
    }
    return result;
  });
}

EtcdResult<std::vector<Event>> Client::events(std::int64_t start_revision,
                                              std::int64_t end_revision) {
  std::vector<Event> events;
  if (start_revision > end_revision) return events;
  const std::string all_keys = util::base64_encode(std::string_view("\0", 1));
  const json body = {{"create_request",
                      {{"key", all_keys},
                       {"range_end", all_keys},
                       {"start_revision", std::to_string(start_revision)}}}};
  std::optional<Error> canceled;
  auto streamed = impl_->stream("/v3/watch", body, impl_->options.timeout, [&](const json& result) {
    if (bool_field(result, "canceled")) {
      Error error;
      error.kind = ErrorKind::kEtcd;
      error.http_status = 200;
      const auto compacted = int_field<std::int64_t>(result, "compact_revision");
      if (compacted > 0) {
        error.grpc_code = 11;  // OutOfRange, as etcd answers a compacted revision
        error.message = fmt::format(
            "etcdserver: mvcc: required revision has been compacted (compact revision {})",
            compacted);
      } else {
        error.message = string_field(result, "cancel_reason");
        if (error.message.empty()) error.message = "watch canceled";
      }
      canceled = std::move(error);
      return false;
    }
    bool reached_end = false;
    const auto it = result.find("events");
    if (it != result.end() && it->is_array()) {
      // A response holds whole revisions, so the end is decided per response.
      for (const auto& item : *it) {
        Event event;
        event.type = string_field(item, "type") == "DELETE" ? EventType::kDelete : EventType::kPut;
        event.kv = decode_kv(object_field(item, "kv"));
        if (event.kv.mod_revision >= end_revision) reached_end = true;
        if (event.kv.mod_revision <= end_revision) events.push_back(std::move(event));
      }
    }
    return !reached_end;
  });
  if (canceled) {
    if (!impl_->options.endpoints.empty()) canceled->endpoint = impl_->options.endpoints.front();
    return util::unexpected(std::move(*canceled));
  }
  if (!streamed) return util::unexpected(streamed.error());
  return events;
}

EtcdResult<Done> Client::snapshot(const std::function<bool(std::string_view)>& sink) {
  // etcd sends the database in chunks counting down `remaining_bytes` to 0,
  // then one more message with the database's sha256, which `etcdctl snapshot
  // restore` checks: the snapshot is complete after that message.
  bool database_sent = false;
  auto streamed = impl_->stream("/v3/maintenance/snapshot", json::object(),
                                impl_->options.snapshot_timeout, [&](const json& result) {
                                  const auto blob = bytes_field(result, "blob");
                                  if (!blob.empty() && !sink(blob)) return false;
                                  if (database_sent) return false;  // the sha256: done
                                  database_sent =
                                      int_field<std::int64_t>(result, "remaining_bytes") == 0;
                                  return true;
                                });
  if (!streamed) return util::unexpected(streamed.error());
  return Done{};
}

std::string id_to_hex(std::uint64_t id) {
  return fmt::format("{:x}", id);
}

std::optional<std::uint64_t> id_from_hex(std::string_view hex) {
  if (hex.empty() || hex.size() > 16) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  if (ec != std::errc() || end != hex.data() + hex.size()) return std::nullopt;
  return value;
}

}  // namespace druid::etcd
