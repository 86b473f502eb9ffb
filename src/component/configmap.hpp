#pragma once
// The ConfigMap `<etcd>-config` (upstream's internal/component/configmap/configmap.go and
// etcdconfig.go): one key, etcd.conf.yaml, which backup-restore mounts and serves to
// etcd. Its checksum goes into the StatefulSet's pod template
// (checksum/etcd-configmap), so a configuration change rolls the pods, and
// taking over from the Go operator must not: the YAML text and the checksum
// are byte for byte what the Go operator computes.

#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"
#include "component/context.hpp"
#include "util/expected.hpp"

namespace druid::component {

// etcd.conf.yaml as sigs.k8s.io/yaml writes upstream's struct: keys sorted,
// Go's quoting. Errors name the Etcd field that cannot be used, e.g. an
// unparsable spec.etcd.quota.
util::Expected<std::string, std::string> etcd_config_yaml(const api::Etcd& etcd,
                                                          const OperatorSettings& settings);

// The desired ConfigMap: name, namespace, labels, owner reference and
// data {etcd.conf.yaml}. Errors as etcd_config_yaml.
util::Expected<nlohmann::json, std::string> build_configmap(const api::Etcd& etcd,
                                                            const OperatorSettings& settings);

// Lowercase hex SHA-256 of Go's json.Marshal of the ConfigMap's data (a
// map of strings), the value of the pod annotation checksum/etcd-configmap.
std::string configmap_checksum(const nlohmann::json& data);

}  // namespace druid::component
