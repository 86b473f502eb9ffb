#include <gtest/gtest.h>

#include "health/condition_data_volumes_ready.hpp"
#include "health/health_support.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders
using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// ---------------------------------------------------------------------------
// DataVolumesReady

struct World {
  api::Etcd etcd = testing::etcd(3);
  json sts = statefulset_json(3);
  std::vector<ObjectPtr> pvcs;
  std::vector<ObjectPtr> events;
  std::optional<std::string> sts_error, pvcs_error, events_error;
  bool no_sts = false;

  CheckResult check() const {
    return check_data_volumes_ready(etcd, DataVolumeInputs{no_sts ? nullptr : &sts, sts_error, pvcs,
                                                           events, pvcs_error, events_error, t0()});
  }
};

TEST(DataVolumesReadyCondition, NoWarningsWhenAllBoundOrNoEvents) {
  World w;
  w.pvcs = {pvc("etcd-main-etcd-main-0", "Bound"), pvc("etcd-main-etcd-main-1", "Pending")};
  // The event is about the Bound PVC: ignored.
  w.events = {ptr(pvc_event_json("e1", "etcd-main-etcd-main-0", "boom", t0() - 10s))};
  EXPECT_EQ(w.check(), (CheckResult{"DataVolumesReady", "True", "NoWarningsFoundForDataVolumes",
                                    "No warning events found for PVCs used by StatefulSet "
                                    "shoot--dev--test/etcd-main"}));
}

TEST(DataVolumesReadyCondition, WarningForOnePvc) {
  World w;
  w.pvcs = {pvc("etcd-main-etcd-main-0", "Pending")};
  w.events = {ptr(pvc_event_json("e1", "etcd-main-etcd-main-0",
                                 "AttachVolume.Attach failed for volume \"pv-1\"", t0() - 45s))};
  const CheckResult r = w.check();
  EXPECT_EQ(r.status, "False");
  EXPECT_EQ(r.reason, "FoundWarningsForDataVolumes");
  EXPECT_EQ(r.message,
            "Warning for PVC shoot--dev--test/etcd-main-etcd-main-0: -> Events:\n"
            "* attachdetach-controller reported 45s ago: AttachVolume.Attach failed for volume "
            "\"pv-1\"");
}

TEST(DataVolumesReadyCondition, TwoPvcsWithTheTwoMostRecentEventsEach) {
  World w;
  // Listed out of name order; the message follows the PVC names.
  w.pvcs = {pvc("etcd-main-etcd-main-2", "Pending"), pvc("etcd-main-etcd-main-0", "Lost"),
            pvc("etcd-main-etcd-main-1", "Bound")};
  json repeated = pvc_event_json("e2", "etcd-main-etcd-main-0", "second", t0() - 5min);
  repeated["count"] = 4;
  repeated["firstTimestamp"] = rfc3339(t0() - hours(2));
  json micro_only = pvc_event_json("e5", "etcd-main-etcd-main-2", "via eventTime", t0());
  micro_only.erase("firstTimestamp");
  micro_only.erase("lastTimestamp");
  micro_only.erase("source");
  micro_only["reportingComponent"] = "csi-attacher";
  micro_only["eventTime"] = micro(t0() - seconds(150));
  w.events = {
      ptr(pvc_event_json("e3", "etcd-main-etcd-main-0", "third", t0() - 1min)),
      ptr(pvc_event_json("e1", "etcd-main-etcd-main-0", "oldest", t0() - 10min)),
      ptr(repeated),
      ptr(pvc_event_json("e4", "etcd-main-etcd-main-2", "latest of pvc 2", t0() - 20s)),
      ptr(micro_only),
  };
  const CheckResult r = w.check();
  EXPECT_EQ(r.status, "False");
  EXPECT_EQ(r.message,
            "Warning for PVC shoot--dev--test/etcd-main-etcd-main-0: -> Events:\n"
            "* attachdetach-controller reported 5m ago (x4 over 120m): second\n"
            "* attachdetach-controller reported 60s ago: third; "
            "Warning for PVC shoot--dev--test/etcd-main-etcd-main-2: -> Events:\n"
            "* csi-attacher reported 2m30s ago: via eventTime\n"
            "* attachdetach-controller reported 20s ago: latest of pvc 2");
}

TEST(DataVolumesReadyCondition, EventsWithoutTimesAreReportedAsUnknownAge) {
  World w;
  w.pvcs = {pvc("etcd-main-etcd-main-0", "Pending")};
  json timeless = pvc_event_json("e1", "etcd-main-etcd-main-0", "no time", t0());
  timeless.erase("firstTimestamp");
  timeless.erase("lastTimestamp");
  json garbage = pvc_event_json("e2", "etcd-main-etcd-main-0", "bad time", t0());
  garbage["firstTimestamp"] = "last tuesday";
  garbage["lastTimestamp"] = 17;
  garbage["count"] = "many";
  w.events = {ptr(timeless), ptr(garbage)};
  EXPECT_EQ(w.check().message,
            "Warning for PVC shoot--dev--test/etcd-main-etcd-main-0: -> Events:\n"
            "* attachdetach-controller reported <unknown> ago: no time\n"
            "* attachdetach-controller reported <unknown> ago: bad time");
}

TEST(DataVolumesReadyCondition, OnlyWarningEventsAboutThePvcCount) {
  World w;
  w.pvcs = {pvc("etcd-main-etcd-main-0", "Pending"), pvc("other-volume-0", "Pending"),
            pvc("etcd-main-other-0", "Pending")};
  json normal = pvc_event_json("e1", "etcd-main-etcd-main-0", "normal", t0());
  normal["type"] = "Normal";
  json pod_event = pvc_event_json("e2", "etcd-main-etcd-main-0", "pod", t0());
  pod_event["involvedObject"]["kind"] = "Pod";
  json other_ns = pvc_event_json("e3", "etcd-main-etcd-main-0", "elsewhere", t0());
  other_ns["involvedObject"]["namespace"] = "other";
  json other_group = pvc_event_json("e4", "etcd-main-etcd-main-0", "group", t0());
  other_group["involvedObject"]["apiVersion"] = "example.com/v1";
  w.events = {ptr(normal),
              ptr(pod_event),
              ptr(other_ns),
              ptr(other_group),
              nullptr,
              ptr(json::array()),
              ptr(pvc_event_json("e5", "other-volume-0", "not ours", t0())),
              ptr(pvc_event_json("e6", "etcd-main-other-0", "not ours either", t0()))};
  EXPECT_EQ(w.check().status, "True");
}

TEST(DataVolumesReadyCondition, UsesTheStatefulSetsClaimTemplates) {
  World w;
  w.sts["spec"]["volumeClaimTemplates"] = {{{"metadata", {{"name", "data"}}}}};
  w.pvcs = {pvc("data-etcd-main-0", "Pending"), pvc("etcd-main-etcd-main-0", "Pending")};
  w.events = {ptr(pvc_event_json("e1", "data-etcd-main-0", "a", t0())),
              ptr(pvc_event_json("e2", "etcd-main-etcd-main-0", "b", t0()))};
  EXPECT_EQ(w.check().message,
            "Warning for PVC shoot--dev--test/data-etcd-main-0: -> Events:\n"
            "* attachdetach-controller reported 0s ago: a");
}

TEST(DataVolumesReadyCondition, PvcWithoutPhaseIsNotBound) {
  World w;
  w.pvcs = {
      ptr({{"metadata", {{"name", "etcd-main-etcd-main-0"}, {"namespace", "shoot--dev--test"}}}})};
  w.events = {ptr(pvc_event_json("e1", "etcd-main-etcd-main-0", "x", t0()))};
  EXPECT_EQ(w.check().status, "False");
}

TEST(DataVolumesReadyCondition, UnknownWithoutStatefulSet) {
  World w;
  w.no_sts = true;
  EXPECT_EQ(w.check(), (CheckResult{"DataVolumesReady", "Unknown", "StatefulSetNotFound",
                                    "StatefulSet: \"etcd-main\" not found for etcd"}));
  w.sts_error = "timeout";
  EXPECT_EQ(w.check(), (CheckResult{"DataVolumesReady", "Unknown", "UnableToFetchStatefulSet",
                                    "Unable to fetch StatefulSet for etcd: timeout"}));
}

TEST(DataVolumesReadyCondition, ReadErrorsAreUnknown) {
  World w;
  w.pvcs = {pvc("etcd-main-etcd-main-0", "Pending"), pvc("etcd-main-etcd-main-1", "Bound")};
  w.pvcs_error = "forbidden";
  EXPECT_EQ(w.check(),
            (CheckResult{"DataVolumesReady", "Unknown", "UnableToFetchWarningEventsForDataVolumes",
                         "Unable to fetch warning events for PVCs used by StatefulSet "
                         "shoot--dev--test/etcd-main: unable to list PVCs for sts "
                         "etcd-main: forbidden"}));
  w.pvcs_error.reset();
  w.events_error = "forbidden";
  EXPECT_EQ(w.check().message,
            "Unable to fetch warning events for PVCs used by StatefulSet "
            "shoot--dev--test/etcd-main: unable to fetch warning events for PVC "
            "shoot--dev--test/etcd-main-etcd-main-0: failed to list events: forbidden");
  // Events are not needed when every PVC is Bound.
  w.pvcs = {pvc("etcd-main-etcd-main-0", "Bound")};
  EXPECT_EQ(w.check().status, "True");
}

}  // namespace
}  // namespace druid::health
