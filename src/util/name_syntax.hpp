#pragma once
// The syntax Kubernetes requires of names, label keys and label values
// (k8s.io/apimachinery/pkg/util/validation), with the API server's messages.
// Label selectors and object validation both check with these, so a selector
// and an object never disagree about what a valid key is.

#include <string>
#include <string_view>
#include <vector>

namespace druid::util {

// An RFC 1123 label: lower-case alphanumerics and '-', alphanumeric at both ends.
bool matches_dns1123_label(std::string_view text);

// Kubernetes' IsDNS1123Subdomain: the reasons `value` is not one (empty if it is).
std::vector<std::string> dns1123_subdomain_errors(std::string_view value);

// validation.IsQualifiedName (label and annotation keys, finalizers): an
// optional DNS-1123 subdomain prefix and '/', then a name of at most 63
// characters. Returns why `value` is not one; empty when it is.
std::vector<std::string> qualified_name_errors(std::string_view value);

// validation.IsValidLabelValue: empty, or at most 63 characters of the
// qualified-name alphabet. Returns why `value` is not one; empty when it is.
std::vector<std::string> label_value_errors(std::string_view value);

}  // namespace druid::util
