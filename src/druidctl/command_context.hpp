#pragma once
// What every command gets: the global flags, the three streams, and the client, made only when
// a command needs the server (`version` never does).

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "druidctl/options.hpp"
#include "kube/client.hpp"
#include "util/expected.hpp"

namespace druid::druidctl {

struct CommandContext {
  const GlobalOptions& global;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  std::function<util::Expected<std::shared_ptr<kube::Client>, std::string>()> client;
};

// A command's outcome: nothing, or the message printed after "Error: ".
using CommandResult = util::Expected<void, std::string>;

}  // namespace druid::druidctl
