// druid-validate: checks manifests of the druid API (Etcd, EtcdCopyBackupsTask,
// EtcdOpsTask, OperatorConfiguration) with the same rules the CRDs enforce on a
// Kubernetes API server, without a cluster. Exit code 0 = all valid, 1 = some
// object is invalid, 2 = a file could not be read or parsed.

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "api/operator_config.hpp"
#include "api/validation/etcd_validation.hpp"
#include "api/validation/operator_config_validation.hpp"
#include "api/validation/task_validation.hpp"
#include "api/yaml.hpp"

namespace {

using druid::api::FieldErrors;

struct Outcome {
  bool read_failed = false;
  bool invalid = false;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The object of the same kind and name in `old_documents`, for update rules.
const nlohmann::json* find_old(const std::vector<nlohmann::json>& old_documents,
                               const nlohmann::json& object) {
  for (const auto& old : old_documents) {
    if (old.value("kind", "") == object.value("kind", "") &&
        old["metadata"].value("name", "") == object["metadata"].value("name", "")) {
      return &old;
    }
  }
  return nullptr;
}

// Loading applies the defaults (as the operator does) before the §6.3 rules.
FieldErrors validate_operator_config_object(const nlohmann::json& object) {
  auto config = druid::api::load_operator_config(object.dump());
  if (!config) return config.error();
  return druid::api::validation::validate_operator_config(*config);
}

FieldErrors validate(const nlohmann::json& object, const nlohmann::json* old) {
  namespace v = druid::api::validation;
  const auto kind = object.value("kind", "");
  if (kind == "Etcd") return old ? v::validate_etcd_update(object, *old) : v::validate_etcd(object);
  if (kind == "EtcdCopyBackupsTask") {
    return old ? v::validate_etcd_copy_backups_task_update(object, *old)
               : v::validate_etcd_copy_backups_task(object);
  }
  if (kind == "EtcdOpsTask") {
    return old ? v::validate_etcd_ops_task_update(object, *old) : v::validate_etcd_ops_task(object);
  }
  if (kind == "OperatorConfiguration") return validate_operator_config_object(object);
  return {druid::api::not_supported_error(
      druid::api::FieldPath("kind"), kind,
      {"Etcd", "EtcdCopyBackupsTask", "EtcdOpsTask", "OperatorConfiguration"})};
}

// kubectl's wording: `The Etcd "name" is invalid: <error>` or a bulleted list.
std::string describe_invalid(const nlohmann::json& object, const FieldErrors& errors) {
  std::string name = object.contains("metadata") && object["metadata"].is_object()
                         ? object["metadata"].value("name", "")
                         : "";
  std::string text = "The " + object.value("kind", "object") + " \"" + name + "\" is invalid: ";
  if (errors.size() == 1) return text + errors.front().message();
  for (const auto& e : errors) text += "\n* " + e.message();
  return text;
}

std::vector<nlohmann::json> load_documents(const std::string& path, Outcome& outcome) {
  auto text = read_file(path);
  if (!text) {
    std::cerr << path << ": cannot read file\n";
    outcome.read_failed = true;
    return {};
  }
  auto docs = druid::api::parse_yaml_documents(*text);
  if (!docs) {
    std::cerr << path << ": " << docs.error().reason << "\n";
    outcome.read_failed = true;
    return {};
  }
  return std::move(*docs);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Validate druid.gardener.cloud manifests the way the CRDs do on an API server"};
  std::vector<std::string> files;
  std::string old_file;
  app.add_option("files", files, "YAML manifests to validate")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--old", old_file,
                 "previous version of the objects; update rules (immutable fields, replicas) "
                 "are checked against it")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  Outcome outcome;
  std::vector<nlohmann::json> old_documents;
  if (!old_file.empty()) old_documents = load_documents(old_file, outcome);

  for (const auto& path : files) {
    for (const auto& object : load_documents(path, outcome)) {
      const auto errors = validate(object, find_old(old_documents, object));
      if (errors.empty()) {
        std::cout << path << ": " << object.value("kind", "object") << " \""
                  << (object.contains("metadata") ? object["metadata"].value("name", "") : "")
                  << "\" is valid\n";
      } else {
        outcome.invalid = true;
        std::cout << path << ": " << describe_invalid(object, errors) << "\n";
      }
    }
  }
  if (outcome.read_failed) return 2;
  return outcome.invalid ? 1 : 0;
}
