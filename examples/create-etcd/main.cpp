// Creates an Etcd from a C++ program: the typed API of src/api, validated with
// the CRD's rules before it is sent, and the Kubernetes client of src/kube.
//
//   create-etcd --name etcd-test --namespace default --replicas 3 [--kubeconfig PATH]
//
// Exit code 0: created (or already there, with --ignore-existing); 1: the
// object is invalid or the server refused it; 2: no cluster configuration.

#include <CLI/CLI.hpp>
#include <iostream>

#include "api/etcd.hpp"
#include "api/resources.hpp"
#include "api/validation/etcd_validation.hpp"
#include "kube/client.hpp"
#include "kube/rest_config.hpp"

namespace {

druid::api::Etcd desired_etcd(const std::string& name, const std::string& ns, int replicas) {
  druid::api::Etcd etcd;
  etcd.metadata.name = name;
  etcd.metadata.namespace_ = ns;
  etcd.spec.replicas = replicas;
  etcd.spec.labels = {{"app", "etcd-statefulset"}, {"role", "test"}};
  etcd.spec.etcd.metrics = "basic";
  etcd.spec.etcd.quota = druid::api::IntOrString("8Gi");
  etcd.spec.storage_capacity = druid::api::IntOrString("10Gi");
  return etcd;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Create an Etcd custom resource"};
  std::string name = "etcd-test";
  std::string ns = "default";
  int replicas = 1;
  std::optional<std::string> kubeconfig;
  bool ignore_existing = false;
  app.add_option("--name", name, "name of the Etcd");
  app.add_option("--namespace,-n", ns, "namespace of the Etcd");
  app.add_option("--replicas", replicas, "number of members (0 = hibernated)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--kubeconfig", kubeconfig,
                 "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)");
  app.add_flag("--ignore-existing", ignore_existing, "succeed when the Etcd already exists");
  CLI11_PARSE(app, argc, argv);

  auto config = druid::kube::load_rest_config(kubeconfig);
  if (!config) {
    std::cerr << "create-etcd: " << config.error() << "\n";
    return 2;
  }

  const auto object = druid::api::encode_etcd(desired_etcd(name, ns, replicas));
  if (auto errors = druid::api::validation::validate_etcd(object); !errors.empty()) {
    std::cerr << "create-etcd: the Etcd \"" << name
              << "\" is invalid: " << druid::api::to_string(errors) << "\n";
    return 1;
  }

  druid::kube::Client client(*config);
  auto created = client.create(druid::api::resources::kEtcds, ns, object);
  if (!created) {
    if (ignore_existing && created.error().reason == druid::kube::ApiErrorReason::kAlreadyExists) {
      std::cout << "etcd.druid.gardener.cloud/" << name << " unchanged\n";
      return 0;
    }
    std::cerr << "create-etcd: " << created.error().what() << "\n";
    return 1;
  }
  std::cout << "etcd.druid.gardener.cloud/" << name << " created (uid "
            << (*created)["metadata"].value("uid", "") << ")\n";
  return 0;
}
