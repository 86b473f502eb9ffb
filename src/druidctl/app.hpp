#pragma once
// The kubectl-druid (druidctl) command line: the command tree of upstream's druidctl/cmd, its
// global flags, the banner and the exit code. `main()` calls only this.

#include <iosfwd>

namespace druid::druidctl {

// 0 on success (and for help, and when the user declined a -A prompt), 1 on any error, which
// is printed to `err` as "Error: <message>".
int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace druid::druidctl
