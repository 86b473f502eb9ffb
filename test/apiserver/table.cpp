#include "apiserver/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "api/duration.hpp"
#include "apiserver/jsonpath.hpp"

namespace druid::testing {

using nlohmann::json;

namespace {

// metav1.ObjectMeta{}.SwaggerDoc()["name"] and ["creationTimestamp"].
constexpr std::string_view kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr std::string_view kCreationTimestampDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
    "system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
constexpr std::string_view kContainersDescription = "Names of each container in the template.";
constexpr std::string_view kImagesDescription =
    "Images referenced by each container in the template.";

json column(std::string_view name, std::string_view type, std::string_view description,
            int priority = 0, std::string_view format = "") {
  return {{"name", name},
          {"type", type},
          {"format", format},
          {"description", description},
          {"priority", priority}};
}

json name_column() {
  return column("Name", "string", kNameDescription, 0, "name");
}
json age_column() {
  return column("Age", "string", kCreationTimestampDescription);
}

// ---------------------------------------------------------------------------
// Reading objects

const json& at(const json& object, std::initializer_list<std::string_view> path) {
  static const json kNull;
  const json* current = &object;
  for (std::string_view key : path) {
    if (!current->is_object()) return kNull;
    auto it = current->find(key);
    if (it == current->end()) return kNull;
    current = &*it;
  }
  return *current;
}

std::string text(const json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

long long integer(const json& value, long long fallback = 0) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_number_float()) return static_cast<long long>(value.get<double>());
  return fallback;
}

std::size_t count(const json& value) {
  return value.is_object() || value.is_array() ? value.size() : 0;
}

const json& items_of(const json& value) {
  static const json kEmpty = json::array();
  return value.is_array() ? value : kEmpty;
}

std::optional<util::Time> timestamp(const json& value) {
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) return std::nullopt;
  auto parsed = util::parse_rfc3339(value.get<std::string>());
  if (!parsed) return std::nullopt;
  return *parsed;
}

// translateTimestampSince.
std::string since(const json& value, util::Time now) {
  auto time = timestamp(value);
  if (!time) return "<unknown>";
  return api::human_duration(now - *time);
}

std::string age(const json& object, util::Time now) {
  return since(at(object, {"metadata", "creationTimestamp"}), now);
}

// labels.FormatLabels: "a=b,c=d" sorted, "<none>" when empty.
std::string format_labels(const json& labels) {
  std::string out;
  if (labels.is_object()) {
    for (const auto& [key, value] : labels.items()) {
      if (!out.empty()) out += ',';
      out += key + "=" + text(value);
    }
  }
  return out.empty() ? "<none>" : out;
}

// metav1.LabelSelectorAsSelector(...).String(); nullopt for an invalid operator.
// A null selector selects nothing and an empty one everything: both print "".
std::optional<std::string> selector_string(const json& selector) {
  if (!selector.is_object()) return std::string();
  std::vector<std::pair<std::string, std::string>> requirements;  // key, text
  for (const auto& [key, value] : at(selector, {"matchLabels"}).items()) {
    requirements.emplace_back(key, key + "=" + text(value));
  }
  for (const json& expression : items_of(at(selector, {"matchExpressions"}))) {
    std::string key = text(at(expression, {"key"}));
    std::string op = text(at(expression, {"operator"}));
    std::vector<std::string> values;
    for (const json& value : items_of(at(expression, {"values"}))) values.push_back(text(value));
    std::sort(values.begin(), values.end());
    std::string joined;
    for (const std::string& value : values) joined += (joined.empty() ? "" : ",") + value;
    if (op == "In") {
      requirements.emplace_back(key, key + " in (" + joined + ")");
    } else if (op == "NotIn") {
      requirements.emplace_back(key, key + " notin (" + joined + ")");
    } else if (op == "Exists") {
      requirements.emplace_back(key, key);
    } else if (op == "DoesNotExist") {
      requirements.emplace_back(key, "!" + key);
    } else {
      return std::nullopt;
    }
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& left, const auto& right) { return left.first < right.first; });
  std::string out;
  for (const auto& [key, requirement] : requirements) out += (out.empty() ? "" : ",") + requirement;
  return out;
}

// metav1.FormatLabelSelector.
std::string format_label_selector(const json& selector) {
  auto formatted = selector_string(selector);
  if (!formatted) return "<error>";
  return formatted->empty() ? "<none>" : *formatted;
}

// layoutContainerCells: names and images, comma separated.
std::pair<std::string, std::string> container_cells(const json& containers) {
  std::string names;
  std::string images;
  bool first = true;
  for (const json& container : items_of(containers)) {
    if (!first) {
      names += ',';
      images += ',';
    }
    first = false;
    names += text(at(container, {"name"}));
    images += text(at(container, {"image"}));
  }
  return {names, images};
}

// IntOrString.String().
std::string int_or_string(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return std::to_string(integer(value));
}

// Defaults the API server applies before printing (the printers read the
// internal, defaulted objects).
long long replicas(const json& object) {
  return integer(at(object, {"spec", "replicas"}), 1);
}

// ---------------------------------------------------------------------------
// Printers of the built-in types (pkg/printers/internalversion/printers.go)

using Cells = std::vector<json>;
struct Row {
  Cells cells;
  json conditions;  // metav1.TableRowCondition list, or null
};
using RowFunction = std::function<Row(const json& object, util::Time now)>;

struct Printer {
  std::vector<json> columns;
  RowFunction row;
};

bool condition_true(const json& conditions, std::string_view type) {
  for (const json& condition : items_of(conditions)) {
    if (text(at(condition, {"type"})) == type) return text(at(condition, {"status"})) == "True";
  }
  return false;
}

void latest(std::optional<util::Time>& current, const json& value) {
  auto time = timestamp(value);
  if (time && (!current || *current < *time)) current = time;
}

Row pod_row(const json& pod, util::Time now) {
  Row row;
  const json& spec = at(pod, {"spec"});
  const json& status = at(pod, {"status"});
  long long restarts = 0;
  long long restartable_init_restarts = 0;
  long long total = static_cast<long long>(count(at(spec, {"containers"})));
  long long ready = 0;
  std::optional<util::Time> last_restart;
  std::optional<util::Time> last_restartable_init_restart;

  const std::string phase = text(at(status, {"phase"}));
  std::string reason = phase;
  if (!text(at(status, {"reason"})).empty()) reason = text(at(status, {"reason"}));
  for (const json& condition : items_of(at(status, {"conditions"}))) {
    if (text(at(condition, {"type"})) == "PodScheduled" &&
        text(at(condition, {"reason"})) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }
  if (phase == "Succeeded" || phase == "Failed") {
    row.conditions =
        json::array({{{"type", "Completed"},
                      {"status", "True"},
                      {"reason", phase},
                      {"message", phase == "Succeeded" ? "The pod has completed successfully."
                                                       : "The pod failed."}}});
  }

  std::set<std::string> restartable_init;
  for (const json& container : items_of(at(spec, {"initContainers"}))) {
    if (text(at(container, {"restartPolicy"})) == "Always") {
      restartable_init.insert(text(at(container, {"name"})));
      ++total;
    }
  }

  bool initializing = false;
  const json& init_statuses = items_of(at(status, {"initContainerStatuses"}));
  const std::size_t init_count = count(at(spec, {"initContainers"}));
  for (std::size_t i = 0; i < init_statuses.size(); ++i) {
    const json& container = init_statuses[i];
    const bool restartable = restartable_init.contains(text(at(container, {"name"})));
    restarts += integer(at(container, {"restartCount"}));
    latest(last_restart, at(container, {"lastState", "terminated", "finishedAt"}));
    if (restartable) {
      restartable_init_restarts += integer(at(container, {"restartCount"}));
      latest(last_restartable_init_restart,
             at(container, {"lastState", "terminated", "finishedAt"}));
    }
    const json& terminated = at(container, {"state", "terminated"});
    const json& waiting = at(container, {"state", "waiting"});
    if (terminated.is_object() && integer(at(terminated, {"exitCode"})) == 0) continue;
    if (restartable && at(container, {"started"}) == true) {
      if (at(container, {"ready"}) == true) ++ready;
      continue;
    }
    if (terminated.is_object()) {
      std::string terminated_reason = text(at(terminated, {"reason"}));
      if (terminated_reason.empty()) {
        long long signal = integer(at(terminated, {"signal"}));
        reason = signal != 0
                     ? fmt::format("Init:Signal:{}", signal)
                     : fmt::format("Init:ExitCode:{}", integer(at(terminated, {"exitCode"})));
      } else {
        reason = "Init:" + terminated_reason;
      }
    } else if (waiting.is_object() && !text(at(waiting, {"reason"})).empty() &&
               text(at(waiting, {"reason"})) != "PodInitializing") {
      reason = "Init:" + text(at(waiting, {"reason"}));
    } else {
      reason = fmt::format("Init:{}/{}", i, init_count);
    }
    initializing = true;
    break;
  }

  if (!initializing || condition_true(at(status, {"conditions"}), "Initialized")) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const json& statuses = items_of(at(status, {"containerStatuses"}));
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const json& container = *it;
      restarts += integer(at(container, {"restartCount"}));
      latest(last_restart, at(container, {"lastState", "terminated", "finishedAt"}));
      const json& terminated = at(container, {"state", "terminated"});
      const json& waiting = at(container, {"state", "waiting"});
      if (waiting.is_object() && !text(at(waiting, {"reason"})).empty()) {
        reason = text(at(waiting, {"reason"}));
      } else if (terminated.is_object() && !text(at(terminated, {"reason"})).empty()) {
        reason = text(at(terminated, {"reason"}));
      } else if (terminated.is_object()) {
        long long signal = integer(at(terminated, {"signal"}));
        reason = signal != 0 ? fmt::format("Signal:{}", signal)
                             : fmt::format("ExitCode:{}", integer(at(terminated, {"exitCode"})));
      } else if (at(container, {"ready"}) == true &&
                 at(container, {"state", "running"}).is_object()) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) {
      reason = condition_true(at(status, {"conditions"}), "Ready") ? "Running" : "NotReady";
    }
  }

  const bool deleting = !at(pod, {"metadata", "deletionTimestamp"}).is_null();
  if (deleting && text(at(status, {"reason"})) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restarts_text = std::to_string(restarts);
  if (restarts != 0 && last_restart) {
    restarts_text = fmt::format("{} ({} ago)", restarts, api::human_duration(now - *last_restart));
  }

  const json& pod_ips = items_of(at(status, {"podIPs"}));
  std::string ip = pod_ips.empty() ? std::string() : text(at(pod_ips[0], {"ip"}));
  std::string node = text(at(spec, {"nodeName"}));
  std::string nominated = text(at(status, {"nominatedNodeName"}));
  std::string gates = "<none>";
  const json& readiness_gates = items_of(at(spec, {"readinessGates"}));
  if (!readiness_gates.empty()) {
    int true_conditions = 0;
    for (const json& gate : readiness_gates) {
      for (const json& condition : items_of(at(status, {"conditions"}))) {
        if (at(condition, {"type"}) == at(gate, {"conditionType"})) {
          if (text(at(condition, {"status"})) == "True") ++true_conditions;
          break;
        }
      }
    }
    gates = fmt::format("{}/{}", true_conditions, readiness_gates.size());
  }
  row.cells = {text(at(pod, {"metadata", "name"})),
               fmt::format("{}/{}", ready, total),
               reason,
               restarts_text,
               age(pod, now),
               ip.empty() ? "<none>" : ip,
               node.empty() ? "<none>" : node,
               nominated.empty() ? "<none>" : nominated,
               gates};
  return row;
}

std::string name_of(const json& object) {
  return text(at(object, {"metadata", "name"}));
}

// loadBalancerStatusStringer (wide: not truncated).
std::string load_balancer_ips(const json& status) {
  std::set<std::string> addresses;
  for (const json& ingress : items_of(at(status, {"loadBalancer", "ingress"}))) {
    if (!text(at(ingress, {"ip"})).empty()) {
      addresses.insert(text(at(ingress, {"ip"})));
    } else if (!text(at(ingress, {"hostname"})).empty()) {
      addresses.insert(text(at(ingress, {"hostname"})));
    }
  }
  std::string out;
  for (const std::string& address : addresses) out += (out.empty() ? "" : ",") + address;
  return out;
}

std::string join(const json& values, std::string_view separator) {
  std::string out;
  for (const json& value : items_of(values)) {
    if (!out.empty()) out += separator;
    out += text(value);
  }
  return out;
}

std::string service_external_ip(const json& service) {
  const json& spec = at(service, {"spec"});
  std::string type = text(at(spec, {"type"}));
  if (type.empty()) type = "ClusterIP";
  const std::string external = join(at(spec, {"externalIPs"}), ",");
  if (type == "ClusterIP" || type == "NodePort") return external.empty() ? "<none>" : external;
  if (type == "LoadBalancer") {
    std::string lb = load_balancer_ips(at(service, {"status"}));
    if (!external.empty()) return lb.empty() ? external : lb + "," + external;
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return text(at(spec, {"externalName"}));
  return "<unknown>";
}

Row service_row(const json& service, util::Time now) {
  const json& spec = at(service, {"spec"});
  std::string type = text(at(spec, {"type"}));
  if (type.empty()) type = "ClusterIP";
  std::string cluster_ip = "<none>";
  if (!items_of(at(spec, {"clusterIPs"})).empty()) {
    cluster_ip = text(at(spec, {"clusterIPs"})[0]);
  } else if (!text(at(spec, {"clusterIP"})).empty()) {
    cluster_ip = text(at(spec, {"clusterIP"}));
  }
  std::string ports;
  for (const json& port : items_of(at(spec, {"ports"}))) {
    std::string protocol = text(at(port, {"protocol"}));
    if (protocol.empty()) protocol = "TCP";
    long long node_port = integer(at(port, {"nodePort"}));
    if (!ports.empty()) ports += ',';
    ports += node_port > 0
                 ? fmt::format("{}:{}/{}", integer(at(port, {"port"})), node_port, protocol)
                 : fmt::format("{}/{}", integer(at(port, {"port"})), protocol);
  }
  return {
      {name_of(service), type, cluster_ip, service_external_ip(service),
       ports.empty() ? "<none>" : ports, age(service, now), format_labels(at(spec, {"selector"}))},
      nullptr};
}

// formatEndpoints.
std::string endpoints_text(const json& endpoints) {
  const json& subsets = items_of(at(endpoints, {"subsets"}));
  if (subsets.empty()) return "<none>";
  std::vector<std::string> list;
  const std::size_t max = 3;
  bool more = false;
  std::size_t total = 0;
  for (const json& subset : subsets) {
    const json& addresses = items_of(at(subset, {"addresses"}));
    const json& ports = items_of(at(subset, {"ports"}));
    if (ports.empty()) {
      total += addresses.size();
      for (const json& address : addresses) {
        if (list.size() == max) {
          more = true;
          break;
        }
        list.push_back(text(at(address, {"ip"})));
      }
      continue;
    }
    for (const json& port : ports) {
      total += addresses.size();
      for (const json& address : addresses) {
        if (list.size() == max) {
          more = true;
          break;
        }
        std::string ip = text(at(address, {"ip"}));
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
        list.push_back(fmt::format("{}:{}", ip, integer(at(port, {"port"}))));
      }
    }
  }
  std::string out;
  for (const std::string& entry : list) out += (out.empty() ? "" : ",") + entry;
  if (more) return fmt::format("{} + {} more...", out, total - max);
  return out;
}

// helper.GetAccessModesAsString.
std::string access_modes(const json& modes) {
  auto has = [&](std::string_view mode) {
    const json& list = items_of(modes);
    return std::any_of(list.begin(), list.end(), [&](const json& value) { return value == mode; });
  };
  std::string out;
  for (auto [mode, abbreviation] :
       {std::pair{"ReadWriteOnce", "RWO"}, std::pair{"ReadOnlyMany", "ROX"},
        std::pair{"ReadWriteMany", "RWX"}, std::pair{"ReadWriteOncePod", "RWOP"}}) {
    if (has(mode)) out += std::string(out.empty() ? "" : ",") + abbreviation;
  }
  return out;
}

Row pvc_row(const json& claim, util::Time now) {
  const json& spec = at(claim, {"spec"});
  std::string phase = text(at(claim, {"status", "phase"}));
  if (!at(claim, {"metadata", "deletionTimestamp"}).is_null()) phase = "Terminating";
  std::string capacity;
  std::string modes;
  const std::string volume = text(at(spec, {"volumeName"}));
  if (!volume.empty()) {
    modes = access_modes(at(claim, {"status", "accessModes"}));
    const json& storage = at(claim, {"status", "capacity", "storage"});
    capacity = storage.is_string() ? storage.get<std::string>() : "0";
  }
  const json& annotations = at(claim, {"metadata", "annotations"});
  std::string storage_class = text(at(spec, {"storageClassName"}));
  if (annotations.is_object() && annotations.contains("volume.beta.kubernetes.io/storage-class")) {
    storage_class = text(annotations["volume.beta.kubernetes.io/storage-class"]);
  }
  std::string attributes_class = text(at(spec, {"volumeAttributesClassName"}));
  std::string volume_mode = text(at(spec, {"volumeMode"}));
  return {{name_of(claim), phase, volume, capacity, modes, storage_class,
           at(spec, {"volumeAttributesClassName"}).is_string() ? attributes_class : "<unset>",
           age(claim, now), volume_mode.empty() ? "Filesystem" : volume_mode},
          nullptr};
}

std::vector<json> workload_wide(const json& pod_spec, const json* selector) {
  auto [names, images] = container_cells(at(pod_spec, {"containers"}));
  std::vector<json> cells{names, images};
  if (selector != nullptr) cells.push_back(format_label_selector(*selector));
  return cells;
}

Row with_wide(Cells cells, const std::vector<json>& wide) {
  cells.insert(cells.end(), wide.begin(), wide.end());
  return {std::move(cells), nullptr};
}

Row job_row(const json& job, util::Time now) {
  const json& spec = at(job, {"spec"});
  const json& status = at(job, {"status"});
  const long long succeeded = integer(at(status, {"succeeded"}));
  std::string completions;
  if (at(spec, {"completions"}).is_number()) {
    completions = fmt::format("{}/{}", succeeded, integer(at(spec, {"completions"})));
  } else {
    long long parallelism = integer(at(spec, {"parallelism"}));
    completions = parallelism > 1 ? fmt::format("{}/1 of {}", succeeded, parallelism)
                                  : fmt::format("{}/1", succeeded);
  }
  std::string duration;
  auto start = timestamp(at(status, {"startTime"}));
  auto completion = timestamp(at(status, {"completionTime"}));
  if (start) duration = api::human_duration((completion ? *completion : now) - *start);
  const json& conditions = at(status, {"conditions"});
  std::string state = "Running";
  if (condition_true(conditions, "Complete")) {
    state = "Complete";
  } else if (condition_true(conditions, "Failed")) {
    state = "Failed";
  } else if (!at(job, {"metadata", "deletionTimestamp"}).is_null()) {
    state = "Terminating";
  } else if (condition_true(conditions, "Suspended")) {
    state = "Suspended";
  } else if (condition_true(conditions, "FailureTarget")) {
    state = "FailureTarget";
  }
  const json& pod_spec = at(spec, {"template", "spec"});
  return with_wide({name_of(job), state, completions, duration, age(job, now)},
                   workload_wide(pod_spec, &at(spec, {"selector"})));
}

Row cron_job_row(const json& cron_job, util::Time now) {
  const json& spec = at(cron_job, {"spec"});
  const json& last = at(cron_job, {"status", "lastScheduleTime"});
  std::string time_zone =
      at(spec, {"timeZone"}).is_string() ? text(at(spec, {"timeZone"})) : "<none>";
  std::string suspend = at(spec, {"suspend"}) == true ? "True" : "False";  // defaulted to false
  const json& job_spec = at(spec, {"jobTemplate", "spec"});
  return with_wide({name_of(cron_job), text(at(spec, {"schedule"})), time_zone, suspend,
                    static_cast<long long>(count(at(cron_job, {"status", "active"}))),
                    last.is_null() ? std::string("<none>") : since(last, now), age(cron_job, now)},
                   workload_wide(at(job_spec, {"template", "spec"}), &at(job_spec, {"selector"})));
}

std::string first_non_empty(const std::string& first, const std::string& second) {
  return first.empty() ? second : first;
}

// printEvent for core/v1 Events; events.k8s.io/v1 fields are read under their
// names there (note, regarding, deprecated*), as the conversion to the internal
// type does.
Row event_row(const json& event, util::Time now) {
  auto field = [&](std::string_view core, std::string_view events) -> const json& {
    const json& value = at(event, {core});
    return value.is_null() ? at(event, {events}) : value;
  };
  const json& first_seen = field("firstTimestamp", "deprecatedFirstTimestamp");
  const json& last_seen = field("lastTimestamp", "deprecatedLastTimestamp");
  std::string first =
      timestamp(first_seen) ? since(first_seen, now) : since(at(event, {"eventTime"}), now);
  std::string last = timestamp(last_seen) ? since(last_seen, now) : first;
  long long event_count = integer(field("count", "deprecatedCount"));
  const json& series = at(event, {"series"});
  if (series.is_object()) {
    last = since(at(series, {"lastObservedTime"}), now);
    event_count = integer(at(series, {"count"}));
  } else if (event_count == 0) {
    event_count = 1;  // singleton events have no count in the new API
  }
  const json& involved = field("involvedObject", "regarding");
  std::string kind = text(at(involved, {"kind"}));
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string target =
      text(at(involved, {"name"})).empty() ? kind : kind + "/" + text(at(involved, {"name"}));
  const json& source = field("source", "deprecatedSource");
  std::string component =
      first_non_empty(text(at(source, {"component"})), text(at(event, {"reportingController"})));
  std::string host =
      first_non_empty(text(at(source, {"host"})), text(at(event, {"reportingInstance"})));
  std::string message = text(field("message", "note"));
  auto begin = message.find_first_not_of(" \t\r\n\v\f");
  auto end = message.find_last_not_of(" \t\r\n\v\f");
  message = begin == std::string::npos ? "" : message.substr(begin, end - begin + 1);
  return {{last, text(at(event, {"type"})), text(at(event, {"reason"})), target,
           text(at(involved, {"fieldPath"})), host.empty() ? component : component + ", " + host,
           message, first, event_count, name_of(event)},
          nullptr};
}

Row binding_row(const json& binding, util::Time now) {
  std::vector<std::string> users;
  std::vector<std::string> groups;
  std::vector<std::string> accounts;
  for (const json& subject : items_of(at(binding, {"subjects"}))) {
    std::string kind = text(at(subject, {"kind"}));
    if (kind == "ServiceAccount") {
      accounts.push_back(text(at(subject, {"namespace"})) + "/" + text(at(subject, {"name"})));
    } else if (kind == "User") {
      users.push_back(text(at(subject, {"name"})));
    } else if (kind == "Group") {
      groups.push_back(text(at(subject, {"name"})));
    }
  }
  auto joined = [](const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& value : values) out += (out.empty() ? "" : ", ") + value;
    return out;
  };
  return {{name_of(binding),
           text(at(binding, {"roleRef", "kind"})) + "/" + text(at(binding, {"roleRef", "name"})),
           age(binding, now), joined(users), joined(groups), joined(accounts)},
          nullptr};
}

std::map<std::string, Printer, std::less<>> builtin_printers() {
  std::map<std::string, Printer, std::less<>> printers;
  auto containers = column("Containers", "string", kContainersDescription, 1);
  auto images = column("Images", "string", kImagesDescription, 1);
  auto selector = [](std::string_view description) {
    return column("Selector", "string", description, 1);
  };

  printers["/pods"] = {
      {name_column(),
       column("Ready", "string",
              "The aggregate readiness state of this pod for accepting traffic."),
       column("Status", "string", "The aggregate status of the containers in this pod."),
       column("Restarts", "string",
              "The number of times the containers in this pod have been restarted and when the "
              "last container "
              "in this pod has restarted."),
       age_column(), column("IP", "string", "IP address allocated to the pod.", 1),
       column("Node", "string", "The node the pod is scheduled to.", 1),
       column("Nominated Node", "string", "The node the pod is nominated to run on.", 1),
       column("Readiness Gates", "string", "The readiness gates of the pod.", 1)},
      pod_row};
  printers["policy/poddisruptionbudgets"] = {
      {name_column(),
       column("Min Available", "string", "The minimum number of pods that must be available."),
       column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
       column("Allowed Disruptions", "integer",
              "Calculated number of pods that may be disrupted at this time."),
       age_column()},
      [](const json& pdb, util::Time now) -> Row {
        const json& spec = at(pdb, {"spec"});
        return {
            {name_of(pdb),
             at(spec, {"minAvailable"}).is_null() ? "N/A"
                                                  : int_or_string(at(spec, {"minAvailable"})),
             at(spec, {"maxUnavailable"}).is_null() ? "N/A"
                                                    : int_or_string(at(spec, {"maxUnavailable"})),
             integer(at(pdb, {"status", "disruptionsAllowed"})), age(pdb, now)},
            nullptr};
      }};
  printers["/replicationcontrollers"] = {
      {name_column(), column("Desired", "integer", "Number of desired replicas."),
       column("Current", "integer", "Number of current replicas."),
       column("Ready", "integer", "Number of ready replicas."), age_column(), containers, images,
       selector("Label selector of the replication controller.")},
      [](const json& rc, util::Time now) {
        auto [names, image_list] =
            container_cells(at(rc, {"spec", "template", "spec", "containers"}));
        return with_wide({name_of(rc), replicas(rc), integer(at(rc, {"status", "replicas"})),
                          integer(at(rc, {"status", "readyReplicas"})), age(rc, now)},
                         {names, image_list, format_labels(at(rc, {"spec", "selector"}))});
      }};
  printers["apps/replicasets"] = {
      {name_column(), column("Desired", "integer", "Number of desired pods."),
       column("Current", "integer", "The most recently observed number of replicas."),
       column("Ready", "integer", "The number of ready replicas."), age_column(), containers,
       images, selector("Label selector for pods.")},
      [](const json& rs, util::Time now) {
        return with_wide(
            {name_of(rs), replicas(rs), integer(at(rs, {"status", "replicas"})),
             integer(at(rs, {"status", "readyReplicas"})), age(rs, now)},
            workload_wide(at(rs, {"spec", "template", "spec"}), &at(rs, {"spec", "selector"})));
      }};
  printers["apps/daemonsets"] = {
      {name_column(),
       column("Desired", "integer",
              "The total number of nodes that should be running the daemon pod."),
       column("Current", "integer", "The number of nodes that are running at least 1 daemon pod."),
       column("Ready", "integer",
              "The number of nodes that should be running the daemon pod and are ready."),
       column("Up-to-date", "integer",
              "The total number of nodes that are running updated daemon pod."),
       column("Available", "integer", "The number of nodes that have the daemon pod available."),
       column("Node Selector", "string", "The node selector of the daemon pods."), age_column(),
       containers, images, selector("Label selector for pods.")},
      [](const json& ds, util::Time now) {
        const json& status = at(ds, {"status"});
        return with_wide(
            {name_of(ds), integer(at(status, {"desiredNumberScheduled"})),
             integer(at(status, {"currentNumberScheduled"})), integer(at(status, {"numberReady"})),
             integer(at(status, {"updatedNumberScheduled"})),
             integer(at(status, {"numberAvailable"})),
             format_labels(at(ds, {"spec", "template", "spec", "nodeSelector"})), age(ds, now)},
            workload_wide(at(ds, {"spec", "template", "spec"}), &at(ds, {"spec", "selector"})));
      }};
  printers["batch/jobs"] = {
      {name_column(), column("Status", "string", "Status of the job."),
       column("Completions", "string", "The number of pods which reached phase Succeeded."),
       column("Duration", "string", "Time required to complete the job."), age_column(), containers,
       images, selector("A label query over pods that should match the pod count.")},
      job_row};
  printers["batch/cronjobs"] = {
      {name_column(), column("Schedule", "string", "The schedule in Cron format."),
       column("Timezone", "string", "The time zone name for the given schedule."),
       column("Suspend", "boolean", "Whether to suspend subsequent executions."),
       column("Active", "integer", "A list of pointers to currently running jobs."),
       column("Last Schedule", "string",
              "Information when was the last time the job was successfully scheduled."),
       age_column(), containers, images,
       selector("A label query over pods that should match the pod count.")},
      cron_job_row};
  printers["/services"] = {
      {name_column(), column("Type", "string", "How the Service is exposed."),
       column("Cluster-IP", "string", "The IP address of the service."),
       column("External-IP", "string", "The external IP addresses of the service."),
       column("Port(s)", "string", "The list of ports that are exposed by this service."),
       age_column(),
       selector(
           "Route service traffic to pods with label keys and values matching this selector.")},
      service_row};
  printers["apps/statefulsets"] = {
      {name_column(), column("Ready", "string", "Number of the pod with ready state"), age_column(),
       containers, images},
      [](const json& sts, util::Time now) {
        auto [names, image_list] =
            container_cells(at(sts, {"spec", "template", "spec", "containers"}));
        return Row{
            {name_of(sts),
             fmt::format("{}/{}", integer(at(sts, {"status", "readyReplicas"})), replicas(sts)),
             age(sts, now), names, image_list},
            nullptr};
      }};
  printers["/endpoints"] = {
      {name_column(),
       column("Endpoints", "string", "The set of all endpoints is the union of all subsets."),
       age_column()},
      [](const json& endpoints, util::Time now) {
        return Row{{name_of(endpoints), endpoints_text(endpoints), age(endpoints, now)}, nullptr};
      }};
  const std::vector<json> event_columns{
      column("Last Seen", "string",
             "The time at which the most recent occurrence of this event was recorded."),
      column("Type", "string",
             "Type of this event (Normal, Warning), new types could be added in the future"),
      column("Reason", "string",
             "This should be a short, machine understandable string that gives the reason for "
             "the transition into the object's current status."),
      column("Object", "string", "The object that this event is about."),
      column("Subobject", "string", "The field of the object the event is about.", 1),
      column("Source", "string", "The component reporting this event.", 1),
      column("Message", "string", "A human-readable description of the status of this operation."),
      column("First Seen", "string", "The time at which the event was first recorded.", 1),
      column("Count", "string", "The number of times this event has occurred.", 1),
      column("Name", "string", kNameDescription, 1, "name")};
  printers["/events"] = {event_columns, event_row};
  printers["events.k8s.io/events"] = {event_columns, event_row};
  printers["/namespaces"] = {
      {name_column(), column("Status", "string", "The status of the namespace"), age_column()},
      [](const json& ns, util::Time now) {
        std::string phase = text(at(ns, {"status", "phase"}));
        return Row{{name_of(ns), phase.empty() ? "Active" : phase, age(ns, now)}, nullptr};
      }};
  printers["/secrets"] = {
      {name_column(),
       column("Type", "string", "Used to facilitate programmatic handling of secret data."),
       column("Data", "string", "Data contains the secret data."), age_column()},
      [](const json& secret, util::Time now) {
        std::set<std::string> keys;
        for (const char* field : {"data", "stringData"}) {
          for (const auto& [key, value] : at(secret, {field}).items()) keys.insert(key);
        }
        std::string type = text(at(secret, {"type"}));
        return Row{{name_of(secret), type.empty() ? "Opaque" : type,
                    static_cast<long long>(keys.size()), age(secret, now)},
                   nullptr};
      }};
  printers["/serviceaccounts"] = {
      {name_column(),
       column("Secrets", "string", "Secrets is a list of the secrets in the same namespace."),
       age_column()},
      [](const json& account, util::Time now) {
        return Row{{name_of(account), static_cast<long long>(count(at(account, {"secrets"}))),
                    age(account, now)},
                   nullptr};
      }};
  printers["/persistentvolumeclaims"] = {
      {name_column(), column("Status", "string", "The current phase of PersistentVolumeClaim."),
       column("Volume", "string",
              "The binding reference to the PersistentVolume backing this claim."),
       column("Capacity", "string", "The actual resources of the underlying volume."),
       column("Access Modes", "string", "The actual access modes the volume backing the PVC has."),
       column("StorageClass", "string", "StorageClass of the pvc"),
       column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"), age_column(),
       column("VolumeMode", "string", "What type of volume is required by the claim.", 1)},
      pvc_row};
  printers["apps/deployments"] = {
      {name_column(), column("Ready", "string", "Number of the pod with ready state"),
       column("Up-to-date", "string",
              "Total number of non-terminated pods targeted by this deployment that have the "
              "desired template spec."),
       column("Available", "string",
              "Total number of available pods (ready for at least minReadySeconds) targeted "
              "by this deployment."),
       age_column(), containers, images, selector("Label selector for pods.")},
      [](const json& deployment, util::Time now) {
        const json& status = at(deployment, {"status"});
        auto [names, image_list] =
            container_cells(at(deployment, {"spec", "template", "spec", "containers"}));
        auto selector_text = selector_string(at(deployment, {"spec", "selector"}));
        return Row{
            {name_of(deployment),
             fmt::format("{}/{}", integer(at(status, {"readyReplicas"})), replicas(deployment)),
             integer(at(status, {"updatedReplicas"})), integer(at(status, {"availableReplicas"})),
             age(deployment, now), names, image_list, selector_text ? *selector_text : "<invalid>"},
            nullptr};
      }};
  printers["/configmaps"] = {
      {name_column(), column("Data", "string", "Data contains the configuration data."),
       age_column()},
      [](const json& config_map, util::Time now) {
        return Row{{name_of(config_map),
                    static_cast<long long>(count(at(config_map, {"data"})) +
                                           count(at(config_map, {"binaryData"}))),
                    age(config_map, now)},
                   nullptr};
      }};
  const std::vector<json> binding_columns{
      name_column(),
      column("Role", "string",
             "RoleRef can reference a Role in the current namespace or a ClusterRole."),
      age_column(),
      column("Users", "string", "Users in the roleBinding", 1),
      column("Groups", "string", "Groups in the roleBinding", 1),
      column("ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1)};
  printers["rbac.authorization.k8s.io/rolebindings"] = {binding_columns, binding_row};
  std::vector<json> cluster_binding_columns = binding_columns;
  cluster_binding_columns[3] = column("Users", "string", "Users in the clusterRoleBinding", 1);
  cluster_binding_columns[4] = column("Groups", "string", "Groups in the clusterRoleBinding", 1);
  cluster_binding_columns[5] =
      column("ServiceAccounts", "string", "ServiceAccounts in the clusterRoleBinding", 1);
  printers["rbac.authorization.k8s.io/clusterrolebindings"] = {cluster_binding_columns,
                                                               binding_row};
  printers["coordination.k8s.io/leases"] = {
      {name_column(),
       column("Holder", "string",
              "holderIdentity contains the identity of the holder of a current lease."),
       age_column()},
      [](const json& lease, util::Time now) {
        return Row{{name_of(lease), text(at(lease, {"spec", "holderIdentity"})), age(lease, now)},
                   nullptr};
      }};
  const std::vector<json> webhook_columns{
      name_column(),
      column("Webhooks", "integer",
             "Webhooks indicates the number of webhooks registered in this configuration"),
      age_column()};
  auto webhook_row = [](const json& configuration, util::Time now) {
    return Row{
        {name_of(configuration), static_cast<long long>(count(at(configuration, {"webhooks"}))),
         age(configuration, now)},
        nullptr};
  };
  printers["admissionregistration.k8s.io/validatingwebhookconfigurations"] = {webhook_columns,
                                                                              webhook_row};
  printers["admissionregistration.k8s.io/mutatingwebhookconfigurations"] = {webhook_columns,
                                                                            webhook_row};
  return printers;
}

const std::map<std::string, Printer, std::less<>>& printers() {
  static const auto instance = builtin_printers();  // immutable once built
  return instance;
}

// rest.NewDefaultTableConvertor: Name and Created At.
Printer default_printer() {
  return {{name_column(), column("Created At", "date", kCreationTimestampDescription)},
          [](const json& object, util::Time) {
            auto created = timestamp(at(object, {"metadata", "creationTimestamp"}));
            return Row{{name_of(object),
                        created ? util::format_rfc3339(*created) : "0001-01-01T00:00:00Z"},
                       nullptr};
          }};
}

// ---------------------------------------------------------------------------
// Custom resources (apiextensions-apiserver tableconvertor)

// cellForJSONValue.
json cell_for_json_value(const std::string& type, const json& value, util::Time now) {
  if (value.is_null()) return nullptr;
  if (type == "integer") {
    if (value.is_number_integer()) return value.get<long long>();
    if (value.is_number_float()) return static_cast<long long>(value.get<double>());
  } else if (type == "number") {
    if (value.is_number()) return value.get<double>();
  } else if (type == "boolean") {
    if (value.is_boolean()) return value;
  } else if (type == "string") {
    if (value.is_string()) return value;
  } else if (type == "date") {
    if (value.is_string()) {
      const std::string& date = value.get_ref<const std::string&>();
      if (date.empty() || date == "null") return "<unknown>";
      auto parsed = util::parse_rfc3339(date);
      if (!parsed) return "<invalid>";
      return api::human_duration(now - *parsed);
    }
  }
  return nullptr;
}

struct CustomColumn {
  std::string type;
  JsonPath path;
};

Printer custom_resource_printer(const json& printer_columns) {
  json declared = printer_columns.is_array() ? printer_columns : json::array();
  if (declared.empty()) {
    // serveDefaultColumnsIfEmpty
    declared = json::array({{{"name", "Age"},
                             {"type", "date"},
                             {"description", kCreationTimestampDescription},
                             {"jsonPath", ".metadata.creationTimestamp"}}});
  }
  std::vector<json> columns{name_column()};
  auto custom = std::make_shared<std::vector<CustomColumn>>();
  for (const json& declared_column : declared) {
    const std::string path_text = text(at(declared_column, {"jsonPath"}));
    auto path = JsonPath::parse("{" + path_text + "}");
    // An unparsable column ends the list, as the API server's fallback keeps the
    // columns converted so far.
    if (!path) break;
    std::string description = text(at(declared_column, {"description"}));
    if (description.empty())
      description = "Custom resource definition column (in JSONPath format): " + path_text;
    columns.push_back(column(text(at(declared_column, {"name"})),
                             text(at(declared_column, {"type"})), description,
                             static_cast<int>(integer(at(declared_column, {"priority"}))),
                             text(at(declared_column, {"format"}))));
    custom->push_back({text(at(declared_column, {"type"})), std::move(*path)});
  }
  return {std::move(columns), [custom](const json& object, util::Time now) {
            Cells cells{name_of(object)};
            for (const CustomColumn& column : *custom) {
              auto results = column.path.evaluate(object);
              if (!results || results->empty()) {
                cells.emplace_back(nullptr);
                continue;
              }
              // Only the first value: printer columns are simple paths.
              const json& value = results->front();
              if (column.type == "string") {
                cells.emplace_back(value.is_null() ? "<no value>" : print_jsonpath_value(value));
              } else {
                cells.push_back(cell_for_json_value(column.type, value, now));
              }
            }
            return Row{std::move(cells), nullptr};
          }};
}

Printer printer_for(const TableSource& source) {
  if (source.custom) return custom_resource_printer(source.printer_columns);
  auto it = printers().find(source.group + "/" + source.resource);
  return it == printers().end() ? default_printer() : it->second;
}

json row_object(const json& object, const TableOptions& options) {
  switch (options.include_object) {
    case IncludeObject::kNone:
      return nullptr;
    case IncludeObject::kObject:
      return object;
    case IncludeObject::kMetadata:
      break;
  }
  return partial_object_metadata(object, options.group_version);
}

json make_table(const Printer& printer, bool default_convertor, const std::vector<json>& objects,
                const json& metadata, const TableOptions& options, util::Time now) {
  json rows = default_convertor && objects.empty() ? json(nullptr) : json::array();
  for (const json& object : objects) {
    Row row = printer.row(object, now);
    json entry = {{"cells", std::move(row.cells)}, {"object", row_object(object, options)}};
    if (row.conditions.is_array() && !row.conditions.empty())
      entry["conditions"] = std::move(row.conditions);
    rows.push_back(std::move(entry));
  }
  return {{"kind", "Table"},
          {"apiVersion", options.group_version},
          {"metadata", metadata},
          {"columnDefinitions", options.no_headers ? json(nullptr) : json(printer.columns)},
          {"rows", std::move(rows)}};
}

bool is_default_convertor(const TableSource& source) {
  return !source.custom && !printers().contains(source.group + "/" + source.resource);
}

std::string trim(std::string_view value) {
  auto begin = value.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = value.find_last_not_of(" \t");
  return std::string(value.substr(begin, end - begin + 1));
}

}  // namespace

std::optional<std::string> negotiate_as(std::string_view accept, std::string_view as_kind) {
  std::size_t start = 0;
  while (start <= accept.size()) {
    std::size_t comma = accept.find(',', start);
    std::string_view clause = accept.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? accept.size() + 1 : comma + 1;

    std::map<std::string, std::string> parameters;
    std::size_t semicolon = clause.find(';');
    std::string media = trim(clause.substr(0, semicolon));
    while (semicolon != std::string_view::npos) {
      std::size_t next = clause.find(';', semicolon + 1);
      std::string parameter =
          trim(clause.substr(semicolon + 1, next == std::string_view::npos ? std::string_view::npos
                                                                           : next - semicolon - 1));
      auto equals = parameter.find('=');
      if (equals != std::string::npos)
        parameters[parameter.substr(0, equals)] = parameter.substr(equals + 1);
      semicolon = next;
    }
    const bool json_like =
        media == "application/json" || media == "application/*" || media == "*/*";
    const bool servable =
        json_like || media == "application/yaml" || media == "application/vnd.kubernetes.protobuf";
    if (!servable) continue;
    auto as = parameters.find("as");
    if (as == parameters.end()) return std::nullopt;  // a plain representation comes first
    if (as->second != as_kind || !json_like) continue;
    if (parameters["g"] != "meta.k8s.io") continue;
    if (parameters["v"] == "v1" || parameters["v"] == "v1beta1") {
      return "meta.k8s.io/" + parameters["v"];
    }
  }
  return std::nullopt;
}

std::optional<std::string> negotiate_table(std::string_view accept) {
  return negotiate_as(accept, "Table");
}

std::string table_content_type(std::string_view table_group_version) {
  std::string_view version = table_group_version.substr(table_group_version.find('/') + 1);
  return fmt::format("application/json;as=Table;v={};g=meta.k8s.io", version);
}

util::Expected<IncludeObject, std::string> parse_include_object(std::string_view value) {
  if (value.empty() || value == "Metadata") return IncludeObject::kMetadata;
  if (value == "Object") return IncludeObject::kObject;
  if (value == "None") return IncludeObject::kNone;
  return util::unexpected(fmt::format(
      "includeObject: Invalid value: \"{}\": must be 'Metadata', 'Object', 'None', or empty",
      value));
}

json build_table(const TableSource& source, const std::vector<json>& objects, const json& list_meta,
                 const TableOptions& options, util::Time now) {
  json metadata = json::object();
  for (const char* key : {"resourceVersion", "continue"}) {
    const json& value = at(list_meta, {key});
    if (value.is_string() && !value.get_ref<const std::string&>().empty()) metadata[key] = value;
  }
  if (at(list_meta, {"remainingItemCount"}).is_number()) {
    metadata["remainingItemCount"] = list_meta["remainingItemCount"];
  }
  return make_table(printer_for(source), is_default_convertor(source), objects, metadata, options,
                    now);
}

json build_table_for_object(const TableSource& source, const json& object,
                            const TableOptions& options, util::Time now) {
  json metadata = json::object();
  const json& version = at(object, {"metadata", "resourceVersion"});
  if (version.is_string() && !version.get_ref<const std::string&>().empty())
    metadata["resourceVersion"] = version;
  return make_table(printer_for(source), is_default_convertor(source), {object}, metadata, options,
                    now);
}

json table_columns(const TableSource& source) {
  return printer_for(source).columns;
}

json partial_object_metadata(const json& object, std::string_view group_version) {
  json metadata = at(object, {"metadata"});
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", group_version},
          {"metadata", metadata.is_object() ? metadata : json::object()}};
}

}  // namespace druid::testing
