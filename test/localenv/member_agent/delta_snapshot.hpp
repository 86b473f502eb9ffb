#pragma once
// The content of a delta snapshot (test/localenv/README.md): a JSON array of
// `{"etcdEvent": <mvccpb.Event as Go's encoding/json writes it>, "time": <RFC 3339>}`
// followed by the raw 32-byte SHA-256 of that JSON, so etcdbrctl's restorer
// can read our deltas and we can read its.

#include <string>
#include <string_view>
#include <vector>

#include "etcd/client.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

namespace druid::localenv::backup {

// Events in order; `time` is when the snapshotter saw them.
std::string encode_delta_snapshot(const std::vector<etcd::Event>& events, util::Time time);

// The events back, after checking the trailer. Errors say what is wrong
// ("delta snapshot too short", "delta snapshot sha256 mismatch", bad JSON).
util::Expected<std::vector<etcd::Event>, std::string> decode_delta_snapshot(std::string_view data);

}  // namespace druid::localenv::backup
