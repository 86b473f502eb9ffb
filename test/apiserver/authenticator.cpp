#include "apiserver/authenticator.hpp"

#include <algorithm>

namespace druid::testing {

void Authenticator::add_user(const std::string& token, const std::string& username,
                             std::vector<std::string> groups) {
  const std::string authenticated = "system:authenticated";
  if (std::find(groups.begin(), groups.end(), authenticated) == groups.end()) {
    groups.insert(groups.end(), authenticated);
  }
  std::lock_guard lock(mutex_);
  users_[token] = UserInfo{username, {}, std::move(groups)};
}

void Authenticator::remove_user(const std::string& token) {
  std::lock_guard lock(mutex_);
  users_.erase(token);
}

std::optional<UserInfo> Authenticator::authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size()) return std::nullopt;
  std::string_view scheme = header.substr(0, kBearer.size());
  if (!std::equal(scheme.begin(), scheme.end(), kBearer.begin(), kBearer.end(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return std::nullopt;
  }
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  std::lock_guard lock(mutex_);
  auto it = users_.find(token);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

}  // namespace druid::testing
