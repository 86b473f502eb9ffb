// AdmissionReview request bodies (webhook/admission_review.hpp), as the API
// server posts them to the component-protection webhook. Every body gets an
// answer: a decoded review echoes its uid in a response of its own version,
// an undecodable one has a message for the 400.

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "webhook/admission_review.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto review = druid::webhook::decode_admission_review(druid::fuzz::as_text(data, size));
  if (!review) {
    FUZZ_CHECK(!review.error().empty());
    return 0;
  }
  const auto decision = druid::webhook::Decision::allow("fuzz");
  const nlohmann::json response =
      druid::webhook::encode_admission_review(review->api_version, review->request.uid, decision);
  FUZZ_CHECK(response.at("apiVersion") == review->api_version);
  FUZZ_CHECK(response.at("response").at("uid") == review->request.uid);
  // The server sends response.dump() (operator/webhook_server.cpp), which throws on
  // invalid UTF-8: the uid echoed must be text the request carried validly.
  (void)response.dump();
  return 0;
}
