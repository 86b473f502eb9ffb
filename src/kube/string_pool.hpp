#pragma once
// Interned strings with reference counts, for the cache's indexes: a label
// key such as "app.kubernetes.io/managed-by" or an owner's uid is held once
// however many cached objects carry it, and an index entry is a pointer.
// Equal strings intern to the same pointer, so interned strings compare by
// address. Not thread-safe: the cache guards it with its own lock.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace druid::kube {

class StringPool {
 public:
  using Handle = const std::string*;

  // The interned copy of `text`, counted once more.
  Handle acquire(std::string_view text) {
    auto it = counts_.find(text);
    if (it == counts_.end()) it = counts_.emplace(std::string(text), 0).first;
    ++it->second;
    return &it->first;  // unordered_map nodes do not move on rehash
  }
  // Counts one holder less; the string goes with its last holder.
  void release(Handle handle) {
    auto it = counts_.find(std::string_view(*handle));
    if (it != counts_.end() && --it->second == 0) counts_.erase(it);
  }
  // The interned copy of `text` if any holder has it, else null.
  Handle find(std::string_view text) const {
    auto it = counts_.find(text);
    return it == counts_.end() ? nullptr : &it->first;
  }
  std::size_t size() const { return counts_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> counts_;
};

}  // namespace druid::kube
