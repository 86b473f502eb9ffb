// AdmissionReview v1 and v1beta1: what is read from a request and what is
// written back (the version and uid of the request, the verdict in status).

#include "webhook/admission_review.hpp"

#include <gtest/gtest.h>

namespace druid::webhook {
namespace {

using nlohmann::json;

json review(const std::string& api_version) {
  return {{"apiVersion", api_version},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
            {"kind", {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}},
            {"resource", {{"group", "apps"}, {"version", "v1"}, {"resource", "statefulsets"}}},
            {"subResource", "scale"},
            {"requestKind", {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}},
            {"name", "etcd-main"},
            {"namespace", "shoot--dev--test"},
            {"operation", "UPDATE"},
            {"userInfo", {{"username", "jane"}, {"groups", {"system:authenticated"}}}},
            {"object", {{"kind", "Scale"}, {"spec", {{"replicas", 5}}}}},
            {"oldObject", {{"kind", "Scale"}, {"spec", {{"replicas", 3}}}}},
            {"dryRun", false}}}};
}

TEST(AdmissionReview, DecodesEveryFieldTheDecisionReads) {
  for (const char* version : {kAdmissionV1, kAdmissionV1beta1}) {
    auto decoded = decode_admission_review(review(version).dump());
    ASSERT_TRUE(decoded) << decoded.error();
    EXPECT_EQ(decoded->api_version, version);
    const auto& r = decoded->request;
    EXPECT_EQ(r.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
    EXPECT_EQ(r.kind.group, "autoscaling");
    EXPECT_EQ(r.kind.version, "v1");
    EXPECT_EQ(r.kind.kind, "Scale");
    EXPECT_EQ(r.resource.group, "apps");
    EXPECT_EQ(r.resource.resource, "statefulsets");
    EXPECT_EQ(r.sub_resource, "scale");
    EXPECT_EQ(r.name, "etcd-main");
    EXPECT_EQ(r.namespace_, "shoot--dev--test");
    EXPECT_EQ(r.operation, "UPDATE");
    EXPECT_EQ(r.username, "jane");
    EXPECT_EQ(r.object["spec"]["replicas"], 5);
    EXPECT_EQ(r.old_object["spec"]["replicas"], 3);
  }
}

TEST(AdmissionReview, AbsentObjectsAreNull) {
  json body = review(kAdmissionV1);
  body["request"].erase("oldObject");
  body["request"]["object"] = nullptr;
  auto decoded = decode_admission_review(body.dump());
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->request.object.is_null());
  EXPECT_TRUE(decoded->request.old_object.is_null());
}

TEST(AdmissionReview, ReviewWithoutTypeInformationIsReadAsV1) {
  json body = review(kAdmissionV1beta1);
  body.erase("apiVersion");
  body.erase("kind");
  auto decoded = decode_admission_review(body.dump());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->api_version, kAdmissionV1);
}

TEST(AdmissionReview, UndecodableReviewsSayWhy) {
  EXPECT_EQ(decode_admission_review("{not json").error(),
            "couldn't decode the AdmissionReview: invalid JSON");
  EXPECT_EQ(decode_admission_review("[]").error(),
            "couldn't decode the AdmissionReview: expected an object, got array");
  json v2 = review("admission.k8s.io/v2");
  EXPECT_EQ(decode_admission_review(v2.dump()).error(),
            "no kind \"AdmissionReview\" is registered for version \"admission.k8s.io/v2\"");
  json other = review(kAdmissionV1);
  other["kind"] = "Pod";
  EXPECT_EQ(decode_admission_review(other.dump()).error(),
            "no kind \"Pod\" is registered for version \"admission.k8s.io/v1\"");
  json empty = review(kAdmissionV1);
  empty.erase("request");
  EXPECT_EQ(decode_admission_review(empty.dump()).error(), "got an empty AdmissionRequest");
  json typed = review(kAdmissionV1);
  typed["request"]["userInfo"]["username"] = 42;
  EXPECT_EQ(decode_admission_review(typed.dump()).error(),
            "request.userInfo.username: expected a string, got number");
  typed = review(kAdmissionV1);
  typed["request"]["kind"] = "Scale";
  EXPECT_EQ(decode_admission_review(typed.dump()).error(),
            "request.kind: expected an object, got string");
}

TEST(AdmissionReview, ResponseEchoesVersionAndUid) {
  for (const char* version : {kAdmissionV1, kAdmissionV1beta1}) {
    const json out = encode_admission_review(version, "u-1", Decision::allow("operation ok"));
    EXPECT_EQ(
        out,
        json({{"apiVersion", version},
              {"kind", "AdmissionReview"},
              {"response",
               {{"uid", "u-1"},
                {"allowed", true},
                {"status",
                 {{"metadata", json::object()}, {"code", 200}, {"message", "operation ok"}}}}}}));
  }
}

TEST(AdmissionReview, DenialsCarryCodeReasonAndMessage) {
  const json out = encode_admission_review(kAdmissionV1, "u-2", Decision::deny("no"));
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"], json({{"metadata", json::object()},
                                             {"code", 403},
                                             {"reason", "Forbidden"},
                                             {"message", "no"}}));
  EXPECT_FALSE(out["response"].contains("warnings"));

  const json error =
      encode_admission_review(kAdmissionV1beta1, "u-3", Decision::errored(400, "bad object"));
  EXPECT_EQ(error["response"]["status"],
            json({{"metadata", json::object()}, {"code", 400}, {"message", "bad object"}}));
}

TEST(AdmissionReview, WarningsAreWrittenWhenPresent) {
  const json out =
      encode_admission_review(kAdmissionV1, "u-4", Decision::allow("skipped", {"w1", "w2"}));
  EXPECT_EQ(out["response"]["warnings"], json({"w1", "w2"}));
}

}  // namespace
}  // namespace druid::webhook
