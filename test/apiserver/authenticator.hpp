#pragma once
// Bearer-token authentication, as a static token file does on a real server:
// each token maps to a user name and groups. Everyone authenticated may do
// everything (there is no authorizer); the identity matters for admission
// webhooks, which see it as userInfo.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace druid::testing {

struct UserInfo {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;  // always includes "system:authenticated"
};

class Authenticator {
 public:
  // Registers (or replaces) a token.
  void add_user(const std::string& token, const std::string& username,
                std::vector<std::string> groups = {});
  void remove_user(const std::string& token);
  // The user of an `Authorization: Bearer <token>` header value; nullopt for a
  // missing or unknown token.
  std::optional<UserInfo> authenticate(std::string_view authorization_header) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, UserInfo, std::less<>> users_;
};

}  // namespace druid::testing
