#include "kube/api_error.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace druid::kube {
namespace {

using nlohmann::json;

std::string status_body(int code, const std::string& reason, const std::string& message,
                        json details = nullptr) {
  json s = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
            {"status", "Failure"}, {"message", message}, {"reason", reason},
            {"code", code}};
  if (!details.is_null()) s["details"] = details;
  return s.dump();
}

struct ReasonCase {
  int code;
  std::string reason;
  ApiErrorReason expected;
};

class StatusReasonTest : public ::testing::TestWithParam<ReasonCase> {};

TEST_P(StatusReasonTest, MapsStatusReasonAndKeepsMessage) {
  const auto& c = GetParam();
  ApiError e = from_response(c.code, status_body(c.code, c.reason, "the message"));
  EXPECT_EQ(e.reason, c.expected) << c.reason;
  EXPECT_EQ(e.http_code, c.code);
  EXPECT_EQ(e.message, "the message");
  EXPECT_EQ(e.status["reason"], c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    AllReasons, StatusReasonTest,
    ::testing::Values(
        ReasonCase{404, "NotFound", ApiErrorReason::kNotFound},
        ReasonCase{409, "AlreadyExists", ApiErrorReason::kAlreadyExists},
        ReasonCase{409, "Conflict", ApiErrorReason::kConflict},
        ReasonCase{422, "Invalid", ApiErrorReason::kInvalid},
        ReasonCase{403, "Forbidden", ApiErrorReason::kForbidden},
        ReasonCase{401, "Unauthorized", ApiErrorReason::kUnauthorized},
        ReasonCase{410, "Gone", ApiErrorReason::kGone},
        ReasonCase{410, "Expired", ApiErrorReason::kGone},
        ReasonCase{429, "TooManyRequests", ApiErrorReason::kTooManyRequests},
        ReasonCase{500, "ServerTimeout", ApiErrorReason::kServerTimeout},
        ReasonCase{504, "Timeout", ApiErrorReason::kTimeout},
        ReasonCase{500, "InternalError", ApiErrorReason::kInternalError},
        ReasonCase{400, "BadRequest", ApiErrorReason::kBadRequest},
        ReasonCase{405, "MethodNotAllowed", ApiErrorReason::kMethodNotAllowed},
        ReasonCase{415, "UnsupportedMediaType", ApiErrorReason::kUnsupportedMediaType},
        ReasonCase{503, "ServiceUnavailable", ApiErrorReason::kServiceUnavailable},
        ReasonCase{406, "NotAcceptable", ApiErrorReason::kNotAcceptable},
        ReasonCase{413, "RequestEntityTooLarge", ApiErrorReason::kRequestEntityTooLarge}));

class CodeOnlyTest : public ::testing::TestWithParam<std::pair<int, ApiErrorReason>> {};

TEST_P(CodeOnlyTest, NonStatusBodyMapsByHttpCode) {
  auto [code, expected] = GetParam();
  ApiError e = from_response(code, "upstream says no\n");
  EXPECT_EQ(e.reason, expected) << code;
  EXPECT_EQ(e.message, "upstream says no");
  EXPECT_TRUE(e.status.is_null());
}

INSTANTIATE_TEST_SUITE_P(Codes, CodeOnlyTest,
                         ::testing::Values(std::pair{400, ApiErrorReason::kBadRequest},
                                           std::pair{401, ApiErrorReason::kUnauthorized},
                                           std::pair{403, ApiErrorReason::kForbidden},
                                           std::pair{404, ApiErrorReason::kNotFound},
                                           std::pair{405, ApiErrorReason::kMethodNotAllowed},
                                           std::pair{409, ApiErrorReason::kConflict},
                                           std::pair{410, ApiErrorReason::kGone},
                                           std::pair{415, ApiErrorReason::kUnsupportedMediaType},
                                           std::pair{422, ApiErrorReason::kInvalid},
                                           std::pair{429, ApiErrorReason::kTooManyRequests},
                                           std::pair{500, ApiErrorReason::kInternalError},
                                           std::pair{503, ApiErrorReason::kServiceUnavailable},
                                           std::pair{504, ApiErrorReason::kTimeout},
                                           std::pair{418, ApiErrorReason::kUnknown}));

TEST(ApiErrorTest, StatusWithoutReasonUsesItsCode) {
  json s = {{"kind", "Status"},
            {"apiVersion", "v1"},
            {"status", "Failure"},
            {"message", "Operation cannot be fulfilled"},
            {"code", 409}};
  ApiError e = from_response(409, s.dump());
  EXPECT_EQ(e.reason, ApiErrorReason::kConflict);
  EXPECT_TRUE(is_conflict(e));
}

// Found by fuzzing (test/fuzz/regressions/watch_stream): a Status whose code is
// not a number used to throw out of from_response; the HTTP code decides instead.
TEST(ApiErrorTest, StatusWithNonIntegerCodeUsesTheHttpCode) {
  for (const json& code : {json("409"), json(4.5), json::array(), json(nullptr)}) {
    json s = {{"kind", "Status"}, {"status", "Failure"}, {"message", "m"}, {"code", code}};
    ApiError e = from_response(409, s.dump());
    EXPECT_EQ(e.reason, ApiErrorReason::kConflict) << code;
    EXPECT_EQ(e.message, "m");
  }
}

TEST(ApiErrorTest, InvalidCarriesFieldCauses) {
  json details = {{"name", "e1"},
                  {"group", "druid.gardener.cloud"},
                  {"kind", "Etcd"},
                  {"causes",
                   {{{"reason", "FieldValueRequired"},
                     {"message", "Required value"},
                     {"field", "spec.replicas"}},
                    {{"reason", "FieldValueInvalid"},
                     {"message", "Invalid value: \"x\": must be a number"},
                     {"field", "spec.etcd.quota"}}}}};
  std::string msg =
      "Etcd.druid.gardener.cloud \"e1\" is invalid: [spec.replicas: Required value, ...]";
  ApiError e = from_response(422, status_body(422, "Invalid", msg, details));
  ASSERT_TRUE(is_invalid(e));
  ASSERT_EQ(e.causes.size(), 2u);
  EXPECT_EQ(e.causes[0], (StatusCause{"FieldValueRequired", "Required value", "spec.replicas"}));
  EXPECT_EQ(e.causes[1].field, "spec.etcd.quota");
  EXPECT_EQ(e.causes[1].type, "FieldValueInvalid");
  EXPECT_EQ(e.what(), "Invalid (422): " + msg);
}

TEST(ApiErrorTest, TooManyRequestsTakesRetryAfterHeader) {
  ApiError e =
      from_response(429, status_body(429, "TooManyRequests", "slow down"), {{"retry-after", "7"}});
  EXPECT_TRUE(is_too_many_requests(e));
  ASSERT_TRUE(e.retry_after.has_value());
  EXPECT_EQ(*e.retry_after, std::chrono::seconds(7));
  EXPECT_TRUE(is_retryable(e));
}

TEST(ApiErrorTest, RetryAfterFromStatusDetailsWhenNoHeader) {
  ApiError e = from_response(
      429, status_body(429, "TooManyRequests", "slow down", {{"retryAfterSeconds", 3}}));
  ASSERT_TRUE(e.retry_after.has_value());
  EXPECT_EQ(*e.retry_after, std::chrono::seconds(3));
  ApiError none = from_response(429, status_body(429, "TooManyRequests", "slow down"),
                                {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}});
  EXPECT_FALSE(none.retry_after.has_value());
}

TEST(ApiErrorTest, EmptyOrHugeNonStatusBodyGetsGenericMessage) {
  EXPECT_EQ(from_response(502, "").message, "the server responded with HTTP status 502");
  EXPECT_EQ(from_response(500, std::string(5000, 'x')).message,
            "the server responded with HTTP status 500");
  // JSON that is not a Status is treated as text.
  ApiError e = from_response(404, R"({"error":"nope"})");
  EXPECT_TRUE(is_not_found(e));
  EXPECT_EQ(e.message, R"({"error":"nope"})");
}

TEST(ApiErrorTest, NamesRoundTripAndCodes) {
  for (auto r : {ApiErrorReason::kNotFound, ApiErrorReason::kAlreadyExists,
                 ApiErrorReason::kConflict, ApiErrorReason::kInvalid, ApiErrorReason::kGone,
                 ApiErrorReason::kTooManyRequests, ApiErrorReason::kServerTimeout}) {
    EXPECT_EQ(reason_from_name(reason_name(r)), r) << reason_name(r);
  }
  EXPECT_EQ(reason_from_name("Transport"), ApiErrorReason::kUnknown);
  EXPECT_EQ(reason_from_name("Whatever"), ApiErrorReason::kUnknown);
  EXPECT_EQ(http_code_for(ApiErrorReason::kInvalid), 422);
  EXPECT_EQ(http_code_for(ApiErrorReason::kAlreadyExists), 409);
  EXPECT_EQ(http_code_for(ApiErrorReason::kTransport), 0);
}

TEST(ApiErrorTest, ToStatusRoundTrips) {
  ApiError e;
  e.reason = ApiErrorReason::kInvalid;
  e.http_code = 422;
  e.message = "bad";
  e.causes = {{"FieldValueInvalid", "Invalid value", "spec.x"}};
  json s = to_status(e);
  EXPECT_EQ(s["kind"], "Status");
  EXPECT_EQ(s["reason"], "Invalid");
  EXPECT_EQ(s["code"], 422);
  EXPECT_EQ(s["details"]["causes"][0]["field"], "spec.x");
  ApiError back = from_response(422, s.dump());
  EXPECT_EQ(back.reason, e.reason);
  EXPECT_EQ(back.causes, e.causes);
  EXPECT_EQ(back.message, "bad");
}

TEST(ApiErrorTest, TransportErrorsAreRetryableAndDescribed) {
  ApiError e = transport_error("GET https://x/api: Couldn't connect to server");
  EXPECT_TRUE(is_transport(e));
  EXPECT_TRUE(is_retryable(e));
  EXPECT_EQ(e.http_code, 0);
  EXPECT_EQ(e.what(), "Transport: GET https://x/api: Couldn't connect to server");
  EXPECT_FALSE(is_retryable(from_response(404, "")));
}

}  // namespace
}  // namespace druid::kube
