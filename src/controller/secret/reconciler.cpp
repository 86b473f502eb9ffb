#include "controller/secret/reconciler.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "api/annotations.hpp"
#include "api/etcd.hpp"
#include "api/object_meta.hpp"
#include "api/resources.hpp"
#include "controller/finalizers.hpp"
#include "controller/secret/referenced_secrets.hpp"
#include "kube/api_error.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::controller::secret {
namespace {

using nlohmann::json;

kube::ReconcileOutcome error(std::string message) {
  return util::unexpected(kube::ReconcileError{std::move(message)});
}

// What the Etcds of a namespace say about one Secret.
struct References {
  std::string first_referrer;            // an Etcd referencing the Secret; "" if none does
  std::vector<std::string> undecodable;  // "<etcd>: <why>" of Etcds that say nothing
};

References find_references(const std::vector<kube::ObjectPtr>& etcds,
                           const std::string& secret_name) {
  References references;
  for (const auto& object : etcds) {
    const std::string etcd_name = util::string_field(util::metadata_of(*object), "name");
    auto etcd = api::decode_etcd(*object);
    if (!etcd) {
      references.undecodable.push_back(
          fmt::format("{}: {}", etcd_name, etcd.error().front().message()));
      continue;
    }
    // Terminating Etcds count: their members may still run and need the Secret.
    if (references_secret(*etcd, secret_name)) {
      references.first_referrer = etcd_name;
      return references;
    }
  }
  return references;
}

}  // namespace

kube::ReconcileOutcome SecretReconciler::reconcile(const kube::Request& request) {
  const kube::ReconcileResult done{};
  const std::string key = request.key();

  auto secret = deps_.reader.get(kube::resources::kSecrets, request.namespace_, request.name);
  if (!secret) return error(fmt::format("reading Secret {}: {}", key, secret.error().what()));
  if (!*secret) return done;  // deleted: nothing to hold
  api::ObjectMeta metadata;
  if (auto errors = api::decode_into(util::metadata_of(**secret), metadata); !errors.empty()) {
    return error(
        fmt::format("the metadata of Secret {} do not decode: {}", key, errors.front().message()));
  }

  auto etcds = deps_.reader.list(api::resources::kEtcds, request.namespace_, {});
  if (!etcds) {
    return error(fmt::format("listing the Etcds of namespace {}: {}", request.namespace_,
                             etcds.error().what()));
  }
  const References references = find_references(*etcds, request.name);
  const bool referenced = !references.first_referrer.empty();
  const bool holds = metadata.has_finalizer(api::kEtcdDruidFinalizer);
  if (referenced == holds) return done;

  if (referenced) {
    // The API server refuses new finalizers on an object being deleted; the
    // Secret goes whatever we do.
    if (metadata.is_being_deleted()) {
      spdlog::warn("Secret {} is being deleted while Etcd {} references it", key,
                   references.first_referrer);
      return done;
    }
  } else if (!references.undecodable.empty()) {
    // Releasing a Secret on partial knowledge could let a needed one go.
    return error(fmt::format("cannot tell whether an Etcd references Secret {}: {}", key,
                             fmt::join(references.undecodable, "; ")));
  }

  const json patch = finalizer_patch(metadata, api::kEtcdDruidFinalizer, referenced);
  auto patched = deps_.writer.patch(kube::resources::kSecrets, request.namespace_, request.name,
                                    kube::PatchType::kMerge, patch, {});
  if (!patched) {
    if (patched.error().reason == kube::ApiErrorReason::kNotFound) return done;
    // A conflict included: the cache was behind; the retry reads the next version.
    return error(fmt::format("{} finalizer {} {} Secret {}: {}", referenced ? "adding" : "removing",
                             api::kEtcdDruidFinalizer, referenced ? "to" : "from", key,
                             patched.error().what()));
  }
  if (referenced) {
    spdlog::info("Secret {}: added finalizer {} (referenced by Etcd {})", key,
                 api::kEtcdDruidFinalizer, references.first_referrer);
  } else {
    spdlog::info("Secret {}: removed finalizer {} (no Etcd references it)", key,
                 api::kEtcdDruidFinalizer);
  }
  return done;
}

}  // namespace druid::controller::secret
