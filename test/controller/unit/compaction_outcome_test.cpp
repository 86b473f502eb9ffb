// How a finished compaction Job is read (issue 14, item 1; upstream's
// getJobCompletionStateAndReason and getPodFailureReasonAndLastTransitionTime):
// every branch of the classification, the failureReason label and the
// duration, from the Job's conditions and its pod.
#include <gtest/gtest.h>

#include "controller/compaction/job_outcome.hpp"
#include "util/time.hpp"

namespace druid::test {
namespace {

using controller::compaction::classify_job;
using controller::compaction::is_finished;
using controller::compaction::JobOutcome;
using nlohmann::json;

const util::Time kNow = *util::parse_rfc3339("2026-12-01T12:00:00Z");

json job_with(const char* type, const char* reason = "", const char* status = "True") {
  return {{"spec", {{"activeDeadlineSeconds", 10800}}},
          {"status",
           {{"startTime", "2026-12-01T11:00:00Z"},
            {"completionTime", "2026-12-01T11:10:00Z"},
            {"conditions", json::array({{{"type", type},
                                         {"status", status},
                                         {"reason", reason},
                                         {"lastTransitionTime", "2026-12-01T11:20:00Z"}}})}}}};
}

json pod_disrupted(const char* reason) {
  return {{"status",
           {{"conditions", json::array({{{"type", "DisruptionTarget"},
                                         {"status", "True"},
                                         {"reason", reason},
                                         {"lastTransitionTime", "2026-12-01T11:05:00Z"}}})}}}};
}

json pod_terminated() {
  return {
      {"status",
       {{"containerStatuses",
         json::array(
             {{{"name", "compact-backup"},
               {"state",
                {{"terminated", {{"exitCode", 1}, {"finishedAt", "2026-12-01T11:30:00Z"}}}}}}})}}}};
}

TEST(CompactionJobOutcome, RunningJobsAreNotFinished) {
  EXPECT_FALSE(is_finished(json::object()));
  EXPECT_FALSE(is_finished({{"status", {{"active", 1}}}}));
  EXPECT_FALSE(is_finished(job_with("Complete", "", "False")));
  EXPECT_FALSE(is_finished(job_with("Suspended")));
  EXPECT_FALSE(classify_job(job_with("Suspended"), nullptr, kNow).has_value());
}

TEST(CompactionJobOutcome, CompleteOrSuccessCriteriaMetIsSuccess) {
  for (const char* type : {"Complete", "SuccessCriteriaMet"}) {
    const auto outcome = classify_job(job_with(type, "CompletionsReached"), nullptr, kNow);
    ASSERT_TRUE(outcome) << type;
    EXPECT_EQ(*outcome, (JobOutcome{true, "None", "none", 600.0})) << type;
  }
}

TEST(CompactionJobOutcome, DeadlineExceededLastsTheDeadline) {
  for (const char* type : {"Failed", "FailureTarget"}) {
    const auto outcome = classify_job(job_with(type, "DeadlineExceeded"), nullptr, kNow);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(*outcome, (JobOutcome{false, "DeadlineExceeded", "deadlineExceeded", 10800.0}));
  }
}

TEST(CompactionJobOutcome, BackoffLimitExceededIsExplainedByThePod) {
  const json job = job_with("Failed", "BackoffLimitExceeded");
  struct Case {
    json pod;
    JobOutcome expected;
  };
  const std::vector<Case> cases = {
      {pod_disrupted("PreemptionByScheduler"),
       {false, "PreemptionByScheduler", "preempted", 300.0}},
      {pod_disrupted("DeletionByTaintManager"),
       {false, "DeletionByTaintManager", "evicted", 300.0}},
      {pod_disrupted("EvictionByEvictionAPI"), {false, "EvictionByEvictionAPI", "evicted", 300.0}},
      {pod_disrupted("TerminationByKubelet"), {false, "TerminationByKubelet", "evicted", 300.0}},
      {pod_disrupted("SomethingNew"), {false, "Unknown", "unknown", 300.0}},
      {pod_terminated(), {false, "ProcessFailure", "processFailure", 1800.0}},
      // A pod with neither: its end is now.
      {json::object(), {false, "Unknown", "unknown", 3600.0}},
  };
  for (const auto& [pod, expected] : cases) {
    const auto outcome = classify_job(job, &pod, kNow);
    ASSERT_TRUE(outcome) << pod.dump();
    EXPECT_EQ(*outcome, expected) << pod.dump();
  }
  // The pod is gone.
  EXPECT_EQ(*classify_job(job, nullptr, kNow), (JobOutcome{false, "Unknown", "unknown", 3600.0}));
}

TEST(CompactionJobOutcome, DisruptionWinsOverATerminatedContainer) {
  json pod = pod_disrupted("EvictionByEvictionAPI");
  pod["status"]["containerStatuses"] = pod_terminated()["status"]["containerStatuses"];
  EXPECT_EQ(classify_job(job_with("Failed", "BackoffLimitExceeded"), &pod, kNow)->failure_label,
            "evicted");
}

TEST(CompactionJobOutcome, OtherFailuresAreUnknown) {
  const auto outcome = classify_job(job_with("Failed", "PodFailurePolicy"), nullptr, kNow);
  EXPECT_EQ(*outcome, (JobOutcome{false, "Unknown", "unknown", 1200.0}));
}

TEST(CompactionJobOutcome, DurationIsLeftOutWhenUnknownOrNotPositive) {
  json job = job_with("Complete");
  job["status"].erase("completionTime");
  EXPECT_FALSE(classify_job(job, nullptr, kNow)->duration_seconds.has_value());
  job = job_with("Failed", "DeadlineExceeded");
  job["spec"].erase("activeDeadlineSeconds");
  EXPECT_FALSE(classify_job(job, nullptr, kNow)->duration_seconds.has_value());
  job = job_with("Failed", "BackoffLimitExceeded");
  job["status"]["startTime"] = "2026-12-01T13:00:00Z";  // after now
  EXPECT_FALSE(classify_job(job, nullptr, kNow)->duration_seconds.has_value());
}

TEST(CompactionJobOutcome, TheFirstTerminalConditionDecides) {
  json job = job_with("FailureTarget", "DeadlineExceeded");
  job["status"]["conditions"].push_back({{"type", "Complete"}, {"status", "True"}});
  EXPECT_FALSE(classify_job(job, nullptr, kNow)->succeeded);
}

}  // namespace
}  // namespace druid::test
