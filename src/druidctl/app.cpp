#include "druidctl/app.hpp"

#include <CLI/CLI.hpp>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "api/duration.hpp"
#include "druidctl/command_context.hpp"
#include "druidctl/component_protection.hpp"
#include "druidctl/list_resources.hpp"
#include "druidctl/options.hpp"
#include "druidctl/reconciliation.hpp"
#include "druidctl/snapshot.hpp"
#include "druidctl/status.hpp"
#include "druidctl/version.hpp"

namespace druid::druidctl {
namespace {

constexpr const char* kResourcesHelp =
    "Etcds as <name> (namespace from -n, else default) or <namespace>/<name>; none: every Etcd "
    "of the namespace (-l filters), -A: of every namespace";

void add_global_flags(CLI::App& app, GlobalOptions& g) {
  auto& c = g.connection;
  app.add_option("--kubeconfig", c.kubeconfig,
                 "Path to the kubeconfig file to use for CLI requests.");
  app.add_option("--context", c.context, "The name of the kubeconfig context to use");
  app.add_option("-n,--namespace", c.namespace_,
                 "If present, the namespace scope for this CLI request");
  app.add_option("-s,--server", c.server, "The address and port of the Kubernetes API server");
  app.add_option("--token", c.token, "Bearer token for authentication to the API server");
  app.add_option("--certificate-authority", c.certificate_authority,
                 "Path to a cert file for the certificate authority");
  app.add_flag("--insecure-skip-tls-verify", c.insecure_skip_tls_verify,
               "If true, the server's certificate will not be checked for validity. This will "
               "make your HTTPS connections insecure");
  app.add_option("--request-timeout", c.request_timeout,
                 "The length of time to wait before giving up on a single server request. "
                 "Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A "
                 "value of zero means don't timeout requests.");
  app.add_flag("-v,--verbose", g.verbose, "Enable verbose output");
  app.add_flag("-A,--all-namespaces", g.all_namespaces,
               "If present, list the requested object(s) across all namespaces");
  app.add_flag("--no-banner", g.no_banner, "Disable the CLI banner");
  app.add_option("-l,--selector", g.selector,
                 "Selector (label query) to filter Etcds on, supports '=', '==', '!=', 'in', "
                 "'notin'");
}

CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* sub = parent.add_subcommand(name, description);
  sub->fallthrough();  // the global flags may follow the command, as with cobra
  return sub;
}

// A Go duration flag value, with cobra's message when it is not one.
util::Expected<std::chrono::nanoseconds, std::string> duration_flag(const std::string& text,
                                                                    const std::string& flag) {
  auto parsed = api::parse_duration(text);
  if (!parsed) {
    return util::unexpected("invalid argument \"" + text + "\" for \"" + flag +
                            "\" flag: " + parsed.error().message());
  }
  return parsed->value;
}

// --no-banner is looked for in the raw arguments: a help request ends parsing early.
bool banner_disabled(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "--no-banner" || arg == "--no-banner=true") return true;
  }
  return false;
}

}  // namespace

int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err) {
  GlobalOptions global;
  CLI::App app{
      "CLI for etcd-druid operator\n\nThis is a command line interface for Druid. It allows you "
      "to interact with Druid using various commands and flags.\nUsage: kubectl druid [command] "
      "[resource] [flags]",
      "kubectl druid"};
  app.fallthrough();
  add_global_flags(app, global);
  bool print_version = false;
  app.add_flag("--version", print_version, "version for kubectl druid");

  // version
  CLI::App* version = add_command(app, "version", "Print version information");
  std::string version_output;
  bool version_short = false;
  version->add_option("-o,--output", version_output, "Output format. One of: json|yaml");
  version->add_flag("--short", version_short, "Print just the version number");

  // reconciliation trigger|suspend|resume
  CLI::App* reconciliation =
      add_command(app, "reconciliation", "Trigger, suspend or resume the reconciliation of Etcds");
  CLI::App* trigger = add_command(*reconciliation, "trigger",
                                  "Trigger the reconciliation of Etcds (annotation "
                                  "druid.gardener.cloud/operation=reconcile)");
  std::vector<std::string> trigger_args;
  trigger->add_option("resources", trigger_args, kResourcesHelp);
  TriggerOptions trigger_options;
  trigger->add_flag("-w,--wait-till-ready", trigger_options.wait_till_ready,
                    "Wait until all members are updated and ready");
  trigger->add_flag("-W,--watch", trigger_options.watch,
                    "Wait until all members are updated and ready, without a timeout");
  std::string timeout_text = "5m";
  CLI::Option* timeout_option =
      trigger->add_option("-t,--timeout", timeout_text, "How long -w waits")->capture_default_str();
  std::string poll_text = "10s";
  // Hidden (empty group): tests shorten upstream's fixed 10 s period through the environment.
  trigger
      ->add_option("--poll-interval", poll_text,
                   "How often waiting re-reads the Etcds and prints the status table")
      ->envname("DRUIDCTL_POLL_INTERVAL")
      ->group("");
  CLI::App* suspend = add_command(*reconciliation, "suspend",
                                  "Suspend the spec reconciliation of Etcds (annotation "
                                  "druid.gardener.cloud/suspend-etcd-spec-reconcile)");
  std::vector<std::string> suspend_args;
  suspend->add_option("resources", suspend_args, kResourcesHelp);
  CLI::App* resume =
      add_command(*reconciliation, "resume", "Resume the spec reconciliation of Etcds");
  std::vector<std::string> resume_args;
  resume->add_option("resources", resume_args, kResourcesHelp);

  // component-protection add|remove
  CLI::App* protection = add_command(app, "component-protection",
                                     "Add or remove the protection of Etcds' managed components");
  CLI::App* protection_add = add_command(*protection, "add",
                                         "Protect the components again (removes annotation "
                                         "druid.gardener.cloud/disable-etcd-component-protection)");
  std::vector<std::string> add_args;
  protection_add->add_option("resources", add_args, kResourcesHelp);
  CLI::App* protection_remove =
      add_command(*protection, "remove",
                  "Remove the protection of the components (annotation "
                  "druid.gardener.cloud/disable-etcd-component-protection=\"\")");
  std::vector<std::string> remove_args;
  protection_remove->add_option("resources", remove_args, kResourcesHelp);

  // list-resources
  CLI::App* list = add_command(app, "list-resources",
                               "List the resources managed for Etcds (label "
                               "app.kubernetes.io/part-of=<etcd>)");
  std::vector<std::string> list_args;
  list->add_option("resources", list_args, kResourcesHelp);
  ListResourcesOptions list_options;
  list->add_option("-f,--filter", list_options.filter,
                   "Comma-separated resource types (short names allowed); all = " +
                       std::string("pods,statefulsets,services,configmaps,secrets,"
                                   "persistentvolumeclaims,leases,poddisruptionbudgets,roles,"
                                   "rolebindings,serviceaccounts"))
      ->capture_default_str();
  list->add_option("-o,--output", list_options.output, "Output format. One of: json|json-raw|yaml");

  // status (ours)
  CLI::App* status =
      add_command(app, "status",
                  "Show members, conditions, last operation and errors, backups and pods of Etcds");
  std::vector<std::string> status_args;
  status->add_option("resources", status_args, kResourcesHelp);
  StatusOptions status_options;
  status->add_option("-o,--output", status_options.output, "Output format. One of: json|yaml");

  // snapshot (ours)
  CLI::App* snapshot =
      add_command(app, "snapshot", "Take an on-demand snapshot of Etcds through an EtcdOpsTask");
  std::vector<std::string> snapshot_args;
  snapshot->add_option("resources", snapshot_args, kResourcesHelp);
  SnapshotOptions snapshot_options;
  snapshot->add_flag("--full", snapshot_options.full, "A full snapshot (the default)");
  snapshot->add_flag("--delta", snapshot_options.delta, "A delta snapshot");
  snapshot->add_flag("-w,--wait", snapshot_options.wait,
                     "Follow the EtcdOpsTask until it succeeds, fails or is rejected");
  std::string snapshot_timeout_text = "20m";
  CLI::Option* snapshot_timeout_option =
      snapshot->add_option("-t,--timeout", snapshot_timeout_text, "How long --wait waits")
          ->capture_default_str();
  std::string snapshot_poll_text = "2s";
  snapshot->add_option("--poll-interval", snapshot_poll_text, "How often --wait re-reads the task")
      ->envname("DRUIDCTL_POLL_INTERVAL")
      ->group("");

  CLI::App* help = add_command(app, "help", "Help about any command");
  help->allow_extras();

  const bool no_banner = banner_disabled(argc, argv);
  const VersionInfo info = version_info();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (!no_banner) out << banner_text(info);
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    if (!no_banner) out << banner_text(info);
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "Error: " << e.what() << "\n";
    return 1;
  }

  auto fail = [&](const std::string& message) {
    err << "Error: " << message << "\n";
    return 1;
  };
  auto finish = [&](const CommandResult& result) { return result ? 0 : fail(result.error()); };

  std::shared_ptr<kube::Client> client;
  CommandContext ctx{global, in, out, err,
                     [&]() -> util::Expected<std::shared_ptr<kube::Client>, std::string> {
                       if (client) return client;
                       auto config = build_rest_config(global.connection);
                       if (!config) return util::unexpected(config.error());
                       client = std::make_shared<kube::Client>(std::move(*config));
                       return client;
                     }};

  if (version->parsed()) {
    auto text = render_version(info, version_output, version_short);
    if (!text) return fail(text.error());
    out << *text << std::flush;
    return 0;
  }
  if (trigger->parsed()) {
    // Without names and without -A there is nothing to trigger: show how to use it.
    if (trigger_args.empty() && !global.all_namespaces) {
      out << trigger->help("kubectl druid reconciliation");
      return 0;
    }
    auto timeout = duration_flag(timeout_text, "-t, --timeout");
    if (!timeout) return fail(timeout.error());
    trigger_options.timeout = *timeout;
    trigger_options.timeout_given = timeout_option->count() > 0;
    auto poll = duration_flag(poll_text, "--poll-interval");
    if (!poll) return fail(poll.error());
    if (poll->count() <= 0) return fail("--poll-interval must be positive");
    trigger_options.poll_interval = *poll;
    return finish(run_trigger(ctx, trigger_args, trigger_options));
  }
  if (suspend->parsed()) return finish(run_suspend(ctx, suspend_args));
  if (resume->parsed()) return finish(run_resume(ctx, resume_args));
  if (protection_add->parsed()) return finish(run_protection_add(ctx, add_args));
  if (protection_remove->parsed()) return finish(run_protection_remove(ctx, remove_args));
  if (list->parsed()) return finish(run_list_resources(ctx, list_args, list_options));
  if (status->parsed()) return finish(run_status(ctx, status_args, status_options));
  if (snapshot->parsed()) {
    // Without names and without -A there is nothing to snapshot: show how to use it.
    if (snapshot_args.empty() && !global.all_namespaces) {
      out << snapshot->help("kubectl druid");
      return 0;
    }
    auto timeout = duration_flag(snapshot_timeout_text, "-t, --timeout");
    if (!timeout) return fail(timeout.error());
    snapshot_options.timeout = *timeout;
    snapshot_options.timeout_given = snapshot_timeout_option->count() > 0;
    auto poll = duration_flag(snapshot_poll_text, "--poll-interval");
    if (!poll) return fail(poll.error());
    if (poll->count() <= 0) return fail("--poll-interval must be positive");
    snapshot_options.poll_interval = *poll;
    return finish(run_snapshot(ctx, snapshot_args, snapshot_options));
  }
  if (reconciliation->parsed()) {
    out << reconciliation->help("kubectl druid");
    return 0;
  }
  if (protection->parsed()) {
    out << protection->help("kubectl druid");
    return 0;
  }
  if (print_version && !help->parsed()) {
    out << info.git_version << "\n";
    return 0;
  }
  // The root alone, or `help`: the banner and the help.
  if (!global.no_banner) out << banner_text(info);
  if (global.verbose) out << "Verbose mode enabled\n";
  out << app.help();
  return 0;
}

}  // namespace druid::druidctl
