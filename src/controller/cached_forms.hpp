#pragma once
// The forms in which the controllers cache what they read. Pods and
// PersistentVolumeClaims are the bulk of a cluster's druid-labelled data (three
// of each per Etcd on a real cluster, a Pod alone several KiB with its spec
// and status), yet the controllers read only a few of their fields. Each form
// keeps exactly the fields some reader uses, listed with the reader, so adding
// a reader of another field means adding it here (cached_forms_test.cpp checks
// every listed field survives).

#include "kube/informer.hpp"
#include "kube/resource.hpp"

namespace druid::controller {

// Pods: metadata, status.phase, status.conditions and the containers'
// name/ready/state. Readers: health/member_status.cpp (ContainersReady),
// health/statefulset_status.cpp (controller-revision-hash label, owner),
// controller/ondelete/pod_facts.cpp (etcd container ready/state, deletion),
// controller/compaction/job_outcome.cpp (a job pod's DisruptionTarget
// condition and terminated container).
kube::ObjectTransform pod_form();
// PersistentVolumeClaims: metadata and status.phase. Reader:
// health/condition_data_volumes_ready.cpp (unbound claims by name).
kube::ObjectTransform persistent_volume_claim_form();
// The form for `type`: one of the above, or none (the object as listed).
kube::ObjectTransform cached_form(const util::ResourceType& type);

}  // namespace druid::controller
