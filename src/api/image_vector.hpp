#pragma once
// The image vector (upstream's internal/images/images.yaml and internal/utils/imagevector/):
// the images druid deploys, embedded
// at build time (config/images.yaml), optionally overridden by the file named
// in IMAGEVECTOR_OVERWRITE, and the per-Etcd choice between an Etcd's own
// spec.etcd.image / spec.backup.image and the vector's entries.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/etcd.hpp"
#include "util/expected.hpp"

namespace druid::api {

// Image names druid looks up.
namespace image_name {
inline constexpr const char* kEtcdWrapper = "etcd-wrapper";
inline constexpr const char* kEtcdWrapperNext = "etcd-wrapper-next";
inline constexpr const char* kEtcdBackupRestore = "etcd-backup-restore";
inline constexpr const char* kEtcdBackupRestoreNext = "etcd-backup-restore-next";
inline constexpr const char* kAlpine = "alpine";
}  // namespace image_name

// One entry of an image vector file (`images:` list).
struct ImageSource {
  std::string name;
  std::optional<std::string> ref;
  std::optional<std::string> repository;
  std::optional<std::string> tag;
  std::optional<std::string> version;
  std::optional<std::string> runtime_version;
  std::optional<std::string> target_version;
  std::vector<std::string> architectures;
  friend bool operator==(const ImageSource&, const ImageSource&) = default;

  // `ref` verbatim, else `<repository>:<tag>` (`<repository>@<tag>` for a
  // `sha256:` digest), else the bare repository.
  std::string image() const;
};

struct ImageVector {
  std::vector<ImageSource> images;
  friend bool operator==(const ImageVector&, const ImageVector&) = default;
};

// Parses and validates an image vector document; errors name the source, the
// entry and the field with upstream's messages, e.g. `<source>:
// images[2].ref/repository: Required value: either image ref or repository+tag
// is required` (several errors: `<source>: [<error>, <error>]`).
util::Expected<ImageVector, std::string> parse_image_vector(std::string_view yaml_text,
                                                            std::string_view source_name);

// The five images built into the operator.
const ImageVector& embedded_image_vector();

// `base` overridden by `overwrite` with upstream's merge rules.
ImageVector merge_image_vectors(const ImageVector& base, const ImageVector& overwrite);

// The embedded vector, merged with the file at `overwrite_path` when given (the
// value of IMAGEVECTOR_OVERWRITE). An unreadable or invalid file is an error
// naming the path and the cause.
util::Expected<ImageVector, std::string> load_image_vector(
    const std::optional<std::string>& overwrite_path);

// The image of entry `name` for `architecture`: an entry listing exactly this
// architecture beats a multi-architecture one containing it; an entry without
// architectures counts as multi-architecture amd64+arm64; among equals the
// first wins; version constraints play no part (druid asks for no version).
// nullopt when there is none.
std::optional<std::string> find_image(const ImageVector& vector, std::string_view name,
                                      std::string_view architecture = "amd64");

// `etcd-backup-restore`, or `etcd-backup-restore-next` with the
// UpgradeEtcdVersion feature gate.
const char* backup_restore_image_name(bool upgrade_etcd_version);

// find_image, or upstream's error naming the missing image.
util::Expected<std::string, std::string> require_image(const ImageVector& vector,
                                                       std::string_view name);

// The images of one Etcd's pods.
struct EtcdImages {
  std::string etcd_wrapper;
  std::string etcd_backup_restore;
  std::string alpine;
  friend bool operator==(const EtcdImages&, const EtcdImages&) = default;
};

// spec.etcd.image / spec.backup.image when set, else the vector's
// `etcd-wrapper` / `etcd-backup-restore` (the `-next` entries with the
// UpgradeEtcdVersion feature gate), and `alpine`. The error names the missing
// image.
util::Expected<EtcdImages, std::string> resolve_etcd_images(const Etcd& etcd,
                                                            const ImageVector& vector,
                                                            bool upgrade_etcd_version);

}  // namespace druid::api
