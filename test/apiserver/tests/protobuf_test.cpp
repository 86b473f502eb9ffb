// Protobuf request bodies: the wire reader, the decoding of Kubernetes kinds
// into the JSON a JSON request would have stored, and the request path
// (content type, Accept) through ApiCore. The bytes are built by hand the way
// gogo-protobuf writes them: every non-pointer scalar, even when empty.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "apiserver/api_core.hpp"
#include "apiserver/media_types.hpp"
#include "apiserver/protobuf_kinds.hpp"
#include "apiserver/protobuf_wire.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string tag(std::uint32_t number, int wire_type) {
  return varint((std::uint64_t{number} << 3) | static_cast<std::uint64_t>(wire_type));
}
std::string num(std::uint32_t number, std::uint64_t value) {
  return tag(number, 0) + varint(value);
}
std::string bytes(std::uint32_t number, std::string_view value) {
  return tag(number, 2) + varint(value.size()) + std::string(value);
}
std::string entry(std::uint32_t number, std::string_view key, std::string_view value) {
  return bytes(number, bytes(1, key) + bytes(2, value));
}
std::string envelope(std::string_view api_version, std::string_view kind, std::string_view raw) {
  return std::string("k8s\0", 4) + bytes(1, bytes(1, api_version) + bytes(2, kind)) +
         bytes(2, raw) + bytes(3, "") + bytes(4, "");
}

// ObjectMeta as kubectl's generators fill it: a name and a namespace, every
// other string empty, generation 0 and the zero creationTimestamp (no bytes).
std::string object_meta(std::string_view name, std::string_view ns, std::string extra = {}) {
  return bytes(1, name) + bytes(2, "") + bytes(3, ns) + bytes(4, "") + bytes(5, "") + bytes(6, "") +
         num(7, 0) + bytes(8, "") + extra;
}

json decode_ok(const std::string& body) {
  auto decoded = decode_kubernetes_protobuf(body);
  EXPECT_TRUE(decoded) << decoded.error().message;
  return decoded ? *decoded : json();
}

StatusError decode_error(const std::string& body) {
  auto decoded = decode_kubernetes_protobuf(body);
  EXPECT_FALSE(decoded) << decoded->dump();
  return decoded ? StatusError{} : decoded.error();
}

TEST(ProtobufWireTest, ReadsEachWireType) {
  const std::string data = num(1, 300) + tag(2, 1) + std::string("\x01\0\0\0\0\0\0\x80", 8) +
                           bytes(3, "abc") + tag(4, 5) + std::string("\x2a\0\0\0", 4);
  protobuf::WireReader reader(data);
  auto a = reader.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->number, 1u);
  EXPECT_EQ(a->type, protobuf::WireType::kVarint);
  EXPECT_EQ(a->value, 300u);
  auto b = reader.next();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type, protobuf::WireType::kFixed64);
  EXPECT_EQ(b->value, 0x8000000000000001u);
  auto c = reader.next();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, protobuf::WireType::kLengthDelimited);
  EXPECT_EQ(c->bytes, "abc");
  auto d = reader.next();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, protobuf::WireType::kFixed32);
  EXPECT_EQ(d->value, 42u);
  EXPECT_TRUE(reader.done());
}

TEST(ProtobufWireTest, MalformedInputIsAnError) {
  auto error_of = [](const std::string& data) {
    protobuf::WireReader reader(data);
    auto field = reader.next();
    EXPECT_FALSE(field);
    return field ? std::string() : field.error();
  };
  EXPECT_EQ(error_of("\x08\x80"), "field 1: truncated varint");
  EXPECT_EQ(error_of("\x80"), "truncated varint in a field tag");
  EXPECT_EQ(error_of(bytes(2, "abcdef").substr(0, 5)),
            "field 2: length 6 exceeds the remaining 3 bytes");
  EXPECT_EQ(error_of(tag(1, 1) + "\x01\x02"), "field 1: truncated 64-bit fixed value");
  EXPECT_EQ(error_of(tag(1, 3)), "field 1: groups are not supported");
  EXPECT_EQ(error_of(tag(1, 7)), "field 1: invalid wire type 7");
  EXPECT_EQ(error_of(tag(0, 0) + "\x01"), "invalid field number 0");
  EXPECT_EQ(error_of("\x08" + std::string(9, '\xff') + "\x02"),
            "field 1: varint overflows 64 bits");
}

TEST(ProtobufKindsTest, SecretAsKubectlCreateSecretGenericSendsIt) {
  const std::string meta =
      object_meta("s", "default",
                  entry(11, "app", "web") + entry(12, "note", "x") +
                      bytes(13, bytes(1, "Deployment") + bytes(3, "d") + bytes(4, "uid-1") +
                                    bytes(5, "apps/v1") + num(6, 1)) +
                      bytes(14, "example.com/keep"));
  const std::string secret = bytes(1, meta) + entry(2, "password", std::string("p\0w", 3)) +
                             bytes(3, "Opaque") + entry(4, "plain", "text") + num(5, 0);
  json object = decode_ok(envelope("v1", "Secret", secret));
  const json expected = {{"apiVersion", "v1"},
                         {"kind", "Secret"},
                         {"metadata",
                          {{"name", "s"},
                           {"namespace", "default"},
                           {"creationTimestamp", nullptr},
                           {"labels", {{"app", "web"}}},
                           {"annotations", {{"note", "x"}}},
                           {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                                             {"kind", "Deployment"},
                                                             {"name", "d"},
                                                             {"uid", "uid-1"},
                                                             {"controller", true}}})},
                           {"finalizers", json::array({"example.com/keep"})}}},
                         {"data", {{"password", "cAB3"}}},
                         {"stringData", {{"plain", "text"}}},
                         {"type", "Opaque"},
                         {"immutable", false}};
  EXPECT_EQ(object, expected) << object.dump(2);
}

TEST(ProtobufKindsTest, UnknownFieldsAreSkipped) {
  const std::string configmap = bytes(1, object_meta("c", "", num(99, 7))) + num(50, 1) +
                                tag(51, 1) + std::string(8, '\x01') + tag(52, 5) +
                                std::string(4, '\x02') + bytes(53, "future") + entry(2, "a", "b");
  json object = decode_ok(envelope("v1", "ConfigMap", configmap));
  EXPECT_EQ(object["metadata"], json({{"name", "c"}, {"creationTimestamp", nullptr}}));
  EXPECT_EQ(object["data"], json({{"a", "b"}}));
  EXPECT_EQ(object.size(), 4u) << object.dump();
}

TEST(ProtobufKindsTest, DeploymentWithPodTemplate) {
  const std::string selector = entry(1, "app", "d");
  const std::string container =
      bytes(1, "nginx") + bytes(2, "nginx:1.27") + bytes(3, "sh") + bytes(3, "-c") +
      bytes(4, "serve") + bytes(5, "") +
      bytes(6, bytes(1, "http") + num(2, 0) + num(3, 80) + bytes(4, "TCP") + bytes(5, "")) +
      bytes(7, bytes(1, "MODE") + bytes(2, "prod")) +
      bytes(7, bytes(1, "POD") + bytes(2, "") +
                   bytes(3, bytes(1, bytes(1, "v1") + bytes(2, "metadata.name")))) +
      bytes(7, bytes(1, "KEY") + bytes(2, "") +
                   bytes(3, bytes(4, bytes(1, bytes(1, "creds")) + bytes(2, "key")))) +
      bytes(8, entry(1, "cpu", bytes(1, "500m")) + entry(2, "memory", bytes(1, "64Mi"))) +
      bytes(13, "") + bytes(20, "") + bytes(14, "") + num(16, 0) + num(17, 0) + num(18, 0);
  const std::string pod_spec = bytes(2, container) + bytes(3, "") + bytes(6, "") + bytes(8, "") +
                               bytes(9, "") + bytes(10, "") + num(11, 0) + num(12, 0) + num(13, 0) +
                               bytes(16, "") + bytes(17, "") + bytes(19, "") + bytes(24, "");
  const std::string strategy =
      bytes(1, "RollingUpdate") + bytes(2, bytes(1, num(1, 0) + num(2, 1) + bytes(3, "")) +
                                               bytes(2, num(1, 1) + num(2, 0) + bytes(3, "25%")));
  const std::string spec =
      num(1, 0) + bytes(2, selector) +
      bytes(3, bytes(1, object_meta("", "", entry(11, "app", "d"))) + bytes(2, pod_spec)) +
      bytes(4, strategy) + num(5, 0) + num(7, 0);
  const std::string deployment =
      bytes(1, object_meta("d", "", entry(11, "app", "d"))) + bytes(2, spec) + bytes(3, "");
  json object = decode_ok(envelope("apps/v1", "Deployment", deployment));
  const json expected_container = {
      {"name", "nginx"},
      {"image", "nginx:1.27"},
      {"command", json::array({"sh", "-c"})},
      {"args", json::array({"serve"})},
      {"ports", json::array({{{"name", "http"}, {"containerPort", 80}, {"protocol", "TCP"}}})},
      {"env",
       json::array(
           {{{"name", "MODE"}, {"value", "prod"}},
            {{"name", "POD"},
             {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.name"}}}}}},
            {{"name", "KEY"},
             {"valueFrom", {{"secretKeyRef", {{"name", "creds"}, {"key", "key"}}}}}}})},
      {"resources", {{"limits", {{"cpu", "500m"}}}, {"requests", {{"memory", "64Mi"}}}}}};
  const json expected_spec = {
      {"replicas", 0},
      {"selector", {{"matchLabels", {{"app", "d"}}}}},
      {"template",
       {{"metadata", {{"creationTimestamp", nullptr}, {"labels", {{"app", "d"}}}}},
        {"spec", {{"containers", json::array({expected_container})}}}}},
      {"strategy",
       {{"type", "RollingUpdate"},
        {"rollingUpdate", {{"maxUnavailable", 1}, {"maxSurge", "25%"}}}}}};
  EXPECT_EQ(object["spec"], expected_spec) << object["spec"].dump(2);
  EXPECT_EQ(object["status"], json::object());
}

TEST(ProtobufKindsTest, FieldsWithoutOmitemptyAreAlwaysThere) {
  // A Role without rules and a binding's RoleRef with empty strings: Go's
  // JSON has `"rules": null` and every RoleRef field.
  json role =
      decode_ok(envelope("rbac.authorization.k8s.io/v1", "Role", bytes(1, object_meta("r", ""))));
  ASSERT_TRUE(role.contains("rules"));
  EXPECT_TRUE(role["rules"].is_null());
  json binding =
      decode_ok(envelope("rbac.authorization.k8s.io/v1", "RoleBinding",
                         bytes(1, object_meta("rb", "")) +
                             bytes(2, bytes(1, "User") + bytes(2, "rbac.authorization.k8s.io") +
                                          bytes(3, "u") + bytes(4, "")) +
                             bytes(3, bytes(1, "") + bytes(2, "Role") + bytes(3, "r"))));
  EXPECT_EQ(
      binding["subjects"],
      json::array({{{"kind", "User"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", "u"}}}));
  EXPECT_EQ(binding["roleRef"], json({{"apiGroup", ""}, {"kind", "Role"}, {"name", "r"}}));
}

TEST(ProtobufKindsTest, ServiceNumbersAndTimes) {
  // -1 as an int32 is sign-extended to ten bytes on the wire.
  const std::string port = bytes(1, "") + bytes(2, "TCP") + num(3, 0) +
                           bytes(4, num(1, 0) + num(2, 8080) + bytes(3, "")) +
                           num(5, static_cast<std::uint64_t>(std::int64_t{-1}));
  const std::string meta = bytes(1, "s") + bytes(8, num(1, 1714557600) + num(2, 5));
  json service = decode_ok(envelope("v1", "Service",
                                    bytes(1, meta) +
                                        bytes(2, bytes(1, port) + entry(2, "app", "s") +
                                                     bytes(3, "None") + bytes(4, "ClusterIP")) +
                                        bytes(3, bytes(1, ""))));
  EXPECT_EQ(service["metadata"]["creationTimestamp"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(
      service["spec"]["ports"],
      json::array({{{"protocol", "TCP"}, {"port", 0}, {"targetPort", 8080}, {"nodePort", -1}}}));
  EXPECT_EQ(service["spec"]["clusterIP"], "None");
  EXPECT_EQ(service["status"], json({{"loadBalancer", json::object()}}));
}

TEST(ProtobufKindsTest, InvalidUtf8BecomesTheReplacementCharacter) {
  json cm =
      decode_ok(envelope("v1", "ConfigMap", bytes(1, bytes(1, "c")) + entry(2, "k", "a\xff")));
  EXPECT_EQ(cm["data"]["k"], "a\xEF\xBF\xBD");
}

TEST(ProtobufKindsTest, MalformedBodiesAre400WithTheReason) {
  const std::string secret = bytes(1, object_meta("s", "")) + entry(2, "a", "b");
  const std::string body = envelope("v1", "Secret", secret);

  auto no_magic = decode_error(body.substr(4));
  EXPECT_EQ(no_magic.code, 400);
  EXPECT_EQ(no_magic.message,
            "the protobuf body of the request could not be decoded: it does not start with the "
            "magic bytes \"k8s\\0\"");

  auto truncated = decode_error(body.substr(0, body.size() - 12));
  EXPECT_EQ(truncated.code, 400);
  EXPECT_EQ(truncated.reason, "BadRequest");
  EXPECT_TRUE(truncated.message.starts_with(
      "the protobuf body of the request could not be decoded: Unknown: field 2: length"))
      << truncated.message;

  // The envelope is whole but the object inside is cut short.
  auto inner = decode_error(envelope("v1", "Secret", secret.substr(0, secret.size() - 2)));
  EXPECT_EQ(inner.code, 400);
  EXPECT_EQ(inner.message,
            "the protobuf body of the request could not be decoded: Secret: field 2: length 6 "
            "exceeds the remaining 4 bytes");

  auto wrong_type = decode_error(envelope("v1", "Secret", bytes(1, num(1, 5))));
  EXPECT_EQ(wrong_type.message,
            "the protobuf body of the request could not be decoded: Secret.metadata.name: wire "
            "type varint, expected length-delimited");

  const std::string bad_container = bytes(1, "c") + tag(6, 2) + "\x05\x08";
  auto nested = decode_error(
      envelope("batch/v1", "Job",
               bytes(2, bytes(6, bytes(2, bytes(2, bytes(1, "ok")) + bytes(2, bad_container))))));
  EXPECT_EQ(nested.message,
            "the protobuf body of the request could not be decoded: "
            "Job.spec.template.spec.containers[1]: field 6: length 5 exceeds the remaining 1 "
            "bytes");

  auto no_kind = decode_error(std::string("k8s\0", 4) + bytes(2, secret));
  EXPECT_EQ(no_kind.code, 400);

  auto empty = decode_error("");
  EXPECT_EQ(empty.code, 400);
}

TEST(ProtobufKindsTest, KindsWithoutATableAre415) {
  auto e = decode_error(envelope("druid.gardener.cloud/v1alpha1", "Etcd", bytes(1, "")));
  EXPECT_EQ(e.code, 415);
  EXPECT_EQ(e.reason, "UnsupportedMediaType");
  EXPECT_EQ(e.message,
            "the test API server cannot read druid.gardener.cloud/v1alpha1 Etcd from protobuf - "
            "send application/json or application/yaml");
}

TEST(MediaTypesTest, AcceptsJson) {
  EXPECT_TRUE(accepts_json(""));
  EXPECT_TRUE(accepts_json("application/json"));
  EXPECT_TRUE(accepts_json("application/vnd.kubernetes.protobuf, application/json"));
  EXPECT_TRUE(accepts_json("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
  EXPECT_TRUE(accepts_json("*/*"));
  EXPECT_TRUE(accepts_json("Application/JSON"));
  EXPECT_FALSE(accepts_json("application/vnd.kubernetes.protobuf"));
  EXPECT_FALSE(accepts_json("application/vnd.kubernetes.protobuf;stream=watch"));
  EXPECT_TRUE(is_protobuf("application/vnd.kubernetes.protobuf; charset=binary"));
  EXPECT_FALSE(is_protobuf("application/json"));
}

class ProtobufRequestTest : public ::testing::Test {
 protected:
  ApiResponse post(const std::string& path, const std::string& body,
                   const std::string& accept =
                       "application/vnd.kubernetes.protobuf, "
                       "application/json") {
    ApiRequest request;
    request.method = "POST";
    request.path = path;
    request.body = body;
    request.content_type = "application/vnd.kubernetes.protobuf";
    request.accept = accept;
    return core_.handle(request);
  }
  ApiCore core_;
};

TEST_F(ProtobufRequestTest, CreateStoresWhatAJsonRequestWould) {
  const std::string configmap =
      bytes(1, object_meta("c", "default", entry(11, "app", "x"))) + entry(2, "a", "b");
  auto r = post("/api/v1/namespaces/default/configmaps", envelope("v1", "ConfigMap", configmap));
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body["data"], json({{"a", "b"}}));
  auto stored = core_.get_object("configmaps", "default", "c");
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["metadata"]["labels"], json({{"app", "x"}}));
  EXPECT_FALSE((*stored)["metadata"]["uid"].get<std::string>().empty());
}

TEST_F(ProtobufRequestTest, KindMustMatchTheUrl) {
  auto r = post("/api/v1/namespaces/default/configmaps",
                envelope("v1", "Secret", bytes(1, object_meta("s", "default"))));
  EXPECT_EQ(r.status, 400) << r.body.dump();
}

TEST_F(ProtobufRequestTest, MalformedBodyIs400) {
  auto r = post("/api/v1/namespaces/default/configmaps", std::string("k8s\0\x0a\x09", 6));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["reason"], "BadRequest");
  EXPECT_EQ(r.body["message"],
            "the protobuf body of the request could not be decoded: Unknown: field 1: length 9 "
            "exceeds the remaining 0 bytes");
}

TEST_F(ProtobufRequestTest, ProtobufOnlyAcceptIs406) {
  auto r = post("/api/v1/namespaces/default/configmaps",
                envelope("v1", "ConfigMap", bytes(1, object_meta("c", "default"))),
                "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(r.status, 406);
  EXPECT_EQ(r.body["reason"], "NotAcceptable");
  EXPECT_EQ(r.body["message"], "only the following media types are accepted: application/json");
  EXPECT_FALSE(core_.get_object("configmaps", "default", "c"));
}

}  // namespace
}  // namespace druid::testing
