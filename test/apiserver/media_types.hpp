#pragma once
// Media types in request headers. The server reads JSON, YAML and (for some
// built-in kinds) protobuf bodies but writes JSON only.

#include <string_view>

namespace druid::testing {

// The media type of a Content-Type header without its parameters.
std::string_view media_type_of(std::string_view content_type);

bool is_protobuf(std::string_view content_type);

// Whether an Accept header admits a JSON answer: empty, or listing
// application/json (with any parameters), application/* or */*.
bool accepts_json(std::string_view accept);

}  // namespace druid::testing
