#include "kube/event_recorder.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::eventually;

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(test::create_namespace(client(), "ev"), "");
    auto created = client().create(resources::kConfigMaps, "ev", test::config_map("ev", "subject"));
    ASSERT_TRUE(created);
    subject_ = *created;
    subject_["apiVersion"] = "v1";
    subject_["kind"] = "ConfigMap";
  }
  Client& client() { return live_.client(); }
  std::vector<json> events(const std::string& ns = "ev") {
    return live_.server().core().list_objects("events", ns);
  }
  std::int64_t requests(const std::string& verb) {
    return live_.server().controls().request_count(verb, "events");
  }
  EventRecorderOptions options() {
    EventRecorderOptions o;
    o.component = "etcd-druid";
    o.host = "druid-0";
    o.retry_delay = 5ms;
    return o;
  }
  // For the aggregator's tests: `clock`, and a spam filter that lets every
  // event through (it is not what they are about).
  EventRecorderOptions aggregating_options(const FakeClock& clock) {
    auto o = options();
    o.clock = &clock;
    o.spam_burst = 1000;
    return o;
  }

  test::LiveServer live_;
  json subject_;
};

TEST_F(EventRecorderTest, CreatesAnEventAboutTheObject) {
  FakeClock clock(*util::parse_rfc3339("2024-05-01T10:00:00Z"));
  auto o = options();
  o.clock = &clock;
  EventRecorder recorder(client(), o);
  recorder.warning(subject_, "ReconcileError", "could not sync: boom");
  ASSERT_TRUE(recorder.flush(5s));
  auto list = events();
  ASSERT_EQ(list.size(), 1u);
  const json& e = list[0];
  EXPECT_EQ(e["involvedObject"]["kind"], "ConfigMap");
  EXPECT_EQ(e["involvedObject"]["apiVersion"], "v1");
  EXPECT_EQ(e["involvedObject"]["name"], "subject");
  EXPECT_EQ(e["involvedObject"]["namespace"], "ev");
  EXPECT_EQ(e["involvedObject"]["uid"], subject_["metadata"]["uid"]);
  EXPECT_EQ(e["involvedObject"]["resourceVersion"], subject_["metadata"]["resourceVersion"]);
  EXPECT_EQ(e["reason"], "ReconcileError");
  EXPECT_EQ(e["message"], "could not sync: boom");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["source"]["component"], "etcd-druid");
  EXPECT_EQ(e["source"]["host"], "druid-0");
  EXPECT_EQ(e["reportingComponent"], "etcd-druid");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["firstTimestamp"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(e["lastTimestamp"], "2024-05-01T10:00:00Z");
  EXPECT_TRUE(e["metadata"]["name"].get<std::string>().starts_with("subject."));
  EXPECT_EQ(recorder.stats().created, 1u);
}

TEST_F(EventRecorderTest, RepeatsAreAggregatedIntoOneEvent) {
  FakeClock clock(*util::parse_rfc3339("2024-05-01T10:00:00Z"));
  auto o = options();
  o.clock = &clock;
  EventRecorder recorder(client(), o);
  recorder.normal(subject_, "Reconciled", "all good");
  ASSERT_TRUE(recorder.flush(5s));
  clock.advance(30s);
  recorder.normal(subject_, "Reconciled", "all good");
  ASSERT_TRUE(recorder.flush(5s));

  auto list = events();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["count"], 2);
  EXPECT_EQ(list[0]["firstTimestamp"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(list[0]["lastTimestamp"], "2024-05-01T10:00:30Z");
  EXPECT_EQ(requests("create"), 1);
  EXPECT_EQ(requests("patch"), 1);

  // A different message is a different event.
  recorder.normal(subject_, "Reconciled", "something else");
  recorder.warning(subject_, "Reconciled", "all good");  // and so is another type
  ASSERT_TRUE(recorder.flush(5s));
  EXPECT_EQ(events().size(), 3u);
  EXPECT_EQ(recorder.stats().created, 3u);
  EXPECT_EQ(recorder.stats().patched, 1u);
}

// The correlation cache remembers the most recently written events only: a
// repeat of one it forgot creates a new Event, a repeat of one it still holds
// (refreshed by use) patches its Event.
TEST_F(EventRecorderTest, CorrelationCacheForgetsTheLeastRecentlyUsedEvent) {
  FakeClock clock(*util::parse_rfc3339("2024-05-01T10:00:00Z"));
  auto o = aggregating_options(clock);
  o.correlation_cache_size = 2;
  EventRecorder recorder(client(), o);
  auto say = [&](const std::string& message) {
    recorder.normal(subject_, "Step", message);
    ASSERT_TRUE(recorder.flush(5s));
  };
  say("a");
  say("b");
  say("a");  // a is now the most recent; b the least
  say("c");  // evicts b
  EXPECT_EQ(recorder.stats().created, 3u);
  EXPECT_EQ(recorder.stats().patched, 1u);
  say("a");  // still remembered: patched
  EXPECT_EQ(recorder.stats().patched, 2u);
  say("b");  // forgotten: a new Event
  EXPECT_EQ(recorder.stats().created, 4u);
  std::vector<std::int64_t> counts;
  for (const auto& e : events()) {
    if (e["message"] == "a") counts.push_back(e["count"].get<std::int64_t>());
  }
  EXPECT_EQ(counts, std::vector<std::int64_t>{3});
}

// The aggregator's groups are bounded the same way: a group it forgot starts
// counting distinct messages from none.
TEST_F(EventRecorderTest, AggregatorForgetsTheLeastRecentlyUsedGroup) {
  FakeClock clock(*util::parse_rfc3339("2024-05-01T10:00:00Z"));
  auto o = aggregating_options(clock);
  o.correlation_cache_size = 1;
  o.aggregate_max_events = 2;
  EventRecorder recorder(client(), o);
  recorder.normal(subject_, "First", "1");
  recorder.normal(subject_, "Second", "1");  // forgets group First
  recorder.normal(subject_, "First", "2");   // one message seen in a new group: not combined
  ASSERT_TRUE(recorder.flush(5s));
  EXPECT_EQ(recorder.stats().aggregated, 0u);
  recorder.normal(subject_, "First", "3");  // the second distinct message: combined
  ASSERT_TRUE(recorder.flush(5s));
  EXPECT_EQ(recorder.stats().aggregated, 1u);
}

TEST_F(EventRecorderTest, ARepeatOfADeletedEventCreatesItAgainWithTheCount) {
  EventRecorder recorder(client(), options());
  recorder.normal(subject_, "Reconciled", "all good");
  ASSERT_TRUE(recorder.flush(5s));
  const std::string name = events()[0]["metadata"]["name"];
  ASSERT_TRUE(client().remove(resources::kEvents, "ev", name));
  recorder.normal(subject_, "Reconciled", "all good");
  ASSERT_TRUE(recorder.flush(5s));
  auto list = events();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["metadata"]["name"], name);
  EXPECT_EQ(list[0]["count"], 2);
}

TEST_F(EventRecorderTest, RetriesServerErrorsWithoutBlockingTheCaller) {
  live_.server().controls().inject_error(test::failure("create", "events", 500, 2));
  live_.server().controls().add_latency(test::match("create", "events"), 100ms);
  EventRecorder recorder(client(), options());
  const auto before = std::chrono::steady_clock::now();
  recorder.warning(subject_, "Failed", "x");
  EXPECT_LT(std::chrono::steady_clock::now() - before, 50ms);  // asynchronous
  ASSERT_TRUE(recorder.flush(5s));
  EXPECT_EQ(events().size(), 1u);
  EXPECT_EQ(requests("create"), 3);
  EXPECT_EQ(recorder.stats().failed, 0u);
}

TEST_F(EventRecorderTest, GivesUpQuietlyOnPersistentFailures) {
  live_.server().controls().inject_error(test::failure("create", "events", 500, 100));
  auto o = options();
  o.max_attempts = 2;
  EventRecorder recorder(client(), o);
  recorder.warning(subject_, "Failed", "x");
  ASSERT_TRUE(recorder.flush(5s));
  EXPECT_EQ(recorder.stats().failed, 1u);
  EXPECT_EQ(requests("create"), 2);
  EXPECT_TRUE(events().empty());
}

TEST_F(EventRecorderTest, SpamFilterLimitsEventsPerObject) {
  auto o = options();
  o.spam_burst = 3;
  EventRecorder recorder(client(), o);
  for (int i = 0; i < 5; ++i) recorder.normal(subject_, "Tick", "tick " + std::to_string(i));
  ASSERT_TRUE(recorder.flush(5s));
  EXPECT_EQ(events().size(), 3u);
  EXPECT_EQ(recorder.stats().filtered, 2u);
}

TEST_F(EventRecorderTest, EventsAboutClusterScopedObjectsGoToDefault) {
  EventRecorder recorder(client(), options());
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "ev"}}}};
  recorder.normal(ns, "Seen", "namespace seen");
  ASSERT_TRUE(recorder.flush(5s));
  auto list = events("default");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["involvedObject"]["kind"], "Namespace");
  EXPECT_FALSE(list[0]["involvedObject"].contains("namespace"));
}

TEST_F(EventRecorderTest, StopWritesPendingEventsAndDropsLaterOnes) {
  live_.server().controls().add_latency(test::match("create", "events"), 20ms);
  auto recorder = std::make_unique<EventRecorder>(client(), options());
  for (int i = 0; i < 3; ++i) recorder->normal(subject_, "Tick", "tick " + std::to_string(i));
  recorder->stop();
  EXPECT_EQ(events().size(), 3u);
  recorder->normal(subject_, "Tick", "after stop");
  EXPECT_EQ(recorder->stats().dropped, 1u);
}

TEST_F(EventRecorderTest, AFullQueueDropsInsteadOfBlocking) {
  live_.server().controls().add_latency(test::match("create", "events"), 200ms);
  auto o = options();
  o.queue_limit = 2;
  EventRecorder recorder(client(), o);
  for (int i = 0; i < 10; ++i) recorder.normal(subject_, "Tick", "tick " + std::to_string(i));
  EXPECT_GE(recorder.stats().dropped, 7u);
  ASSERT_TRUE(recorder.flush(5s));
}

// client-go's EventAggregator: the message that makes 10 distinct ones for the
// same object, type and reason is the first to be combined.
constexpr std::string_view kCombined = "(combined from similar events): ";

std::vector<json> combined_events(const std::vector<json>& list) {
  std::vector<json> out;
  for (const json& e : list) {
    if (e["message"].get<std::string>().starts_with(kCombined)) out.push_back(e);
  }
  return out;
}

TEST_F(EventRecorderTest, EventAggregatorCombinesSimilarEventsWithChangingMessages) {
  FakeClock clock(*util::parse_rfc3339("2024-05-01T10:00:00Z"));
  EventRecorder recorder(client(), aggregating_options(clock));
  auto flap = [&](int i) {
    recorder.warning(subject_, "Unhealthy", "member " + std::to_string(i) + " down");
    clock.advance(1s);
  };
  for (int i = 1; i <= 9; ++i) flap(i);
  ASSERT_TRUE(recorder.flush(5s));
  ASSERT_EQ(events().size(), 9u);
  EXPECT_TRUE(combined_events(events()).empty());

  for (int i = 10; i <= 15; ++i) flap(i);
  ASSERT_TRUE(recorder.flush(5s));
  auto list = events();
  ASSERT_EQ(list.size(), 10u);
  auto combined = combined_events(list);
  ASSERT_EQ(combined.size(), 1u);
  const json& e = combined[0];
  EXPECT_EQ(e["message"], "(combined from similar events): member 15 down");
  EXPECT_EQ(e["count"], 6);
  EXPECT_EQ(e["reason"], "Unhealthy");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["involvedObject"]["name"], "subject");
  EXPECT_EQ(e["firstTimestamp"], "2024-05-01T10:00:09Z");
  EXPECT_EQ(e["lastTimestamp"], "2024-05-01T10:00:14Z");
  EXPECT_EQ(requests("create"), 10);
  EXPECT_EQ(requests("patch"), 5);
  EXPECT_EQ(recorder.stats().aggregated, 6u);

  // A message that went out as itself still correlates with its own Event.
  recorder.warning(subject_, "Unhealthy", "member 3 down");
  ASSERT_TRUE(recorder.flush(5s));
  list = events();
  ASSERT_EQ(list.size(), 10u);
  auto own = std::find_if(list.begin(), list.end(),
                          [](const json& x) { return x["message"] == "member 3 down"; });
  ASSERT_NE(own, list.end());
  EXPECT_EQ((*own)["count"], 2);
}

TEST_F(EventRecorderTest, EventAggregatorStartsOverAfterTheIntervalWithoutSimilarEvents) {
  FakeClock clock(*util::parse_rfc3339("2024-05-01T10:00:00Z"));
  EventRecorder recorder(client(), aggregating_options(clock));
  auto flap = [&](int i) {
    recorder.warning(subject_, "Unhealthy", "member " + std::to_string(i) + " down");
    clock.advance(1s);
  };
  for (int i = 1; i <= 10; ++i) flap(i);
  // The interval runs from the previous similar event (as in client-go), so a
  // condition that keeps flapping stays combined past 10 minutes.
  clock.advance(9min);
  flap(11);
  clock.advance(9min);
  flap(12);
  ASSERT_TRUE(recorder.flush(5s));
  ASSERT_EQ(events().size(), 10u);
  ASSERT_EQ(combined_events(events()).size(), 1u);
  EXPECT_EQ(combined_events(events())[0]["count"], 3);

  clock.advance(10min + 1s);
  for (int i = 13; i <= 15; ++i) flap(i);
  ASSERT_TRUE(recorder.flush(5s));
  auto list = events();
  ASSERT_EQ(list.size(), 13u);
  for (int i = 13; i <= 15; ++i) {
    const std::string message = "member " + std::to_string(i) + " down";
    EXPECT_EQ(std::count_if(list.begin(), list.end(),
                            [&](const json& e) { return e["message"] == message; }),
              1)
        << message;
  }
  ASSERT_EQ(combined_events(list).size(), 1u);
  EXPECT_EQ(combined_events(list)[0]["count"], 3);
}

TEST_F(EventRecorderTest, EventAggregatorGroupsByReason) {
  FakeClock clock(*util::parse_rfc3339("2024-05-01T10:00:00Z"));
  EventRecorder recorder(client(), aggregating_options(clock));
  for (int i = 1; i <= 9; ++i) {
    recorder.warning(subject_, "Unhealthy", "member " + std::to_string(i) + " down");
    recorder.warning(subject_, "BackupFailed", "snapshot " + std::to_string(i) + " failed");
  }
  ASSERT_TRUE(recorder.flush(5s));
  ASSERT_EQ(events().size(), 18u);
  EXPECT_TRUE(combined_events(events()).empty());

  recorder.warning(subject_, "Unhealthy", "member 10 down");
  recorder.warning(subject_, "Unhealthy", "member 11 down");
  recorder.warning(subject_, "BackupFailed", "snapshot 10 failed");
  ASSERT_TRUE(recorder.flush(5s));
  auto list = events();
  ASSERT_EQ(list.size(), 20u);
  auto combined = combined_events(list);
  ASSERT_EQ(combined.size(), 2u);
  std::sort(combined.begin(), combined.end(),
            [](const json& a, const json& b) { return a["reason"] < b["reason"]; });
  EXPECT_EQ(combined[0]["reason"], "BackupFailed");
  EXPECT_EQ(combined[0]["message"], "(combined from similar events): snapshot 10 failed");
  EXPECT_EQ(combined[0]["count"], 1);
  EXPECT_EQ(combined[1]["reason"], "Unhealthy");
  EXPECT_EQ(combined[1]["message"], "(combined from similar events): member 11 down");
  EXPECT_EQ(combined[1]["count"], 2);
}

}  // namespace
}  // namespace druid::kube
