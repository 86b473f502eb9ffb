#pragma once
// The object keys an index entry of the Cache lists: pointers to the keys the
// cache's object map holds (map nodes do not move), kept sorted by the text
// they point to, so index lookups iterate in key order. A sorted vector takes
// 8 bytes per key where a std::set node took 48 (three pointers, a colour and
// the allocator's header): with 1,000 Etcds, ~90,000 index entries (one per
// cached object and label, owner or indexed field), ~4 MB less heap
// (docs/benchmarks.md, "Index entries, deflate streams and freed heap").
// Inserts and erases move the tail, which for the largest set (every object
// that carries app.kubernetes.io/managed-by=etcd-druid) is a few thousand
// pointers: microseconds, once per watch event.

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace druid::kube {

class KeySet {
 public:
  using KeyRef = const std::string*;
  using const_iterator = std::vector<KeyRef>::const_iterator;

  void insert(KeyRef key) {
    auto it = lower_bound(*key);
    if (it != keys_.end() && **it == *key) return;
    keys_.insert(it, key);
  }
  void erase(KeyRef key) {
    auto it = lower_bound(*key);
    if (it == keys_.end() || *it != key) return;
    keys_.erase(it);
    // Give back what a set that shrank a lot no longer needs.
    if (keys_.capacity() > 16 && keys_.size() < keys_.capacity() / 4) keys_.shrink_to_fit();
  }
  // Every key of `other` as well (the union).
  void insert_all(const KeySet& other) {
    std::vector<KeyRef> merged;
    merged.reserve(keys_.size() + other.keys_.size());
    std::set_union(keys_.begin(), keys_.end(), other.keys_.begin(), other.keys_.end(),
                   std::back_inserter(merged), Less{});
    keys_ = std::move(merged);
  }

  bool empty() const { return keys_.empty(); }
  std::size_t size() const { return keys_.size(); }
  const_iterator begin() const { return keys_.begin(); }
  const_iterator end() const { return keys_.end(); }

 private:
  struct Less {
    bool operator()(KeyRef a, KeyRef b) const { return *a < *b; }
  };
  std::vector<KeyRef>::iterator lower_bound(const std::string& text) {
    return std::lower_bound(keys_.begin(), keys_.end(), text,
                            [](KeyRef element, const std::string& t) { return *element < t; });
  }

  std::vector<KeyRef> keys_;
};

}  // namespace druid::kube
