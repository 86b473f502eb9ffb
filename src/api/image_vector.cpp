#include "api/image_vector.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <tuple>

#include "api/embedded_images.hpp"
#include "api/field_error.hpp"
#include "api/field_path.hpp"
#include "util/text.hpp"
#include "util/yaml.hpp"

namespace druid::api {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------
// Semver constraints in the syntax of Masterminds/semver v3 (what upstream
// validates runtimeVersion/targetVersion with). Only validation is needed:
// druid never asks for an image by runtime or target version.
// ---------------------------------------------------------------------------

// Go's regexp `\s`.

bool is_operator_char(char c) {
  return c == '=' || c == '!' || c == '>' || c == '<' || c == '~' || c == '^';
}

bool is_known_operator(std::string_view op) {
  static constexpr std::array<std::string_view, 12> kOperators = {
      "", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^"};
  return std::find(kOperators.begin(), kOperators.end(), op) != kOperators.end();
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
}

// `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*`: pre-release and build metadata.
bool is_dotted_identifiers(std::string_view s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    auto piece =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (piece.empty() || !std::all_of(piece.begin(), piece.end(), is_identifier_char)) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// A version number part: digits, or one wildcard (`x`, `X`, `*`).
bool is_version_part(std::string_view s) {
  if (s == "x" || s == "X" || s == "*") return true;
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// `v?MAJOR(.MINOR)?(.PATCH)?(-PRERELEASE)?(+BUILD)?`, parts possibly wildcards.
bool is_constraint_version(std::string_view s) {
  if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
  if (auto plus = s.find('+'); plus != std::string_view::npos) {
    if (!is_dotted_identifiers(s.substr(plus + 1))) return false;
    s = s.substr(0, plus);
  }
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    if (!is_dotted_identifiers(s.substr(dash + 1))) return false;
    s = s.substr(0, dash);
  }
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    auto part =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_version_part(part) || ++parts > 3) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Reads comparisons of one `||` alternative: `[op] version` items separated by
// whitespace or a comma, where an item without operator may be a hyphen range
// `A - B`.
class SegmentScanner {
 public:
  explicit SegmentScanner(std::string_view text) : text_(text) {}

  bool valid() {
    bool first = true;
    while (true) {
      std::size_t spaces = skip_spaces();
      if (at_end()) return !first;
      if (!first) {
        if (text_[pos_] == ',') {
          ++pos_;
          skip_spaces();
        } else if (spaces == 0) {
          return false;
        }
      }
      if (!comparison()) return false;
      first = false;
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }

  std::size_t skip_spaces() {
    std::size_t start = pos_;
    while (!at_end() && util::is_go_space(text_[pos_])) ++pos_;
    return pos_ - start;
  }

  std::string_view take_while(bool (*pred)(char)) {
    std::size_t start = pos_;
    while (!at_end() && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  static bool is_version_char(char c) {
    return !util::is_go_space(c) && !is_operator_char(c) && c != ',' && c != '|';
  }

  bool comparison() {
    auto op = take_while(is_operator_char);
    if (!is_known_operator(op)) return false;
    skip_spaces();
    if (!is_constraint_version(take_while(is_version_char))) return false;
    if (op.empty()) hyphen_range_end();
    return true;
  }

  // Consumes ` - B` after the A of a hyphen range; leaves the input alone when
  // what follows is not one.
  void hyphen_range_end() {
    std::size_t saved = pos_;
    if (skip_spaces() > 0 && !at_end() && text_[pos_] == '-') {
      ++pos_;
      if (skip_spaces() > 0 && is_constraint_version(take_while(is_version_char))) return;
    }
    pos_ = saved;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// Success when the constraint parses, else Masterminds' error text.
util::Expected<void, std::string> check_constraint(std::string_view constraint) {
  std::size_t start = 0;
  while (true) {
    auto bar = constraint.find("||", start);
    auto segment = constraint.substr(
        start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    if (!SegmentScanner(segment).valid()) {
      return util::unexpected("improper constraint: " + std::string(segment));
    }
    if (bar == std::string_view::npos) return {};
    start = bar + 2;
  }
}

// ---------------------------------------------------------------------------
// Decoding: JSON (from YAML) to ImageSource. Unknown keys are ignored like
// Go's json.Unmarshal does; a value of the wrong type is an error.
// ---------------------------------------------------------------------------

FieldError wrong_type(const FieldPath& path, const json& value, std::string_view expected) {
  return invalid_error(path, json_type_name(value), "must be " + std::string(expected));
}

// null and absent both leave the field unset, as for a Go pointer.
void decode_string(const json& entry, std::string_view key, const FieldPath& path,
                   std::optional<std::string>& out, FieldErrors& errors) {
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return;
  if (!it->is_string()) {
    errors.push_back(wrong_type(path.child(key), *it, "a string"));
    return;
  }
  out = it->get<std::string>();
}

void decode_architectures(const json& entry, const FieldPath& path, ImageSource& source,
                          FieldErrors& errors) {
  auto it = entry.find("architectures");
  if (it == entry.end() || it->is_null()) return;
  auto list_path = path.child("architectures");
  if (!it->is_array()) {
    errors.push_back(wrong_type(list_path, *it, "a list of strings"));
    return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& arch = (*it)[i];
    if (!arch.is_string()) {
      errors.push_back(wrong_type(list_path.index(i), arch, "a string"));
      continue;
    }
    source.architectures.push_back(arch.get<std::string>());
  }
}

ImageSource decode_image_source(const json& entry, const FieldPath& path, FieldErrors& errors) {
  ImageSource source;
  std::optional<std::string> name;
  decode_string(entry, "name", path, name, errors);
  source.name = name.value_or("");
  decode_string(entry, "ref", path, source.ref, errors);
  decode_string(entry, "repository", path, source.repository, errors);
  decode_string(entry, "tag", path, source.tag, errors);
  decode_string(entry, "version", path, source.version, errors);
  decode_string(entry, "runtimeVersion", path, source.runtime_version, errors);
  decode_string(entry, "targetVersion", path, source.target_version, errors);
  decode_architectures(entry, path, source, errors);
  return source;
}

ImageVector decode_image_vector(const json& document, FieldErrors& errors) {
  ImageVector vector;
  auto it = document.find("images");
  if (it == document.end() || it->is_null()) return vector;
  FieldPath images("images");
  if (!it->is_array()) {
    errors.push_back(wrong_type(images, *it, "a list of images"));
    return vector;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    if (!entry.is_object()) {
      errors.push_back(wrong_type(images.index(i), entry, "an object"));
      continue;
    }
    vector.images.push_back(decode_image_source(entry, images.index(i), errors));
  }
  return vector;
}

// ---------------------------------------------------------------------------
// Validation, with upstream's fields and messages.
// ---------------------------------------------------------------------------

void validate_reference(const ImageSource& source, const FieldPath& path, FieldErrors& errors) {
  if (!source.ref && !source.repository) {
    errors.push_back(required_error(path.child("ref/repository"),
                                    "either image ref or repository+tag is required"));
  }
  if (source.ref) {
    if (source.ref->empty()) {
      errors.push_back(
          invalid_error(path.child("ref"), *source.ref, "ref must not be empty if specified"));
    }
    if (source.repository) {
      errors.push_back(
          forbidden_error(path.child("repository"), "cannot specify repository when ref is set"));
    }
    if (source.tag) {
      errors.push_back(forbidden_error(path.child("tag"), "cannot specify tag when ref is set"));
    }
    return;
  }
  if (source.repository && source.repository->empty()) {
    errors.push_back(invalid_error(path.child("repository"), *source.repository,
                                   "repository must not be empty if specified"));
  }
  if (source.tag && source.tag->empty()) {
    errors.push_back(
        invalid_error(path.child("tag"), *source.tag, "image tag must not be empty if specified"));
  }
}

void validate_constraint(const std::optional<std::string>& constraint, const FieldPath& path,
                         FieldErrors& errors) {
  if (!constraint) return;
  if (auto parsed = check_constraint(*constraint); !parsed) {
    errors.push_back(invalid_error(path, *constraint, parsed.error()));
  }
}

void validate_image_source(const ImageSource& source, const FieldPath& path, FieldErrors& errors) {
  if (source.name.empty()) {
    errors.push_back(required_error(path.child("name"), "image name is required"));
  }
  validate_reference(source, path, errors);
  // `version` is the image's own (free-form) version, not a constraint:
  // upstream validates only the two constraint fields.
  validate_constraint(source.runtime_version, path.child("runtimeVersion"), errors);
  validate_constraint(source.target_version, path.child("targetVersion"), errors);
}

// ---------------------------------------------------------------------------
// Merge and lookup.
// ---------------------------------------------------------------------------

// Upstream keys entries by a hash of the concatenated architectures; the
// concatenation keeps the same equality. An empty list counts as unset.
using MergeKey = std::tuple<std::string, std::string, std::string, std::optional<std::string>>;

MergeKey merge_key(const ImageSource& source) {
  std::optional<std::string> architectures;
  if (!source.architectures.empty()) {
    architectures.emplace();
    for (const auto& arch : source.architectures) *architectures += arch;
  }
  return {source.name, source.runtime_version.value_or(""), source.target_version.value_or(""),
          architectures};
}

template <class T>
const T& override_or(const T& override_value, const T& old_value) {
  return override_value ? override_value : old_value;
}

ImageSource merge_image_sources(const ImageSource& old, const ImageSource& update) {
  ImageSource merged;
  merged.name = update.name;
  merged.repository = override_or(update.repository, old.repository);
  merged.tag = override_or(update.tag, old.tag);
  merged.version = override_or(update.version, old.version);
  // Upstream's quirk, kept: the fallback version is the OLD tag, even when the
  // tag now comes from the update.
  if (!merged.version && merged.tag) merged.version = old.tag;
  merged.ref = update.ref;
  if (!merged.ref && !update.repository) merged.ref = old.ref;
  if (merged.ref) {
    merged.repository.reset();
    merged.tag.reset();
  }
  merged.runtime_version = override_or(update.runtime_version, old.runtime_version);
  merged.target_version = override_or(update.target_version, old.target_version);
  merged.architectures = update.architectures.empty() ? old.architectures : update.architectures;
  return merged;
}

// 2 for an entry built for exactly this architecture, 1 for a multi-arch entry
// containing it; an entry without architectures stands for amd64 and arm64.
std::optional<int> architecture_score(const ImageSource& source, std::string_view architecture) {
  static const std::vector<std::string> kDefaultArchitectures = {"amd64", "arm64"};
  const auto& archs = source.architectures.empty() ? kDefaultArchitectures : source.architectures;
  if (std::find(archs.begin(), archs.end(), architecture) == archs.end()) return std::nullopt;
  return archs.size() == 1 ? 2 : 1;
}

// Go's error strings are strerror's in lower case ("no such file or directory").
std::string go_errno_text(int error) {
  std::string text = std::generic_category().message(error);
  if (!text.empty()) {
    text.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(text.front())));
  }
  return text;
}

// The whole file, or Go's os.ReadFile error: `open <path>: <reason>` /
// `read <path>: <reason>`.
util::Expected<std::string, std::string> read_whole_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util::unexpected("open " + path + ": " + go_errno_text(errno));
  std::string content;
  std::array<char, 8192> buffer{};
  while (true) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return util::unexpected("read " + path + ": " + go_errno_text(error));
    }
    if (n == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

}  // namespace

std::string ImageSource::image() const {
  if (ref) return *ref;
  if (!repository) return "";
  if (!tag) return *repository;
  const char* delimiter = tag->starts_with("sha256:") ? "@" : ":";
  return *repository + delimiter + *tag;
}

util::Expected<ImageVector, std::string> parse_image_vector(std::string_view yaml_text,
                                                            std::string_view source_name) {
  std::string prefix = std::string(source_name) + ": ";
  auto documents = util::parse_yaml_documents(yaml_text);
  if (!documents) return util::unexpected(prefix + documents.error().message());
  // Like Go's YAML unmarshalling, only the first document counts.
  json document = documents->empty() ? json() : documents->front();
  if (document.is_null()) return ImageVector{};  // an empty file: no images
  if (!document.is_object()) {
    return util::unexpected(prefix + "must be an object with an images list, not " +
                            json_type_name(document));
  }

  FieldErrors errors;
  ImageVector vector = decode_image_vector(document, errors);
  if (errors.empty()) {
    FieldPath images("images");
    for (std::size_t i = 0; i < vector.images.size(); ++i) {
      validate_image_source(vector.images[i], images.index(i), errors);
    }
  }
  if (!errors.empty()) return util::unexpected(prefix + to_string(errors));
  return vector;
}

const ImageVector& embedded_image_vector() {
  static const ImageVector kEmbedded = [] {
    auto parsed = parse_image_vector(embedded_images_yaml(), "embedded config/images.yaml");
    if (!parsed) {
      // A broken config/images.yaml is a build defect; no Etcd could be deployed.
      std::fprintf(stderr, "%s\n", parsed.error().c_str());
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return kEmbedded;
}

ImageVector merge_image_vectors(const ImageVector& base, const ImageVector& overwrite) {
  ImageVector out;
  std::vector<MergeKey> keys;
  for (const ImageVector* vector : {&base, &overwrite}) {
    for (const auto& source : vector->images) {
      MergeKey key = merge_key(source);
      auto found = std::find(keys.begin(), keys.end(), key);
      if (found != keys.end()) {
        auto& slot = out.images[static_cast<std::size_t>(found - keys.begin())];
        slot = merge_image_sources(slot, source);
        continue;
      }
      keys.push_back(std::move(key));
      out.images.push_back(source);
    }
  }
  return out;
}

util::Expected<ImageVector, std::string> load_image_vector(
    const std::optional<std::string>& overwrite_path) {
  // An empty IMAGEVECTOR_OVERWRITE means "no overwrite", as upstream.
  if (!overwrite_path || overwrite_path->empty()) return embedded_image_vector();
  auto text = read_whole_file(*overwrite_path);
  if (!text) return util::unexpected(text.error());
  auto overwrite = parse_image_vector(*text, *overwrite_path);
  if (!overwrite) return util::unexpected(overwrite.error());
  return merge_image_vectors(embedded_image_vector(), *overwrite);
}

std::optional<std::string> find_image(const ImageVector& vector, std::string_view name,
                                      std::string_view architecture) {
  // Version constraints do not take part: druid asks for no runtime or target
  // version, and upstream then lets every constrained entry match with score 0.
  const ImageSource* best = nullptr;
  int best_score = 0;
  for (const auto& source : vector.images) {
    if (source.name != name) continue;
    auto score = architecture_score(source, architecture);
    if (!score) continue;
    if (best == nullptr || *score > best_score) {  // ties: the first entry wins
      best = &source;
      best_score = *score;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->image();
}

const char* backup_restore_image_name(bool upgrade_etcd_version) {
  return upgrade_etcd_version ? image_name::kEtcdBackupRestoreNext : image_name::kEtcdBackupRestore;
}

util::Expected<std::string, std::string> require_image(const ImageVector& vector,
                                                       std::string_view name) {
  if (auto image = find_image(vector, name)) return *image;
  // Upstream's FindImage message; the options part is empty for druid's lookups.
  return util::unexpected("could not find image \"" + std::string(name) + "\" opts ");
}

util::Expected<EtcdImages, std::string> resolve_etcd_images(const Etcd& etcd,
                                                            const ImageVector& vector,
                                                            bool upgrade_etcd_version) {
  auto choose = [&](std::string_view key, const std::optional<std::string>& spec_image)
      -> util::Expected<std::string, std::string> {
    // A set spec image wins even when empty, as upstream's pointer check does.
    if (spec_image) return *spec_image;
    return require_image(vector, key);
  };
  auto wrapper =
      choose(upgrade_etcd_version ? image_name::kEtcdWrapperNext : image_name::kEtcdWrapper,
             etcd.spec.etcd.image);
  if (!wrapper) return util::unexpected(wrapper.error());
  auto backup_restore =
      choose(backup_restore_image_name(upgrade_etcd_version), etcd.spec.backup.image);
  if (!backup_restore) return util::unexpected(backup_restore.error());
  auto alpine = choose(image_name::kAlpine, std::nullopt);
  if (!alpine) return util::unexpected(alpine.error());
  return EtcdImages{*wrapper, *backup_restore, *alpine};
}

}  // namespace druid::api
