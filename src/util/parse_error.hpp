#pragma once
// The error of every value parser in this layer (quantities, durations, times,
// selectors, cron schedules): what was given and why it was refused.

#include <string>

namespace druid::util {

struct ParseError {
  std::string input;   // the text that was refused, verbatim
  std::string reason;  // why, in words a user can act on

  // "<reason>" with the input quoted, e.g. `invalid duration "5x": unknown unit "x"`.
  std::string message() const { return reason; }
  friend bool operator==(const ParseError&, const ParseError&) = default;
};

}  // namespace druid::util
