#pragma once
// Which events start a cycle of the OnDelete controller (docs/quorum-aware-updates.md,
// "What the controller does"): a StatefulSet seen for the first time (so a restart
// resumes a rollout), a new status.updateRevision, a change of
// spec.updateStrategy.type (turning OnDelete hands an ongoing rollout over) or
// of spec.replicas, and resyncs; every event of a pod it owns (deletions,
// readiness, recreation), mapped to the StatefulSet.

#include "kube/controller.hpp"

namespace druid::controller::ondelete {

kube::Predicate statefulset_predicate();

// Pods: every event (the reconcile is inert for a StatefulSet that is not OnDelete).
kube::Predicate pod_predicate();

}  // namespace druid::controller::ondelete
