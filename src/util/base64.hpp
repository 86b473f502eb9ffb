#pragma once
// Base64 as Kubernetes uses it: standard alphabet with padding (Secret data,
// caBundle, kubeconfig *-data) and unpadded URL-safe (continue tokens).

#include <optional>
#include <string>
#include <string_view>

namespace druid::util {

std::string base64_encode(std::string_view data);
std::string base64url_encode(std::string_view data);  // RawURLEncoding
// Accepts both alphabets, with or without padding; nullopt on other characters.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace druid::util
