#include "apiserver/protobuf_kinds.hpp"

#include <fmt/format.h>

#include <string>

#include "apiserver/protobuf_schema.hpp"
#include "apiserver/protobuf_wire.hpp"

namespace druid::testing {

namespace {

using nlohmann::json;
using protobuf::Field;
using protobuf::inlined;
using protobuf::map_of;
using protobuf::Message;
using protobuf::message;
using protobuf::messages;
using protobuf::repeated;
using protobuf::scalar;

constexpr auto kString = protobuf::FieldKind::kString;
constexpr auto kBytes = protobuf::FieldKind::kBytes;
constexpr auto kInt32 = protobuf::FieldKind::kInt32;
constexpr auto kInt64 = protobuf::FieldKind::kInt64;
constexpr auto kBool = protobuf::FieldKind::kBool;
constexpr auto kQuantity = protobuf::FieldKind::kQuantity;
constexpr auto kIntOrString = protobuf::FieldKind::kIntOrString;
constexpr auto kTime = protobuf::FieldKind::kTime;
constexpr auto kPointer = protobuf::Presence::kPointer;
constexpr auto kAlways = protobuf::Presence::kAlways;

// Field numbers: k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto,
// k8s.io/api/{core,apps,batch,policy,rbac}/v1/generated.proto. JSON names and
// presence: the `json` tags of the Go types (pointers are kPointer, tags
// without omitempty kAlways). Statuses are mostly left out: a create or
// update of the main resource ignores them.

// A message this server keeps no field of; it still decodes to `{}`, as the
// Go struct would marshal.
constexpr Message kOpaque{"", {}};

// --- meta/v1 ---

constexpr Field kOwnerReferenceFields[] = {
    scalar(5, "apiVersion", kString, kAlways), scalar(1, "kind", kString, kAlways),
    scalar(3, "name", kString, kAlways),       scalar(4, "uid", kString, kAlways),
    scalar(6, "controller", kBool, kPointer),  scalar(7, "blockOwnerDeletion", kBool, kPointer),
};
constexpr Message kOwnerReference{"OwnerReference", kOwnerReferenceFields};

constexpr Field kObjectMetaFields[] = {
    scalar(1, "name", kString),
    scalar(2, "generateName", kString),
    scalar(3, "namespace", kString),
    scalar(4, "selfLink", kString),
    scalar(5, "uid", kString),
    scalar(6, "resourceVersion", kString),
    scalar(7, "generation", kInt64),
    scalar(8, "creationTimestamp", kTime, kPointer),
    scalar(9, "deletionTimestamp", kTime, kPointer),
    scalar(10, "deletionGracePeriodSeconds", kInt64, kPointer),
    map_of(11, "labels", kString),
    map_of(12, "annotations", kString),
    messages(13, "ownerReferences", kOwnerReference),
    repeated(14, "finalizers", kString),
};
constexpr Message kObjectMeta{"ObjectMeta", kObjectMetaFields};

constexpr Field kLabelSelectorRequirementFields[] = {
    scalar(1, "key", kString, kAlways),
    scalar(2, "operator", kString, kAlways),
    repeated(3, "values", kString),
};
constexpr Message kLabelSelectorRequirement{"LabelSelectorRequirement",
                                            kLabelSelectorRequirementFields};

constexpr Field kLabelSelectorFields[] = {
    map_of(1, "matchLabels", kString),
    messages(2, "matchExpressions", kLabelSelectorRequirement),
};
constexpr Message kLabelSelector{"LabelSelector", kLabelSelectorFields};

// --- core/v1: references, namespaces, configuration ---

constexpr Field kLocalObjectReferenceFields[] = {scalar(1, "name", kString)};
constexpr Message kLocalObjectReference{"LocalObjectReference", kLocalObjectReferenceFields};

constexpr Field kObjectReferenceFields[] = {
    scalar(1, "kind", kString),       scalar(2, "namespace", kString),
    scalar(3, "name", kString),       scalar(4, "uid", kString),
    scalar(5, "apiVersion", kString), scalar(6, "resourceVersion", kString),
    scalar(7, "fieldPath", kString),
};
constexpr Message kObjectReference{"ObjectReference", kObjectReferenceFields};

constexpr Field kNamespaceSpecFields[] = {repeated(1, "finalizers", kString)};
constexpr Message kNamespaceSpec{"NamespaceSpec", kNamespaceSpecFields};
constexpr Field kNamespaceStatusFields[] = {scalar(1, "phase", kString)};
constexpr Message kNamespaceStatus{"NamespaceStatus", kNamespaceStatusFields};
constexpr Field kNamespaceFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kNamespaceSpec),
    message(3, "status", kNamespaceStatus),
};
constexpr Message kNamespace{"Namespace", kNamespaceFields};

constexpr Field kSecretFields[] = {
    message(1, "metadata", kObjectMeta),
    map_of(2, "data", kBytes),
    scalar(3, "type", kString),
    map_of(4, "stringData", kString),
    scalar(5, "immutable", kBool, kPointer),
};
constexpr Message kSecret{"Secret", kSecretFields};

constexpr Field kConfigMapFields[] = {
    message(1, "metadata", kObjectMeta),
    map_of(2, "data", kString),
    map_of(3, "binaryData", kBytes),
    scalar(4, "immutable", kBool, kPointer),
};
constexpr Message kConfigMap{"ConfigMap", kConfigMapFields};

constexpr Field kServiceAccountFields[] = {
    message(1, "metadata", kObjectMeta),
    messages(2, "secrets", kObjectReference),
    messages(3, "imagePullSecrets", kLocalObjectReference),
    scalar(4, "automountServiceAccountToken", kBool, kPointer),
};
constexpr Message kServiceAccount{"ServiceAccount", kServiceAccountFields};

// --- core/v1: services ---

constexpr Field kServicePortFields[] = {
    scalar(1, "name", kString),
    scalar(2, "protocol", kString),
    scalar(6, "appProtocol", kString, kPointer),
    scalar(3, "port", kInt32, kAlways),
    // A struct in Go: marshalled even when zero.
    scalar(4, "targetPort", kIntOrString, kPointer),
    scalar(5, "nodePort", kInt32),
};
constexpr Message kServicePort{"ServicePort", kServicePortFields};

constexpr Field kClientIPConfigFields[] = {scalar(1, "timeoutSeconds", kInt32, kPointer)};
constexpr Message kClientIPConfig{"ClientIPConfig", kClientIPConfigFields};
constexpr Field kSessionAffinityConfigFields[] = {message(1, "clientIP", kClientIPConfig)};
constexpr Message kSessionAffinityConfig{"SessionAffinityConfig", kSessionAffinityConfigFields};

constexpr Field kServiceSpecFields[] = {
    messages(1, "ports", kServicePort),
    map_of(2, "selector", kString),
    scalar(3, "clusterIP", kString),
    repeated(18, "clusterIPs", kString),
    scalar(4, "type", kString),
    repeated(5, "externalIPs", kString),
    scalar(7, "sessionAffinity", kString),
    scalar(8, "loadBalancerIP", kString),
    repeated(9, "loadBalancerSourceRanges", kString),
    scalar(10, "externalName", kString),
    scalar(11, "externalTrafficPolicy", kString),
    scalar(12, "healthCheckNodePort", kInt32),
    scalar(13, "publishNotReadyAddresses", kBool),
    message(14, "sessionAffinityConfig", kSessionAffinityConfig),
    scalar(17, "ipFamilyPolicy", kString, kPointer),
    repeated(19, "ipFamilies", kString),
    scalar(20, "allocateLoadBalancerNodePorts", kBool, kPointer),
    scalar(21, "loadBalancerClass", kString, kPointer),
    scalar(22, "internalTrafficPolicy", kString, kPointer),
    scalar(23, "trafficDistribution", kString, kPointer),
};
constexpr Message kServiceSpec{"ServiceSpec", kServiceSpecFields};

constexpr Field kServiceStatusFields[] = {message(1, "loadBalancer", kOpaque)};
constexpr Message kServiceStatus{"ServiceStatus", kServiceStatusFields};

constexpr Field kServiceFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kServiceSpec),
    message(3, "status", kServiceStatus),
};
constexpr Message kService{"Service", kServiceFields};

// --- core/v1: pods ---

constexpr Field kContainerPortFields[] = {
    scalar(1, "name", kString),
    scalar(2, "hostPort", kInt32),
    scalar(3, "containerPort", kInt32, kAlways),
    scalar(4, "protocol", kString),
    scalar(5, "hostIP", kString),
};
constexpr Message kContainerPort{"ContainerPort", kContainerPortFields};

constexpr Field kObjectFieldSelectorFields[] = {
    scalar(1, "apiVersion", kString),
    scalar(2, "fieldPath", kString, kAlways),
};
constexpr Message kObjectFieldSelector{"ObjectFieldSelector", kObjectFieldSelectorFields};

constexpr Field kResourceFieldSelectorFields[] = {
    scalar(1, "containerName", kString),
    scalar(2, "resource", kString, kAlways),
    scalar(3, "divisor", kQuantity, kPointer),
};
constexpr Message kResourceFieldSelector{"ResourceFieldSelector", kResourceFieldSelectorFields};

// ConfigMapKeySelector and SecretKeySelector have the same fields.
constexpr Field kKeySelectorFields[] = {
    inlined(1, kLocalObjectReference),
    scalar(2, "key", kString, kAlways),
    scalar(3, "optional", kBool, kPointer),
};
constexpr Message kKeySelector{"KeySelector", kKeySelectorFields};

constexpr Field kEnvVarSourceFields[] = {
    message(1, "fieldRef", kObjectFieldSelector),
    message(2, "resourceFieldRef", kResourceFieldSelector),
    message(3, "configMapKeyRef", kKeySelector),
    message(4, "secretKeyRef", kKeySelector),
};
constexpr Message kEnvVarSource{"EnvVarSource", kEnvVarSourceFields};

constexpr Field kEnvVarFields[] = {
    scalar(1, "name", kString, kAlways),
    scalar(2, "value", kString),
    message(3, "valueFrom", kEnvVarSource),
};
constexpr Message kEnvVar{"EnvVar", kEnvVarFields};

// ConfigMapEnvSource and SecretEnvSource have the same fields.
constexpr Field kEnvSourceFields[] = {
    inlined(1, kLocalObjectReference),
    scalar(2, "optional", kBool, kPointer),
};
constexpr Message kEnvSource{"EnvSource", kEnvSourceFields};

constexpr Field kEnvFromSourceFields[] = {
    scalar(1, "prefix", kString),
    message(2, "configMapRef", kEnvSource),
    message(3, "secretRef", kEnvSource),
};
constexpr Message kEnvFromSource{"EnvFromSource", kEnvFromSourceFields};

constexpr Field kResourceClaimFields[] = {
    scalar(1, "name", kString, kAlways),
    scalar(2, "request", kString),
};
constexpr Message kResourceClaim{"ResourceClaim", kResourceClaimFields};

constexpr Field kResourceRequirementsFields[] = {
    map_of(1, "limits", kQuantity),
    map_of(2, "requests", kQuantity),
    messages(3, "claims", kResourceClaim),
};
constexpr Message kResourceRequirements{"ResourceRequirements", kResourceRequirementsFields};

constexpr Field kVolumeMountFields[] = {
    scalar(1, "name", kString, kAlways),
    scalar(2, "readOnly", kBool),
    scalar(7, "recursiveReadOnly", kString, kPointer),
    scalar(3, "mountPath", kString, kAlways),
    scalar(4, "subPath", kString),
    scalar(5, "mountPropagation", kString, kPointer),
    scalar(6, "subPathExpr", kString),
};
constexpr Message kVolumeMount{"VolumeMount", kVolumeMountFields};

constexpr Field kContainerFields[] = {
    scalar(1, "name", kString, kAlways),
    scalar(2, "image", kString),
    repeated(3, "command", kString),
    repeated(4, "args", kString),
    scalar(5, "workingDir", kString),
    messages(6, "ports", kContainerPort),
    messages(19, "envFrom", kEnvFromSource),
    messages(7, "env", kEnvVar),
    message(8, "resources", kResourceRequirements),
    scalar(24, "restartPolicy", kString, kPointer),
    messages(9, "volumeMounts", kVolumeMount),
    scalar(13, "terminationMessagePath", kString),
    scalar(20, "terminationMessagePolicy", kString),
    scalar(14, "imagePullPolicy", kString),
    scalar(16, "stdin", kBool),
    scalar(17, "stdinOnce", kBool),
    scalar(18, "tty", kBool),
};
constexpr Message kContainer{"Container", kContainerFields};

constexpr Field kTolerationFields[] = {
    scalar(1, "key", kString),
    scalar(2, "operator", kString),
    scalar(3, "value", kString),
    scalar(4, "effect", kString),
    scalar(5, "tolerationSeconds", kInt64, kPointer),
};
constexpr Message kToleration{"Toleration", kTolerationFields};

constexpr Field kPodSpecFields[] = {
    messages(20, "initContainers", kContainer),
    messages(2, "containers", kContainer, kAlways),
    scalar(3, "restartPolicy", kString),
    scalar(4, "terminationGracePeriodSeconds", kInt64, kPointer),
    scalar(5, "activeDeadlineSeconds", kInt64, kPointer),
    scalar(6, "dnsPolicy", kString),
    map_of(7, "nodeSelector", kString),
    scalar(8, "serviceAccountName", kString),
    scalar(9, "serviceAccount", kString),
    scalar(21, "automountServiceAccountToken", kBool, kPointer),
    scalar(10, "nodeName", kString),
    scalar(11, "hostNetwork", kBool),
    scalar(12, "hostPID", kBool),
    scalar(13, "hostIPC", kBool),
    scalar(27, "shareProcessNamespace", kBool, kPointer),
    messages(15, "imagePullSecrets", kLocalObjectReference),
    scalar(16, "hostname", kString),
    scalar(17, "subdomain", kString),
    scalar(19, "schedulerName", kString),
    messages(22, "tolerations", kToleration),
    scalar(24, "priorityClassName", kString),
    scalar(25, "priority", kInt32, kPointer),
    scalar(29, "runtimeClassName", kString, kPointer),
    scalar(30, "enableServiceLinks", kBool, kPointer),
    scalar(31, "preemptionPolicy", kString, kPointer),
    scalar(35, "setHostnameAsFQDN", kBool, kPointer),
    scalar(37, "hostUsers", kBool, kPointer),
};
constexpr Message kPodSpec{"PodSpec", kPodSpecFields};

constexpr Field kPodTemplateSpecFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kPodSpec),
};
constexpr Message kPodTemplateSpec{"PodTemplateSpec", kPodTemplateSpecFields};

constexpr Field kPodFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kPodSpec),
    message(3, "status", kOpaque),
};
constexpr Message kPod{"Pod", kPodFields};

// --- apps/v1 ---

constexpr Field kRollingUpdateDeploymentFields[] = {
    scalar(1, "maxUnavailable", kIntOrString, kPointer),
    scalar(2, "maxSurge", kIntOrString, kPointer),
};
constexpr Message kRollingUpdateDeployment{"RollingUpdateDeployment",
                                           kRollingUpdateDeploymentFields};

constexpr Field kDeploymentStrategyFields[] = {
    scalar(1, "type", kString),
    message(2, "rollingUpdate", kRollingUpdateDeployment),
};
constexpr Message kDeploymentStrategy{"DeploymentStrategy", kDeploymentStrategyFields};

constexpr Field kDeploymentSpecFields[] = {
    scalar(1, "replicas", kInt32, kPointer),
    message(2, "selector", kLabelSelector),
    message(3, "template", kPodTemplateSpec),
    message(4, "strategy", kDeploymentStrategy),
    scalar(5, "minReadySeconds", kInt32),
    scalar(6, "revisionHistoryLimit", kInt32, kPointer),
    scalar(7, "paused", kBool),
    scalar(9, "progressDeadlineSeconds", kInt32, kPointer),
};
constexpr Message kDeploymentSpec{"DeploymentSpec", kDeploymentSpecFields};

constexpr Field kDeploymentFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kDeploymentSpec),
    message(3, "status", kOpaque),
};
constexpr Message kDeployment{"Deployment", kDeploymentFields};

// --- batch/v1 ---

constexpr Field kJobSpecFields[] = {
    scalar(1, "parallelism", kInt32, kPointer),
    scalar(2, "completions", kInt32, kPointer),
    scalar(3, "activeDeadlineSeconds", kInt64, kPointer),
    scalar(7, "backoffLimit", kInt32, kPointer),
    scalar(12, "backoffLimitPerIndex", kInt32, kPointer),
    scalar(13, "maxFailedIndexes", kInt32, kPointer),
    message(4, "selector", kLabelSelector),
    scalar(5, "manualSelector", kBool, kPointer),
    message(6, "template", kPodTemplateSpec),
    scalar(8, "ttlSecondsAfterFinished", kInt32, kPointer),
    scalar(9, "completionMode", kString, kPointer),
    scalar(10, "suspend", kBool, kPointer),
    scalar(14, "podReplacementPolicy", kString, kPointer),
    scalar(15, "managedBy", kString, kPointer),
};
constexpr Message kJobSpec{"JobSpec", kJobSpecFields};

constexpr Field kJobFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kJobSpec),
    message(3, "status", kOpaque),
};
constexpr Message kJob{"Job", kJobFields};

constexpr Field kJobTemplateSpecFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kJobSpec),
};
constexpr Message kJobTemplateSpec{"JobTemplateSpec", kJobTemplateSpecFields};

constexpr Field kCronJobSpecFields[] = {
    scalar(1, "schedule", kString, kAlways),
    scalar(8, "timeZone", kString, kPointer),
    scalar(2, "startingDeadlineSeconds", kInt64, kPointer),
    scalar(3, "concurrencyPolicy", kString),
    scalar(4, "suspend", kBool, kPointer),
    message(5, "jobTemplate", kJobTemplateSpec),
    scalar(6, "successfulJobsHistoryLimit", kInt32, kPointer),
    scalar(7, "failedJobsHistoryLimit", kInt32, kPointer),
};
constexpr Message kCronJobSpec{"CronJobSpec", kCronJobSpecFields};

constexpr Field kCronJobFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kCronJobSpec),
    message(3, "status", kOpaque),
};
constexpr Message kCronJob{"CronJob", kCronJobFields};

// --- policy/v1 ---

constexpr Field kPodDisruptionBudgetSpecFields[] = {
    scalar(1, "minAvailable", kIntOrString, kPointer),
    message(2, "selector", kLabelSelector),
    scalar(3, "maxUnavailable", kIntOrString, kPointer),
    scalar(4, "unhealthyPodEvictionPolicy", kString, kPointer),
};
constexpr Message kPodDisruptionBudgetSpec{"PodDisruptionBudgetSpec",
                                           kPodDisruptionBudgetSpecFields};

constexpr Field kPodDisruptionBudgetFields[] = {
    message(1, "metadata", kObjectMeta),
    message(2, "spec", kPodDisruptionBudgetSpec),
    message(3, "status", kOpaque),
};
constexpr Message kPodDisruptionBudget{"PodDisruptionBudget", kPodDisruptionBudgetFields};

// --- rbac/v1 ---

constexpr Field kPolicyRuleFields[] = {
    repeated(1, "verbs", kString, kAlways),  repeated(2, "apiGroups", kString),
    repeated(3, "resources", kString),       repeated(4, "resourceNames", kString),
    repeated(5, "nonResourceURLs", kString),
};
constexpr Message kPolicyRule{"PolicyRule", kPolicyRuleFields};

constexpr Field kRoleFields[] = {
    message(1, "metadata", kObjectMeta),
    messages(2, "rules", kPolicyRule, kAlways),
};
constexpr Message kRole{"Role", kRoleFields};

constexpr Field kAggregationRuleFields[] = {messages(1, "clusterRoleSelectors", kLabelSelector)};
constexpr Message kAggregationRule{"AggregationRule", kAggregationRuleFields};

constexpr Field kClusterRoleFields[] = {
    message(1, "metadata", kObjectMeta),
    messages(2, "rules", kPolicyRule, kAlways),
    message(3, "aggregationRule", kAggregationRule),
};
constexpr Message kClusterRole{"ClusterRole", kClusterRoleFields};

constexpr Field kSubjectFields[] = {
    scalar(1, "kind", kString, kAlways),
    scalar(2, "apiGroup", kString),
    scalar(3, "name", kString, kAlways),
    scalar(4, "namespace", kString),
};
constexpr Message kSubject{"Subject", kSubjectFields};

constexpr Field kRoleRefFields[] = {
    scalar(1, "apiGroup", kString, kAlways),
    scalar(2, "kind", kString, kAlways),
    scalar(3, "name", kString, kAlways),
};
constexpr Message kRoleRef{"RoleRef", kRoleRefFields};

// RoleBinding and ClusterRoleBinding have the same fields.
constexpr Field kBindingFields[] = {
    message(1, "metadata", kObjectMeta),
    messages(2, "subjects", kSubject),
    message(3, "roleRef", kRoleRef),
};
constexpr Message kRoleBinding{"RoleBinding", kBindingFields};
constexpr Message kClusterRoleBinding{"ClusterRoleBinding", kBindingFields};

struct KnownKind {
  std::string_view api_version;
  std::string_view kind;
  const Message& message;
};

constexpr KnownKind kKnownKinds[] = {
    {"v1", "Namespace", kNamespace},
    {"v1", "Secret", kSecret},
    {"v1", "ConfigMap", kConfigMap},
    {"v1", "ServiceAccount", kServiceAccount},
    {"v1", "Service", kService},
    {"v1", "Pod", kPod},
    {"apps/v1", "Deployment", kDeployment},
    {"batch/v1", "Job", kJob},
    {"batch/v1", "CronJob", kCronJob},
    {"policy/v1", "PodDisruptionBudget", kPodDisruptionBudget},
    {"rbac.authorization.k8s.io/v1", "Role", kRole},
    {"rbac.authorization.k8s.io/v1", "RoleBinding", kRoleBinding},
    {"rbac.authorization.k8s.io/v1", "ClusterRole", kClusterRole},
    {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", kClusterRoleBinding},
};

// k8s.io/apimachinery/pkg/runtime/serializer/protobuf: every body starts so.
constexpr std::string_view kMagic{"k8s\0", 4};

StatusError malformed(const std::string& detail) {
  return bad_request("the protobuf body of the request could not be decoded: " + detail);
}

struct Envelope {
  std::string api_version;
  std::string kind;
  std::string_view raw;
  std::string content_encoding;
};

// runtime.Unknown: typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2,
// contentEncoding = 3, contentType = 4.
util::Expected<Envelope, std::string> read_envelope(std::string_view bytes) {
  Envelope envelope;
  protobuf::WireReader reader(bytes);
  while (!reader.done()) {
    auto field = reader.next();
    if (!field) return util::unexpected("Unknown: " + field.error());
    if (field->number > 4) continue;
    if (field->type != protobuf::WireType::kLengthDelimited) {
      return util::unexpected(
          fmt::format("Unknown: field {} is not length-delimited", field->number));
    }
    if (field->number == 1) {
      protobuf::WireReader type_meta(field->bytes);
      while (!type_meta.done()) {
        auto inner = type_meta.next();
        if (!inner) return util::unexpected("Unknown.typeMeta: " + inner.error());
        if (inner->number != 1 && inner->number != 2) continue;
        if (inner->type != protobuf::WireType::kLengthDelimited) {
          return util::unexpected(
              fmt::format("Unknown.typeMeta: field {} is not length-delimited", inner->number));
        }
        (inner->number == 1 ? envelope.api_version : envelope.kind) = std::string(inner->bytes);
      }
    } else if (field->number == 2) {
      envelope.raw = field->bytes;
    } else if (field->number == 3) {
      envelope.content_encoding = std::string(field->bytes);
    }
  }
  return envelope;
}

}  // namespace

util::Expected<json, StatusError> decode_kubernetes_protobuf(std::string_view body) {
  if (!body.starts_with(kMagic)) {
    return util::unexpected(malformed("it does not start with the magic bytes \"k8s\\0\""));
  }
  auto envelope = read_envelope(body.substr(kMagic.size()));
  if (!envelope) return util::unexpected(malformed(envelope.error()));
  if (envelope->kind.empty()) {
    return util::unexpected(malformed("the envelope names no kind (Unknown.typeMeta.kind)"));
  }
  if (!envelope->content_encoding.empty()) {
    return util::unexpected(malformed(
        fmt::format("content encoding \"{}\" is not supported", envelope->content_encoding)));
  }
  const KnownKind* known = nullptr;
  for (const KnownKind& k : kKnownKinds) {
    if (k.api_version == envelope->api_version && k.kind == envelope->kind) known = &k;
  }
  if (known == nullptr) {
    StatusError e;
    e.code = 415;
    e.reason = "UnsupportedMediaType";
    e.message = fmt::format(
        "the test API server cannot read {} {} from protobuf - send application/json or "
        "application/yaml",
        envelope->api_version, envelope->kind);
    return util::unexpected(e);
  }
  auto object = protobuf::decode_message(known->message, envelope->raw);
  if (!object) return util::unexpected(malformed(object.error()));
  (*object)["apiVersion"] = envelope->api_version;
  (*object)["kind"] = envelope->kind;
  return std::move(*object);
}

}  // namespace druid::testing
