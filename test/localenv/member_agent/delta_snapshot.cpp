#include "localenv/member_agent/delta_snapshot.hpp"

#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "util/base64.hpp"

namespace druid::localenv::backup {
namespace {

constexpr std::size_t kSha256Size = SHA256_DIGEST_LENGTH;

std::string sha256(std::string_view data) {
  std::string digest(kSha256Size, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

// mvccpb.KeyValue through Go's encoding/json: protobuf's `omitempty` tags
// drop zero numbers and empty byte strings; bytes are base64.
nlohmann::json encode_key_value(const etcd::KeyValue& kv) {
  nlohmann::json json = nlohmann::json::object();
  if (!kv.key.empty()) json["key"] = util::base64_encode(kv.key);
  if (kv.create_revision != 0) json["create_revision"] = kv.create_revision;
  if (kv.mod_revision != 0) json["mod_revision"] = kv.mod_revision;
  if (kv.version != 0) json["version"] = kv.version;
  if (!kv.value.empty()) json["value"] = util::base64_encode(kv.value);
  return json;
}

util::Expected<std::string, std::string> decode_bytes(const nlohmann::json& object,
                                                      const char* field) {
  const auto it = object.find(field);
  if (it == object.end()) return std::string();
  if (!it->is_string()) return util::unexpected(std::string(field) + " is not a base64 string");
  auto decoded = util::base64_decode(it->get<std::string>());
  if (!decoded) return util::unexpected(std::string(field) + " is not valid base64");
  return std::string(decoded->begin(), decoded->end());
}

std::int64_t int_field(const nlohmann::json& object, const char* field) {
  const auto it = object.find(field);
  if (it == object.end()) return 0;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) return std::stoll(it->get<std::string>());
  return 0;
}

}  // namespace

std::string encode_delta_snapshot(const std::vector<etcd::Event>& events, util::Time time) {
  nlohmann::json array = nlohmann::json::array();
  const std::string time_text = util::format_rfc3339(time);
  for (const auto& event : events) {
    nlohmann::json etcd_event = nlohmann::json::object();
    // mvccpb.Event_EventType: PUT = 0 (omitted by omitempty), DELETE = 1.
    if (event.type == etcd::EventType::kDelete) etcd_event["type"] = 1;
    etcd_event["kv"] = encode_key_value(event.kv);
    array.push_back({{"etcdEvent", std::move(etcd_event)}, {"time", time_text}});
  }
  std::string data = array.dump();
  data += sha256(data);
  return data;
}

util::Expected<std::vector<etcd::Event>, std::string> decode_delta_snapshot(std::string_view data) {
  if (data.size() < kSha256Size) return util::unexpected(std::string("delta snapshot too short"));
  const auto json_text = data.substr(0, data.size() - kSha256Size);
  if (sha256(json_text) != data.substr(data.size() - kSha256Size)) {
    return util::unexpected(std::string("delta snapshot sha256 mismatch"));
  }
  const auto array = nlohmann::json::parse(json_text, nullptr, false);
  if (!array.is_array()) return util::unexpected(std::string("delta snapshot is not a JSON array"));
  std::vector<etcd::Event> events;
  for (const auto& item : array) {
    const auto etcd_event = item.find("etcdEvent");
    if (!item.is_object() || etcd_event == item.end() || !etcd_event->is_object()) {
      return util::unexpected(std::string("delta snapshot entry without etcdEvent"));
    }
    etcd::Event event;
    const auto type = etcd_event->find("type");
    if (type != etcd_event->end() &&
        ((type->is_number_integer() && type->get<int>() == 1) ||
         (type->is_string() && type->get<std::string>() == "DELETE"))) {
      event.type = etcd::EventType::kDelete;
    }
    const auto kv = etcd_event->find("kv");
    if (kv == etcd_event->end() || !kv->is_object()) {
      return util::unexpected(std::string("delta snapshot event without kv"));
    }
    try {
      auto key = decode_bytes(*kv, "key");
      auto value = decode_bytes(*kv, "value");
      if (!key) return util::unexpected("delta snapshot event: " + key.error());
      if (!value) return util::unexpected("delta snapshot event: " + value.error());
      event.kv.key = std::move(*key);
      event.kv.value = std::move(*value);
      event.kv.create_revision = int_field(*kv, "create_revision");
      event.kv.mod_revision = int_field(*kv, "mod_revision");
      event.kv.version = int_field(*kv, "version");
    } catch (const std::exception& error) {
      return util::unexpected(std::string("delta snapshot event: bad number: ") + error.what());
    }
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace druid::localenv::backup
