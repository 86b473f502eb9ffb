#pragma once
// `kubectl druid component-protection add|remove` (upstream's
// druidctl/cmd/resourceprotection): the annotation
// druid.gardener.cloud/disable-etcd-component-protection="" switches the webhook's protection
// of an Etcd's components off; removing it switches it back on.

#include <string>
#include <vector>

#include "druidctl/command_context.hpp"

namespace druid::druidctl {

// Removes the annotation (Etcds without it are left alone).
CommandResult run_protection_add(const CommandContext& ctx, const std::vector<std::string>& args);
// Sets the annotation to "".
CommandResult run_protection_remove(const CommandContext& ctx,
                                    const std::vector<std::string>& args);

}  // namespace druid::druidctl
