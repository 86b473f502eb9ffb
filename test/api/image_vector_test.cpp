#include "api/image_vector.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "api/embedded_images.hpp"
#include "support/fixtures.hpp"

namespace druid::api {
namespace {

constexpr const char* kWrapperRepo =
    "europe-docker.pkg.dev/gardener-project/public/gardener/etcd-wrapper";
constexpr const char* kBackupRestoreRepo =
    "europe-docker.pkg.dev/gardener-project/public/gardener/etcdbrctl";
constexpr const char* kAlpineRepo = "europe-docker.pkg.dev/gardener-project/public/3rd/alpine";
constexpr const char* kAlpineDigestRef =
    "registry.example.com/mirror/alpine@sha256:"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string testdata(const std::string& file) {
  std::string path = DRUID_SOURCE_DIR;
  path += "/test/api/testdata/imagevector/";
  path += file;
  return path;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ImageVector parse_ok(const std::string& yaml) {
  auto parsed = parse_image_vector(yaml, "test.yaml");
  EXPECT_TRUE(parsed.has_value()) << parsed.error();
  return parsed ? *parsed : ImageVector{};
}

std::string parse_error(const std::string& yaml) {
  auto parsed = parse_image_vector(yaml, "test.yaml");
  EXPECT_FALSE(parsed.has_value()) << yaml;
  return parsed ? std::string() : parsed.error();
}

ImageSource source(std::string name, std::optional<std::string> repository,
                   std::optional<std::string> tag) {
  ImageSource s;
  s.name = std::move(name);
  s.repository = std::move(repository);
  s.tag = std::move(tag);
  return s;
}

ImageSource ref_source(std::string name, std::string ref) {
  ImageSource s;
  s.name = std::move(name);
  s.ref = std::move(ref);
  return s;
}

// ---------------------------------------------------------------------------
// The embedded vector
// ---------------------------------------------------------------------------

TEST(EmbeddedImageVector, HasTheFiveImagesOfTheSpecInOrder) {
  const auto& images = embedded_image_vector().images;
  ASSERT_EQ(images.size(), 5u);
  EXPECT_EQ(images[0], source("etcd-wrapper", kWrapperRepo, "v0.6.2"));
  EXPECT_EQ(images[1], source("etcd-wrapper-next", kWrapperRepo, "v0.8.0"));
  EXPECT_EQ(images[2], source("etcd-backup-restore", kBackupRestoreRepo, "v0.41.2"));
  EXPECT_EQ(images[3], source("etcd-backup-restore-next", kBackupRestoreRepo, "v0.43.0"));
  EXPECT_EQ(images[4], source("alpine", kAlpineRepo, "3.21.3"));
}

TEST(EmbeddedImageVector, ImageStringsAreExact) {
  const auto& vector = embedded_image_vector();
  EXPECT_EQ(find_image(vector, image_name::kEtcdWrapper),
            "europe-docker.pkg.dev/gardener-project/public/gardener/etcd-wrapper:v0.6.2");
  EXPECT_EQ(find_image(vector, image_name::kEtcdWrapperNext),
            "europe-docker.pkg.dev/gardener-project/public/gardener/etcd-wrapper:v0.8.0");
  EXPECT_EQ(find_image(vector, image_name::kEtcdBackupRestore),
            "europe-docker.pkg.dev/gardener-project/public/gardener/etcdbrctl:v0.41.2");
  EXPECT_EQ(find_image(vector, image_name::kEtcdBackupRestoreNext),
            "europe-docker.pkg.dev/gardener-project/public/gardener/etcdbrctl:v0.43.0");
  EXPECT_EQ(find_image(vector, image_name::kAlpine),
            "europe-docker.pkg.dev/gardener-project/public/3rd/alpine:3.21.3");
}

TEST(EmbeddedImageVector, IsTheTextOfConfigImagesYaml) {
  std::string file = read_text(std::string(DRUID_SOURCE_DIR) + "/config/images.yaml");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(embedded_images_yaml(), file);
}

TEST(EmbeddedImageVector, WorksForArm64Too) {
  EXPECT_EQ(find_image(embedded_image_vector(), image_name::kAlpine, "arm64"),
            "europe-docker.pkg.dev/gardener-project/public/3rd/alpine:3.21.3");
  EXPECT_EQ(find_image(embedded_image_vector(), image_name::kAlpine, "s390x"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Image strings
// ---------------------------------------------------------------------------

TEST(ImageString, RepositoryAndTagJoinWithColon) {
  EXPECT_EQ(source("a", "reg.io/a", "v1").image(), "reg.io/a:v1");
}

TEST(ImageString, DigestTagJoinsWithAt) {
  EXPECT_EQ(source("a", "reg.io/a", "sha256:abc").image(), "reg.io/a@sha256:abc");
}

TEST(ImageString, TagWithDigestSuffixStillJoinsWithColon) {
  EXPECT_EQ(source("a", "reg.io/a", "v1@sha256:abc").image(), "reg.io/a:v1@sha256:abc");
}

TEST(ImageString, RefIsVerbatim) {
  EXPECT_EQ(ref_source("a", "reg.io/a:v9").image(), "reg.io/a:v9");
}

TEST(ImageString, RepositoryWithoutTagIsBare) {
  EXPECT_EQ(source("a", "reg.io/a", std::nullopt).image(), "reg.io/a");
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

TEST(ParseImageVector, ReadsEveryFieldAndIgnoresUpstreamExtras) {
  auto vector = parse_ok(R"(images:
- name: etcd
  resourceId:
    name: etcd
  sourceRepository: github.com/x/etcd
  repository: reg.io/etcd
  tag: "v1"
  version: "1.0.0"
  runtimeVersion: ">= 1.20"
  targetVersion: "< 1.30"
  architectures: [amd64, arm64]
- name: other
  ref: reg.io/other:v2
)");
  ASSERT_EQ(vector.images.size(), 2u);
  ImageSource expected = source("etcd", "reg.io/etcd", "v1");
  expected.version = "1.0.0";
  expected.runtime_version = ">= 1.20";
  expected.target_version = "< 1.30";
  expected.architectures = {"amd64", "arm64"};
  EXPECT_EQ(vector.images[0], expected);
  EXPECT_EQ(vector.images[1], ref_source("other", "reg.io/other:v2"));
}

TEST(ParseImageVector, EmptyDocumentAndNullListHaveNoImages) {
  EXPECT_TRUE(parse_ok("").images.empty());
  EXPECT_TRUE(parse_ok("images:\n").images.empty());
  EXPECT_TRUE(parse_ok("other: 1\n").images.empty());
}

TEST(ParseImageVector, NullFieldsAreUnset) {
  auto vector = parse_ok("images:\n- name: a\n  repository: r\n  tag: ~\n  ref: null\n");
  ASSERT_EQ(vector.images.size(), 1u);
  EXPECT_EQ(vector.images[0], source("a", "r", std::nullopt));
}

TEST(ParseImageVector, VersionIsFreeTextNotAConstraint) {
  auto vector = parse_ok("images:\n- name: a\n  repository: r\n  version: not a semver\n");
  ASSERT_EQ(vector.images.size(), 1u);
  EXPECT_EQ(vector.images[0].version, "not a semver");
}

TEST(ParseImageVector, SyntaxErrorNamesSourceAndLine) {
  std::string error = parse_error("images:\n- name: a\n  tag: [oops\n");
  EXPECT_EQ(error.rfind("test.yaml: yaml: line ", 0), 0u) << error;
}

TEST(ParseImageVector, WrongTypesNameTheField) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n  tag: 1.5\n"),
            "test.yaml: images[0].tag: Invalid value: \"number\": must be a string");
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n  architectures: [amd64, 1]\n"),
            "test.yaml: images[0].architectures[1]: Invalid value: \"integer\": must be a string");
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n  architectures: amd64\n"),
            "test.yaml: images[0].architectures: Invalid value: \"string\": must be a list of "
            "strings");
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n- just-a-string\n"),
            "test.yaml: images[1]: Invalid value: \"string\": must be an object");
  EXPECT_EQ(parse_error("images: {name: a}\n"),
            "test.yaml: images: Invalid value: \"object\": must be a list of images");
  EXPECT_EQ(parse_error("- images\n"),
            "test.yaml: must be an object with an images list, not array");
}

// ---------------------------------------------------------------------------
// Validation: one test per rule, with upstream's field and message.
// ---------------------------------------------------------------------------

TEST(ValidateImageVector, NameIsRequired) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n- repository: r\n"),
            "test.yaml: images[1].name: Required value: image name is required");
  EXPECT_EQ(parse_error("images:\n- name: \"\"\n  repository: r\n"),
            "test.yaml: images[0].name: Required value: image name is required");
}

TEST(ValidateImageVector, RefOrRepositoryIsRequired) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  tag: v1\n"),
            "test.yaml: images[0].ref/repository: Required value: either image ref or "
            "repository+tag is required");
}

TEST(ValidateImageVector, RefMustNotBeEmpty) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  ref: \"\"\n"),
            "test.yaml: images[0].ref: Invalid value: \"\": ref must not be empty if specified");
}

TEST(ValidateImageVector, RefExcludesRepository) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  ref: r:v1\n  repository: r\n"),
            "test.yaml: images[0].repository: Forbidden: cannot specify repository when ref is "
            "set");
}

TEST(ValidateImageVector, RefExcludesTag) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  ref: r:v1\n  tag: v1\n"),
            "test.yaml: images[0].tag: Forbidden: cannot specify tag when ref is set");
}

TEST(ValidateImageVector, RepositoryMustNotBeEmpty) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: \"\"\n"),
            "test.yaml: images[0].repository: Invalid value: \"\": repository must not be empty "
            "if specified");
}

TEST(ValidateImageVector, TagMustNotBeEmpty) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n  tag: \"\"\n"),
            "test.yaml: images[0].tag: Invalid value: \"\": image tag must not be empty if "
            "specified");
}

TEST(ValidateImageVector, RuntimeVersionMustBeAConstraint) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n  runtimeVersion: foo\n"),
            "test.yaml: images[0].runtimeVersion: Invalid value: \"foo\": improper constraint: "
            "foo");
}

TEST(ValidateImageVector, TargetVersionMustBeAConstraint) {
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n  targetVersion: \"\"\n"),
            "test.yaml: images[0].targetVersion: Invalid value: \"\": improper constraint: ");
  // The failing `||` alternative is quoted as written.
  EXPECT_EQ(parse_error("images:\n- name: a\n  repository: r\n  targetVersion: \"1.x || >=\"\n"),
            "test.yaml: images[0].targetVersion: Invalid value: \"1.x || >=\": improper "
            "constraint:  >=");
}

TEST(ValidateImageVector, SeveralErrorsAreListedTogether) {
  EXPECT_EQ(parse_error("images:\n- ref: r:v1\n  tag: v1\n"),
            "test.yaml: [images[0].name: Required value: image name is required, "
            "images[0].tag: Forbidden: cannot specify tag when ref is set]");
}

// Masterminds/semver constraint syntax.
// Found by fuzzing (test/fuzz/regressions/image_vector): a file that is not
// UTF-8 used to abort while its error message was written; it is an error.
TEST(ImageVector, TextThatIsNotUtf8IsAnError) {
  auto parsed = parse_image_vector("images:\n- name: a\n  repository: r\xff\xff\n", "test.yaml");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().find("invalid leading UTF-8 octet"), std::string::npos)
      << parsed.error();
}

class ConstraintSyntax : public ::testing::TestWithParam<std::pair<const char*, bool>> {};

TEST_P(ConstraintSyntax, IsAcceptedOrRefused) {
  auto [constraint, valid] = GetParam();
  std::string yaml =
      std::string("images:\n- name: a\n  repository: r\n  runtimeVersion: '") + constraint + "'\n";
  auto parsed = parse_image_vector(yaml, "test.yaml");
  EXPECT_EQ(parsed.has_value(), valid) << "constraint '" << constraint << "'";
}

INSTANTIATE_TEST_SUITE_P(
    ImageVector, ConstraintSyntax,
    ::testing::Values(
        std::pair{"1.2.3", true}, std::pair{"v1.2.3", true}, std::pair{"=1.2.3", true},
        std::pair{"!=1.2.3", true}, std::pair{">1.2", true}, std::pair{"<2", true},
        std::pair{">=1.20", true}, std::pair{"=>1.20", true}, std::pair{"<=1.x", true},
        std::pair{"=<1.x", true}, std::pair{"~1.2.3", true}, std::pair{"~>1.2", true},
        std::pair{"^1.2", true}, std::pair{"1.2.x", true}, std::pair{"1.X", true},
        std::pair{"*", true}, std::pair{"x", true}, std::pair{"> 1.0", true},
        std::pair{" >=1.0 ", true}, std::pair{">= 1.20, < 1.25", true},
        std::pair{">=1.20,<1.25", true}, std::pair{">=1.20 <1.25", true},
        std::pair{">= 1.20 , < 1.25", true}, std::pair{">= 1.20 || < 1.10", true},
        std::pair{"1.2 - 1.4.5", true}, std::pair{"1.2.3-beta.1+build.5", true},
        std::pair{"~1.2.3-rc.1", true}, std::pair{"", false}, std::pair{"foo", false},
        std::pair{">=", false}, std::pair{"1.2.3.4", false}, std::pair{">>1", false},
        std::pair{"=!1", false}, std::pair{"1.2,,1.3", false}, std::pair{"1.2,", false},
        std::pair{"|| 1.2", false}, std::pair{"1.2 ||", false}, std::pair{">=1.0<2.0", false},
        std::pair{"1.2.3-", false}, std::pair{"1.2.3-beta..1", false}, std::pair{"1.2 -1.4", false},
        std::pair{"1.2 - ", false}, std::pair{"V1.2", false}, std::pair{"1.2 | 1.3", false}));

// ---------------------------------------------------------------------------
// Merge
// ---------------------------------------------------------------------------

TEST(MergeImageVectors, OverwriteReplacesTheTagAndKeepsTheRepository) {
  ImageVector base{
      {source("etcd-wrapper", kWrapperRepo, "v0.6.2"), source("alpine", kAlpineRepo, "3.21.3")}};
  ImageVector overwrite{{source("etcd-wrapper", std::nullopt, "v0.7.1")}};
  auto merged = merge_image_vectors(base, overwrite);
  ASSERT_EQ(merged.images.size(), 2u);
  ImageSource expected = source("etcd-wrapper", kWrapperRepo, "v0.7.1");
  // Upstream's quirk: without a version of its own, the merged entry records the
  // tag it replaced.
  expected.version = "v0.6.2";
  EXPECT_EQ(merged.images[0], expected);
  EXPECT_EQ(merged.images[0].image(), std::string(kWrapperRepo) + ":v0.7.1");
  EXPECT_EQ(merged.images[1], base.images[1]);
}

TEST(MergeImageVectors, OverwriteReplacesEveryFieldItSets) {
  ImageSource old = source("a", "reg.io/a", "v1");
  old.version = "1";
  ImageSource update = source("a", "mirror.io/a", "v2");
  update.version = "2";
  auto merged = merge_image_vectors({{old}}, {{update}});
  ASSERT_EQ(merged.images.size(), 1u);
  EXPECT_EQ(merged.images[0], update);
}

TEST(MergeImageVectors, NewEntriesAreAppended) {
  ImageVector base{{source("a", "reg.io/a", "v1"), source("b", "reg.io/b", "v1")}};
  ImageVector overwrite{{source("c", "reg.io/c", "v1")}};
  auto merged = merge_image_vectors(base, overwrite);
  ASSERT_EQ(merged.images.size(), 3u);
  EXPECT_EQ(merged.images[0], base.images[0]);
  EXPECT_EQ(merged.images[1], base.images[1]);
  EXPECT_EQ(merged.images[2], overwrite.images[0]);
}

TEST(MergeImageVectors, RefOverridesRepositoryAndTag) {
  ImageVector base{{source("alpine", kAlpineRepo, "3.21.3")}};
  ImageVector overwrite{{ref_source("alpine", kAlpineDigestRef)}};
  auto merged = merge_image_vectors(base, overwrite);
  ASSERT_EQ(merged.images.size(), 1u);
  ImageSource expected = ref_source("alpine", kAlpineDigestRef);
  expected.version = "3.21.3";
  EXPECT_EQ(merged.images[0], expected);
  EXPECT_EQ(merged.images[0].image(), kAlpineDigestRef);
}

TEST(MergeImageVectors, OldRefIsKeptWhenTheOverwriteSetsNeitherRefNorRepository) {
  ImageVector base{{ref_source("a", "reg.io/a:v1")}};
  ImageSource update;
  update.name = "a";
  update.version = "1.0.0";
  auto merged = merge_image_vectors(base, {{update}});
  ASSERT_EQ(merged.images.size(), 1u);
  EXPECT_EQ(merged.images[0].ref, "reg.io/a:v1");
  EXPECT_EQ(merged.images[0].version, "1.0.0");
  EXPECT_EQ(merged.images[0].image(), "reg.io/a:v1");

  // A tag alone does not replace a ref: the ref still wins and the tag is dropped.
  auto tag_only = merge_image_vectors(base, {{source("a", std::nullopt, "v2")}});
  EXPECT_EQ(tag_only.images[0].image(), "reg.io/a:v1");
  EXPECT_EQ(tag_only.images[0].tag, std::nullopt);
}

TEST(MergeImageVectors, RepositoryReplacesAnOldRef) {
  ImageVector base{{ref_source("a", "reg.io/a:v1")}};
  auto merged = merge_image_vectors(base, {{source("a", "mirror.io/a", "v2")}});
  ASSERT_EQ(merged.images.size(), 1u);
  EXPECT_EQ(merged.images[0].ref, std::nullopt);
  EXPECT_EQ(merged.images[0].image(), "mirror.io/a:v2");
}

TEST(MergeImageVectors, KeyIncludesArchitecturesAndVersions) {
  ImageVector base{{source("a", "reg.io/a", "v1")}};
  ImageSource arm = source("a", "reg.io/a-arm", "v1");
  arm.architectures = {"arm64"};
  ImageSource runtime = source("a", "reg.io/a-new", "v1");
  runtime.runtime_version = ">= 1.30";
  ImageSource target = source("a", "reg.io/a-target", "v1");
  target.target_version = "< 1.20";
  auto merged = merge_image_vectors(base, {{arm, runtime, target}});
  ASSERT_EQ(merged.images.size(), 4u);
  EXPECT_EQ(merged.images[0], base.images[0]);
  EXPECT_EQ(merged.images[1], arm);
  EXPECT_EQ(merged.images[2], runtime);
  EXPECT_EQ(merged.images[3], target);
}

TEST(MergeImageVectors, MatchingArchitecturesMerge) {
  ImageSource old = source("a", "reg.io/a", "v1");
  old.architectures = {"amd64", "arm64"};
  ImageSource update = source("a", std::nullopt, "v2");
  update.architectures = {"amd64", "arm64"};
  auto merged = merge_image_vectors({{old}}, {{update}});
  ASSERT_EQ(merged.images.size(), 1u);
  EXPECT_EQ(merged.images[0].image(), "reg.io/a:v2");
  EXPECT_EQ(merged.images[0].architectures, old.architectures);
}

TEST(MergeImageVectors, DuplicatesInTheOverwriteApplyInOrder) {
  ImageVector base{{source("a", "reg.io/a", "v1")}};
  auto merged = merge_image_vectors(
      base, {{source("a", std::nullopt, "v2"), source("a", "mirror.io/a", std::nullopt)}});
  ASSERT_EQ(merged.images.size(), 1u);
  EXPECT_EQ(merged.images[0].image(), "mirror.io/a:v2");
}

// ---------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------

TEST(FindImage, ExactArchitectureBeatsMultiArchitecture) {
  ImageSource multi = source("a", "reg.io/multi", "v1");
  ImageSource amd = source("a", "reg.io/amd", "v1");
  amd.architectures = {"amd64"};
  ImageSource arm = source("a", "reg.io/arm", "v1");
  arm.architectures = {"arm64"};
  ImageVector vector{{multi, amd, arm}};
  EXPECT_EQ(find_image(vector, "a"), "reg.io/amd:v1");
  EXPECT_EQ(find_image(vector, "a", "amd64"), "reg.io/amd:v1");
  EXPECT_EQ(find_image(vector, "a", "arm64"), "reg.io/arm:v1");
}

TEST(FindImage, AmongEqualMatchesTheFirstWins) {
  ImageSource listed = source("a", "reg.io/listed", "v1");
  listed.architectures = {"amd64", "arm64"};
  ImageSource unlisted = source("a", "reg.io/unlisted", "v1");
  EXPECT_EQ(find_image({{listed, unlisted}}, "a"), "reg.io/listed:v1");
  EXPECT_EQ(find_image({{unlisted, listed}}, "a"), "reg.io/unlisted:v1");
}

TEST(FindImage, EntriesForOtherArchitecturesDoNotMatch) {
  ImageSource arm = source("a", "reg.io/arm", "v1");
  arm.architectures = {"arm64"};
  EXPECT_EQ(find_image({{arm}}, "a", "amd64"), std::nullopt);
  // Without architectures an entry stands for amd64 and arm64 only.
  EXPECT_EQ(find_image({{source("a", "reg.io/a", "v1")}}, "a", "s390x"), std::nullopt);
}

TEST(FindImage, VersionConstraintsDoNotTakePart) {
  ImageSource constrained = source("a", "reg.io/constrained", "v1");
  constrained.runtime_version = ">= 1.30";
  ImageSource plain = source("a", "reg.io/plain", "v1");
  EXPECT_EQ(find_image({{constrained, plain}}, "a"), "reg.io/constrained:v1");
  EXPECT_EQ(find_image({{plain, constrained}}, "a"), "reg.io/plain:v1");
}

TEST(FindImage, UnknownNameIsNotFound) {
  EXPECT_EQ(find_image(embedded_image_vector(), "etcd"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Loading with IMAGEVECTOR_OVERWRITE
// ---------------------------------------------------------------------------

TEST(LoadImageVector, WithoutOverwriteIsTheEmbeddedVector) {
  auto unset = load_image_vector(std::nullopt);
  ASSERT_TRUE(unset.has_value()) << unset.error();
  EXPECT_EQ(*unset, embedded_image_vector());
  auto empty = load_image_vector(std::string());
  ASSERT_TRUE(empty.has_value()) << empty.error();
  EXPECT_EQ(*empty, embedded_image_vector());
}

TEST(LoadImageVector, OverwriteFileIsMergedIntoTheEmbeddedVector) {
  auto loaded = load_image_vector(testdata("overwrite.yaml"));
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  ASSERT_EQ(loaded->images.size(), 6u);
  EXPECT_EQ(find_image(*loaded, image_name::kEtcdWrapper), std::string(kWrapperRepo) + ":v0.7.1");
  EXPECT_EQ(find_image(*loaded, image_name::kEtcdWrapperNext),
            std::string(kWrapperRepo) + ":v0.8.0");
  EXPECT_EQ(find_image(*loaded, image_name::kAlpine), kAlpineDigestRef);
  EXPECT_EQ(loaded->images[5], source("busybox", "registry.example.com/mirror/busybox", "1.36"));
}

TEST(LoadImageVector, MissingFileNamesPathAndCause) {
  std::string path = testdata("does-not-exist.yaml");
  auto loaded = load_image_vector(path);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error(), "open " + path + ": no such file or directory");
}

TEST(LoadImageVector, DirectoryIsUnreadable) {
  std::string path = testdata("");
  auto loaded = load_image_vector(path);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error(), "read " + path + ": is a directory");
}

TEST(LoadImageVector, InvalidYamlNamesPathAndLine) {
  std::string path = testdata("invalid_yaml.yaml");
  auto loaded = load_image_vector(path);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().rfind(path + ": yaml: line ", 0), 0u) << loaded.error();
}

TEST(LoadImageVector, InvalidEntryNamesPathEntryAndFields) {
  std::string path = testdata("invalid_entry.yaml");
  auto loaded = load_image_vector(path);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error(), path +
                                ": [images[1].repository: Forbidden: cannot specify repository "
                                "when ref is set, images[1].tag: Forbidden: cannot specify tag "
                                "when ref is set]");
}

// ---------------------------------------------------------------------------
// Per-Etcd images
// ---------------------------------------------------------------------------

TEST(ResolveEtcdImages, DefaultsComeFromTheVector) {
  auto images =
      resolve_etcd_images(test::decode(test::base_etcd_json()), embedded_image_vector(), false);
  ASSERT_TRUE(images.has_value()) << images.error();
  EXPECT_EQ(*images, (EtcdImages{std::string(kWrapperRepo) + ":v0.6.2",
                                 std::string(kBackupRestoreRepo) + ":v0.41.2",
                                 std::string(kAlpineRepo) + ":3.21.3"}));
}

TEST(ResolveEtcdImages, UpgradeEtcdVersionUsesTheNextImages) {
  auto images =
      resolve_etcd_images(test::decode(test::base_etcd_json()), embedded_image_vector(), true);
  ASSERT_TRUE(images.has_value()) << images.error();
  EXPECT_EQ(*images, (EtcdImages{std::string(kWrapperRepo) + ":v0.8.0",
                                 std::string(kBackupRestoreRepo) + ":v0.43.0",
                                 std::string(kAlpineRepo) + ":3.21.3"}));
}

TEST(ResolveEtcdImages, SpecImagesWinOverTheVector) {
  auto etcd = test::base_etcd_json();
  etcd["spec"]["etcd"]["image"] = "my.io/etcd-wrapper:custom";
  auto only_etcd = resolve_etcd_images(test::decode(etcd), embedded_image_vector(), false);
  ASSERT_TRUE(only_etcd.has_value()) << only_etcd.error();
  EXPECT_EQ(only_etcd->etcd_wrapper, "my.io/etcd-wrapper:custom");
  EXPECT_EQ(only_etcd->etcd_backup_restore, std::string(kBackupRestoreRepo) + ":v0.41.2");

  etcd["spec"]["backup"]["image"] = "my.io/etcdbrctl:custom";
  for (bool gate : {false, true}) {
    auto both = resolve_etcd_images(test::decode(etcd), embedded_image_vector(), gate);
    ASSERT_TRUE(both.has_value()) << both.error();
    EXPECT_EQ(*both, (EtcdImages{"my.io/etcd-wrapper:custom", "my.io/etcdbrctl:custom",
                                 std::string(kAlpineRepo) + ":3.21.3"}))
        << "gate " << gate;
  }
}

TEST(ResolveEtcdImages, SpecImageMakesTheVectorEntryUnnecessary) {
  ImageVector vector{
      {source("etcd-backup-restore", "reg.io/br", "v1"), source("alpine", "reg.io/alpine", "3")}};
  auto etcd = test::base_etcd_json();
  etcd["spec"]["etcd"]["image"] = "my.io/etcd-wrapper:custom";
  auto images = resolve_etcd_images(test::decode(etcd), vector, false);
  ASSERT_TRUE(images.has_value()) << images.error();
  EXPECT_EQ(*images, (EtcdImages{"my.io/etcd-wrapper:custom", "reg.io/br:v1", "reg.io/alpine:3"}));
}

TEST(ResolveEtcdImages, MissingImageIsNamed) {
  ImageVector without_next{{source("etcd-wrapper", "reg.io/w", "v1"),
                            source("etcd-backup-restore", "reg.io/br", "v1"),
                            source("alpine", "reg.io/alpine", "3")}};
  auto etcd = test::decode(test::base_etcd_json());
  EXPECT_TRUE(resolve_etcd_images(etcd, without_next, false).has_value());
  auto next = resolve_etcd_images(etcd, without_next, true);
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error(), "could not find image \"etcd-wrapper-next\" opts ");

  ImageVector without_alpine{
      {source("etcd-wrapper", "reg.io/w", "v1"), source("etcd-backup-restore", "reg.io/br", "v1")}};
  auto alpine = resolve_etcd_images(etcd, without_alpine, false);
  ASSERT_FALSE(alpine.has_value());
  EXPECT_EQ(alpine.error(), "could not find image \"alpine\" opts ");

  ImageVector without_backup_restore{
      {source("etcd-wrapper", "reg.io/w", "v1"), source("alpine", "reg.io/alpine", "3")}};
  auto backup_restore = resolve_etcd_images(etcd, without_backup_restore, false);
  ASSERT_FALSE(backup_restore.has_value());
  EXPECT_EQ(backup_restore.error(), "could not find image \"etcd-backup-restore\" opts ");
}

}  // namespace
}  // namespace druid::api
