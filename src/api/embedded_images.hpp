#pragma once
// The text of config/images.yaml, compiled into the operator by CMake
// (src/api/embedded_images.cpp.in), so druid needs no image file at run time.

#include <string_view>

namespace druid::api {

std::string_view embedded_images_yaml();

}  // namespace druid::api
