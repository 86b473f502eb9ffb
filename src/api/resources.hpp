#pragma once
// Druid's own resource types, as the API server serves them (config/crd/).

#include "util/resource_type.hpp"

namespace druid::api::resources {

inline const util::ResourceType kEtcds{"druid.gardener.cloud", "v1alpha1", "etcds", "Etcd", true};
inline const util::ResourceType kEtcdCopyBackupsTasks{
    "druid.gardener.cloud", "v1alpha1", "etcdcopybackupstasks", "EtcdCopyBackupsTask", true};
inline const util::ResourceType kEtcdOpsTasks{"druid.gardener.cloud", "v1alpha1", "etcdopstasks",
                                              "EtcdOpsTask", true};

}  // namespace druid::api::resources
