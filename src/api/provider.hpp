#pragma once
// Backup store providers (upstream's internal/store/store.go): `spec.backup.store.provider` is
// free text; druid accepts infrastructure names and provider names alike and
// passes the normalised name to etcd-backup-restore (`--storage-provider=`).

#include <optional>
#include <string>

#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::api {

// Normalised storage provider names.
namespace storage_provider {
inline constexpr const char* kS3 = "S3";
inline constexpr const char* kABS = "ABS";
inline constexpr const char* kGCS = "GCS";
inline constexpr const char* kSwift = "Swift";
inline constexpr const char* kOSS = "OSS";
inline constexpr const char* kECS = "ECS";
inline constexpr const char* kOCS = "OCS";
inline constexpr const char* kLocal = "Local";
}  // namespace storage_provider

// aws|S3|s3 -> S3, azure|ABS|abs -> ABS, gcp|GCS|gcs -> GCS,
// openstack|Swift|swift -> Swift, alicloud|OSS|oss -> OSS, dell|ECS|ecs -> ECS,
// openshift|OCS|ocs -> OCS, stackit -> S3, Local|local -> Local; no provider ->
// "" (not an error). Anything else, "" included, is refused with
// `unsupported storage provider: '<x>'`.
util::Expected<std::string, util::ParseError> normalize_storage_provider(
    const std::optional<std::string>& provider);

}  // namespace druid::api
