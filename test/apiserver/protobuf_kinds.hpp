#pragma once
// Request bodies in Kubernetes' protobuf encoding
// (`application/vnd.kubernetes.protobuf`), which kubectl's typed commands
// (`kubectl create secret generic`, `create deployment`, ...) send for built-in
// kinds: the magic bytes "k8s\0", then a runtime.Unknown envelope naming the
// apiVersion and kind and carrying the object's own message.
//
// Decoded to the JSON the server would have got from a JSON request for the
// fields kubectl's generators set (see protobuf_kinds.cpp for the kinds and
// fields); other fields of a known message are dropped.

#include <nlohmann/json.hpp>
#include <string_view>

#include "apiserver/status.hpp"
#include "util/expected.hpp"

namespace druid::testing {

// 400 for a malformed body, 415 for a kind this server cannot read from protobuf.
util::Expected<nlohmann::json, StatusError> decode_kubernetes_protobuf(std::string_view body);

}  // namespace druid::testing
