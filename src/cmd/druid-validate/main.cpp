// druid-validate: checks manifests of the druid API (Etcd, EtcdCopyBackupsTask,
// EtcdOpsTask, OperatorConfiguration) as an API server with druid's CRDs would
// (strict decoding against the CRD schemas, then every schema and CEL rule),
// without a cluster. Exit code 0 = all valid, 1 = some object is invalid,
// 2 = an input could not be read or parsed, or the command line is wrong.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <system_error>

#include "api/embedded_crds.hpp"
#include "api/operator_config.hpp"
#include "api/validation/etcd_validation.hpp"
#include "api/validation/operator_config_validation.hpp"
#include "api/validation/task_validation.hpp"
#include "api/validation/unknown_fields.hpp"
#include "util/yaml.hpp"

namespace {

namespace fs = std::filesystem;
using druid::api::FieldErrors;
using nlohmann::json;

constexpr int kExitValid = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUnreadable = 2;

// kubectl's name for standard input in its messages.
constexpr const char* kStdinName = "STDIN";

struct ExitStatus {
  bool read_failed = false;
  bool invalid = false;
  int exit_code() const {
    if (read_failed) return kExitUnreadable;
    return invalid ? kExitInvalid : kExitValid;
  }
};

// One object of an input: a document, or an item of a List document.
struct Located {
  json object;
  std::string where;  // "document 2", "document 1 item 3"
};

struct Input {
  std::string arg;   // as given, or a file found in a directory
  std::string name;  // in messages
};

bool is_manifest_file(const fs::path& path) {
  const auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

// kubectl -f DIR: the directory's manifests in name order (fs::path orders by
// component, as Go's filepath.Walk visits), subdirectories only with -R.
void add_directory(const std::string& dir, bool recursive, std::vector<Input>& inputs,
                   ExitStatus& outcome) {
  std::vector<fs::path> found;
  std::error_code ec;
  auto consider = [&](const fs::directory_entry& entry) {
    std::error_code entry_ec;
    if (entry.is_regular_file(entry_ec) && is_manifest_file(entry.path())) {
      found.push_back(entry.path());
    }
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      consider(*it);
    }
  } else {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      consider(*it);
    }
  }
  if (ec) {
    std::cerr << "error: cannot read directory \"" << dir << "\": " << ec.message() << "\n";
    outcome.read_failed = true;
    return;
  }
  if (found.empty()) {
    std::cerr << "error: no manifests (*.yaml, *.yml, *.json) in \"" << dir << "\""
              << (recursive ? "" : " (-R reads its subdirectories)") << "\n";
    outcome.read_failed = true;
    return;
  }
  std::sort(found.begin(), found.end());
  for (const auto& path : found) inputs.push_back({path.string(), path.string()});
}

std::vector<Input> expand_inputs(const std::vector<std::string>& args, bool recursive,
                                 ExitStatus& outcome) {
  std::vector<Input> inputs;
  for (const auto& arg : args) {
    std::error_code ec;
    if (arg == "-") {
      inputs.push_back({arg, kStdinName});
    } else if (fs::is_directory(arg, ec)) {
      add_directory(arg, recursive, inputs, outcome);
    } else if (fs::exists(arg, ec)) {
      inputs.push_back({arg, arg});
    } else {
      std::cerr << "error: the path \"" << arg << "\" does not exist\n";
      outcome.read_failed = true;
    }
  }
  return inputs;
}

std::optional<std::string> read_input(const std::string& arg) {
  std::stringstream buffer;
  if (arg == "-") {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(arg);
  if (!in) return std::nullopt;
  buffer << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return buffer.str();
}

// As kubectl decides between JSON and YAML: by the first non-space character.
std::optional<std::vector<json>> parse_documents(const std::string& text, std::string& error) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    try {
      return std::vector<json>{json::parse(text)};
    } catch (const json::parse_error& e) {
      error = e.what();
      return std::nullopt;
    }
  }
  auto docs = druid::util::parse_yaml_documents(text);
  if (!docs) {
    error = docs.error().reason;
    return std::nullopt;
  }
  return std::move(*docs);
}

bool is_list(const json& document) {
  if (!document.is_object() || !document.contains("items") || !document["items"].is_array()) {
    return false;
  }
  const auto kind = document.value("kind", "");
  return kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0;
}

// kubectl applies the items of a List (what `kubectl get -o yaml` writes) one by one.
std::optional<std::vector<Located>> load_objects(const Input& input, ExitStatus& outcome) {
  auto text = read_input(input.arg);
  if (!text) {
    std::cerr << input.name << ": cannot read file\n";
    outcome.read_failed = true;
    return std::nullopt;
  }
  std::string error;
  auto docs = parse_documents(*text, error);
  if (!docs) {
    std::cerr << input.name << ": " << error << "\n";
    outcome.read_failed = true;
    return std::nullopt;
  }
  std::vector<Located> objects;
  for (std::size_t d = 0; d < docs->size(); ++d) {
    const std::string where = "document " + std::to_string(d + 1);
    json& doc = (*docs)[d];
    if (!is_list(doc)) {
      objects.push_back({std::move(doc), where});
      continue;
    }
    for (std::size_t i = 0; i < doc["items"].size(); ++i) {
      objects.push_back({std::move(doc["items"][i]), where + " item " + std::to_string(i + 1)});
    }
  }
  return objects;
}

std::string string_member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string object_name(const json& object) {
  const auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? string_member(*it, "name") : "";
}

std::string group_of(const std::string& api_version) {
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string version_of(const std::string& api_version) {
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? api_version : api_version.substr(slash + 1);
}

// Druid's when its group or its kind is one of druid's: a misspelt version or
// group of an Etcd is then reported instead of silently skipped.
bool is_druid_object(const std::string& api_version, const std::string& kind) {
  const auto group = group_of(api_version);
  if (group == group_of(druid::api::kOperatorConfigApiVersion)) return true;
  if (kind == druid::api::kOperatorConfigKind) return true;
  for (const auto& crd : druid::api::embedded_crds()) {
    if (crd.value(json::json_pointer("/spec/group"), "") == group) return true;
    if (crd.value(json::json_pointer("/spec/names/kind"), "") == kind) return true;
  }
  return false;
}

// The object of the same kind and name in `old_objects`, for update rules.
const json* find_old(const std::vector<Located>& old_objects, const json& object) {
  for (const auto& old : old_objects) {
    if (old.object.is_object() &&
        string_member(old.object, "kind") == string_member(object, "kind") &&
        object_name(old.object) == object_name(object)) {
      return &old.object;
    }
  }
  return nullptr;
}

// Loading applies the defaults (as the operator does) before the rules of upstream's
// api/config/v1alpha1/validation/validation.go.
FieldErrors validate_operator_config_object(const json& object) {
  auto config = druid::api::load_operator_config(object.dump());
  if (!config) return config.error();
  return druid::api::validation::validate_operator_config(*config);
}

FieldErrors validate_custom_resource(const json& object, const json* old) {
  namespace v = druid::api::validation;
  const auto kind = string_member(object, "kind");
  if (kind == "Etcd") return old ? v::validate_etcd_update(object, *old) : v::validate_etcd(object);
  if (kind == "EtcdCopyBackupsTask") {
    return old ? v::validate_etcd_copy_backups_task_update(object, *old)
               : v::validate_etcd_copy_backups_task(object);
  }
  if (kind == "EtcdOpsTask") {
    return old ? v::validate_etcd_ops_task_update(object, *old) : v::validate_etcd_ops_task(object);
  }
  return {};
}

// kubectl's wording: `The Etcd "name" is invalid: <error>` or a bulleted list.
std::string describe_invalid(const std::string& kind, const std::string& name,
                             const FieldErrors& errors) {
  std::string text = "The " + kind + " \"" + name + "\" is invalid: ";
  if (errors.size() == 1) return text + errors.front().message();
  for (const auto& e : errors) text += "\n* " + e.message();
  return text;
}

// A druid object's verdict: unknown fields first, as the server's strict
// decoding rejects the object before any rule runs.
void check_druid_object(const std::string& file, const Located& located,
                        const std::vector<Located>& old_objects, ExitStatus& outcome) {
  const json& object = located.object;
  const auto api_version = string_member(object, "apiVersion");
  const auto kind = string_member(object, "kind");
  const auto name = object_name(object);
  const std::string prefix = file + ": " + kind + " \"" + name + "\": ";

  FieldErrors errors;
  if (kind == druid::api::kOperatorConfigKind) {
    errors = validate_operator_config_object(object);
  } else {
    const json* schema = druid::api::embedded_crd_schema(api_version, kind);
    if (schema == nullptr) {
      std::cout << prefix << "no matches for kind \"" << kind << "\" in version \"" << api_version
                << "\"\n";
      outcome.invalid = true;
      return;
    }
    const auto unknown = druid::api::validation::unknown_field_paths(object, *schema);
    if (!unknown.empty()) {
      std::cout << prefix
                << druid::api::validation::strict_decoding_error(kind, version_of(api_version),
                                                                 unknown)
                << "\n";
      outcome.invalid = true;
      return;
    }
    errors = validate_custom_resource(object, find_old(old_objects, object));
  }
  if (errors.empty()) {
    std::cout << file << ": " << kind << " \"" << name << "\" is valid\n";
  } else {
    outcome.invalid = true;
    std::cout << file << ": " << describe_invalid(kind, name, errors) << "\n";
  }
}

void check(const std::string& file, const Located& located, const std::vector<Located>& old_objects,
           ExitStatus& outcome) {
  const json& object = located.object;
  const std::string at = file + ": " + located.where + ": ";
  if (!object.is_object()) {
    std::cout << at << "not a Kubernetes object: " << object.dump() << "\n";
    outcome.invalid = true;
    return;
  }
  const auto api_version = string_member(object, "apiVersion");
  const auto kind = string_member(object, "kind");
  if (api_version.empty() || kind.empty()) {
    std::string missing = api_version.empty() ? "apiVersion not set" : "";
    if (kind.empty()) missing += std::string(missing.empty() ? "" : ", ") + "kind not set";
    std::cout << at << "error validating data: [" << missing << "]\n";
    outcome.invalid = true;
    return;
  }
  if (!is_druid_object(api_version, kind)) {
    std::cerr << at << "skipping " << kind << " \"" << object_name(object) << "\" (" << api_version
              << "): not a druid kind\n";
    return;
  }
  check_druid_object(file, located, old_objects, outcome);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Validate druid.gardener.cloud manifests the way an API server with the CRDs does"};
  std::vector<std::string> args;
  std::string old_file;
  bool recursive = false;
  app.add_option("files", args,
                 "manifests: files, directories (their *.yaml, *.yml and *.json files) or - for "
                 "standard input")
      ->required();
  app.add_flag("-R,--recursive", recursive, "read the subdirectories of directories too");
  app.add_option("--old", old_file,
                 "previous version of the objects; update rules (immutable fields, replicas) "
                 "are checked against it");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "success" (0); every usage error is an unreadable command line.
    return app.exit(e) == 0 ? kExitValid : kExitUnreadable;
  }

  ExitStatus outcome;
  std::vector<Located> old_objects;
  if (!old_file.empty()) {
    if (old_file == "-" && std::find(args.begin(), args.end(), "-") != args.end()) {
      std::cerr << "error: standard input cannot be both --old and a manifest\n";
      return kExitUnreadable;
    }
    for (const auto& input : expand_inputs({old_file}, false, outcome)) {
      if (auto loaded = load_objects(input, outcome)) {
        old_objects.insert(old_objects.end(), loaded->begin(), loaded->end());
      }
    }
  }

  for (const auto& input : expand_inputs(args, recursive, outcome)) {
    const auto objects = load_objects(input, outcome);
    if (!objects) continue;
    for (const auto& located : *objects) check(input.name, located, old_objects, outcome);
  }
  return outcome.exit_code();
}
