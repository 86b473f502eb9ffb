#pragma once
// Writes to an Etcd as upstream's druidctl/internal/client UpdateEtcd does: read the current
// object, change it, PUT it back (not a patch), and start over when the server answers 409
// Conflict because someone else wrote in between.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "kube/client.hpp"
#include "util/expected.hpp"

namespace druid::druidctl {

// Changes the object in place; returns false when it already is as wanted (nothing is sent).
using EtcdModifier = std::function<bool(nlohmann::json& etcd)>;

// The object after the update (or as read, when `modify` changed nothing). Errors read
// `unable to update etcd object '<ns>/<name>': <server message>`.
util::Expected<nlohmann::json, std::string> update_etcd(kube::Client& client, const std::string& ns,
                                                        const std::string& name,
                                                        const EtcdModifier& modify);

// metadata.annotations, created when missing.
nlohmann::json& annotations_of(nlohmann::json& etcd);
bool has_annotation(const nlohmann::json& etcd, const std::string& key);

}  // namespace druid::druidctl
