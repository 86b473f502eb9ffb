// druid-dev-apiserver: the test API server as a process, for trying the
// operator and kubectl by hand. Writes a kubeconfig, prints the URL, serves
// until SIGINT or SIGTERM.

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "apiserver/server.hpp"

namespace {

// The groups Kubernetes gives a user of that name: a service account
// (system:serviceaccount:NS:NAME) is in system:serviceaccounts and
// system:serviceaccounts:NS.
std::vector<std::string> groups_of(const std::string& user) {
  const std::string prefix = "system:serviceaccount:";
  if (user.rfind(prefix, 0) != 0) return {};
  const std::string rest = user.substr(prefix.size());
  return {"system:serviceaccounts", "system:serviceaccounts:" + rest.substr(0, rest.find(':'))};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"druid-dev-apiserver: an in-memory Kubernetes API server for development"};
  int port = 0;
  std::string kubeconfig_out;
  std::string crds;
  std::string token;
  app.add_option("--port", port, "port on 127.0.0.1 (0: any free port)");
  app.add_option("--kubeconfig-out", kubeconfig_out, "write a kubeconfig for the admin user here")
      ->required();
  app.add_option("--crds", crds, "install the CustomResourceDefinitions of this directory");
  app.add_option("--token", token, "the admin user's bearer token (random by default)");
  std::vector<std::string> user_kubeconfigs;
  app.add_option("--user-kubeconfig", user_kubeconfigs,
                 "USER=PATH: add a user with a random token and write its kubeconfig to PATH "
                 "(repeatable), e.g. the operator's service account, so that webhooks tell it "
                 "apart from the person at kubectl");
  bool quiet = false;
  app.add_flag("--quiet", quiet, "do not log requests");
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  druid::testing::TestApiServer::Options options;
  options.port = port;
  options.admin_token = token;
  options.log_requests = !quiet;
  druid::testing::TestApiServer server(options);
  try {
    server.start();
    if (!crds.empty()) server.install_crds(crds);
    for (const std::string& spec : user_kubeconfigs) {
      const auto equals = spec.find('=');
      if (equals == std::string::npos || equals == 0 || equals + 1 == spec.size()) {
        throw std::runtime_error("--user-kubeconfig " + spec + ": expected USER=PATH");
      }
      const std::string user = spec.substr(0, equals);
      const std::string token = server.add_user_with_random_token(user, groups_of(user));
      server.write_kubeconfig(spec.substr(equals + 1), token);
    }
    server.write_kubeconfig(kubeconfig_out);
  } catch (const std::exception& e) {
    std::cerr << "druid-dev-apiserver: " << e.what() << "\n";
    return 1;
  }
  std::cout << server.url() << std::endl;
  std::cerr << "druid-dev-apiserver: serving " << server.url() << ", kubeconfig " << kubeconfig_out
            << "; stop with Ctrl-C" << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.stop();
  return 0;
}
