#include "kube/exec_credential.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "kube/client.hpp"
#include "kube/fake_http_server.hpp"
#include "support/live_server.hpp"
#include "util/base64.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kV1 = "client.authentication.k8s.io/v1";
constexpr const char* kV1beta1 = "client.authentication.k8s.io/v1beta1";

std::string credential_json(const std::string& api_version, const std::string& token,
                            const std::string& expiration = {}) {
  json status = {{"token", token}};
  if (!expiration.empty()) status["expirationTimestamp"] = expiration;
  return json{{"apiVersion", api_version}, {"kind", "ExecCredential"}, {"status", status}}.dump();
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A plugin written into a temporary directory. Each run appends a line to
// `runs`, records its arguments (one per line), its environment and
// $KUBERNETES_EXEC_INFO, then prints `response-<n>` (n = this run's number)
// when the test wrote one, else `response`.
class Plugin {
 public:
  explicit Plugin(const std::string& name = "plugin") {
    path_ = dir_.write(name, R"(#!/bin/sh
dir=$(dirname "$0")
echo run >> "$dir/runs"
n=$(wc -l < "$dir/runs" | tr -d ' ')
: > "$dir/args"
for a in "$@"; do printf '%s\n' "$a" >> "$dir/args"; done
env > "$dir/env"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info"
if [ -f "$dir/response-$n" ]; then cat "$dir/response-$n"; else cat "$dir/response"; fi
)");
    ::chmod(path_.c_str(), 0755);
  }

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  void respond(const std::string& output) const { dir_.write("response", output); }
  void respond_on_run(int n, const std::string& output) const {
    dir_.write("response-" + std::to_string(n), output);
  }
  int runs() const {
    std::ifstream in(dir_.path() / "runs");
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }
  std::string args() const { return read_text(dir_.path() / "args"); }
  std::string env() const { return read_text(dir_.path() / "env"); }
  std::string exec_info() const { return read_text(dir_.path() / "exec-info"); }

 private:
  TempDir dir_;
  std::filesystem::path path_;
};

ExecConfig exec_config(const std::string& command, const std::string& api_version = kV1) {
  ExecConfig c;
  c.api_version = api_version;
  c.command = command;
  c.interactive_mode = "Never";
  c.origin = "kubeconfig /test: user \"u\"";
  return c;
}

// --- parsing the plugin's output ---------------------------------------------

TEST(ExecCredentialParseTest, TokenCertificateAndExpiration) {
  auto token = parse_exec_credential(credential_json(kV1, "tok", "2030-01-02T03:04:05Z"), kV1);
  ASSERT_TRUE(token) << token.error();
  EXPECT_EQ(token->token, "tok");
  ASSERT_TRUE(token->expiration);
  EXPECT_EQ(util::format_rfc3339(*token->expiration), "2030-01-02T03:04:05Z");

  json certs = {{"apiVersion", kV1beta1},
                {"kind", "ExecCredential"},
                {"status", {{"clientCertificateData", "CERT PEM"}, {"clientKeyData", "KEY PEM"}}}};
  auto pair = parse_exec_credential(certs.dump(), kV1beta1);
  ASSERT_TRUE(pair) << pair.error();
  EXPECT_EQ(pair->client_cert_pem, "CERT PEM");
  EXPECT_EQ(pair->client_key_pem, "KEY PEM");
  EXPECT_TRUE(pair->token.empty());
  EXPECT_FALSE(pair->expiration);
}

TEST(ExecCredentialParseTest, WrongOutputNamesTheField) {
  auto error = [](const std::string& output) {
    auto parsed = parse_exec_credential(output, kV1);
    return parsed ? std::string("no error") : parsed.error();
  };
  EXPECT_EQ(error(credential_json(kV1beta1, "t")),
            "returned apiVersion \"client.authentication.k8s.io/v1beta1\", expected "
            "\"client.authentication.k8s.io/v1\"");
  EXPECT_EQ(error(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"Secret",)"
                  R"("status":{"token":"t"}})"),
            "returned kind \"Secret\", expected \"ExecCredential\"");
  EXPECT_EQ(error(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})"),
            "returned no status");
  EXPECT_EQ(error(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                  R"("status":{}})"),
            "returned neither status.token nor status.clientCertificateData and "
            "status.clientKeyData");
  EXPECT_EQ(error(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                  R"("status":{"clientCertificateData":"C"}})"),
            "returned only one of status.clientCertificateData and status.clientKeyData, not both");
  EXPECT_EQ(error(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                  R"("status":{"token":5}})"),
            "status.token must be a string, got 5");
  EXPECT_THAT(error(credential_json(kV1, "t", "tomorrow")),
              HasSubstr("status.expirationTimestamp: invalid RFC 3339 time \"tomorrow\""));
  EXPECT_THAT(error("please log in first"),
              HasSubstr("output is not an ExecCredential JSON object: \"please log in first\""));
}

TEST(ExecCredentialParseTest, ExecInfoCarriesClusterOnlyWhenAsked) {
  ExecConfig config = exec_config("x");
  ExecClusterInfo cluster{"https://10.0.0.1:6443", "CA PEM\n", true};
  EXPECT_EQ(json::parse(exec_info_json(config, cluster)),
            json::parse(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",
                             "spec":{"interactive":false}})"));
  config.provide_cluster_info = true;
  config.api_version = kV1beta1;
  json expected = {{"kind", "ExecCredential"},
                   {"apiVersion", kV1beta1},
                   {"spec",
                    {{"cluster",
                      {{"server", "https://10.0.0.1:6443"},
                       {"insecure-skip-tls-verify", true},
                       {"certificate-authority-data", util::base64_encode("CA PEM\n")}}},
                     {"interactive", false}}}};
  EXPECT_EQ(json::parse(exec_info_json(config, cluster)), expected);
}

// --- running the plugin --------------------------------------------------------

TEST(ExecCredentialSourceTest, CachesUntilExpirationTimestamp) {
  FakeClock clock;
  Plugin plugin;
  plugin.respond_on_run(
      1, credential_json(kV1, "first", util::format_rfc3339(clock.wall_now() + 60s)));
  plugin.respond(credential_json(kV1, "second"));
  ExecCredentialSource source(exec_config(plugin.path().string()), {}, clock);

  auto first = source.get();
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ((*first)->token, "first");
  clock.advance(59s);
  auto cached = source.get();
  ASSERT_TRUE(cached) << cached.error();
  EXPECT_EQ((*cached)->token, "first");
  EXPECT_EQ(plugin.runs(), 1);

  clock.advance(1s);  // now == expirationTimestamp: expired
  auto renewed = source.get();
  ASSERT_TRUE(renewed) << renewed.error();
  EXPECT_EQ((*renewed)->token, "second");
  EXPECT_EQ(plugin.runs(), 2);
  // Without an expirationTimestamp it is kept for good.
  clock.advance(24h * 365);
  auto kept = source.get();
  ASSERT_TRUE(kept) << kept.error();
  EXPECT_EQ((*kept)->token, "second");
  EXPECT_EQ(plugin.runs(), 2);
}

TEST(ExecCredentialSourceTest, UnauthorizedRefreshesOnlyTheCredentialInUse) {
  Plugin plugin;
  plugin.respond_on_run(1, credential_json(kV1, "one"));
  plugin.respond_on_run(2, credential_json(kV1, "two"));
  plugin.respond(credential_json(kV1, "three"));
  ExecCredentialSource source(exec_config(plugin.path().string()), {});
  auto one = source.get();
  ASSERT_TRUE(one) << one.error();
  auto two = source.refresh_after_unauthorized(*one);
  ASSERT_TRUE(two) << two.error();
  EXPECT_EQ((*two)->token, "two");
  // Another request that was refused with "one" finds "two" already there.
  auto again = source.refresh_after_unauthorized(*one);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ((*again)->token, "two");
  EXPECT_EQ(plugin.runs(), 2);
}

TEST(ExecCredentialSourceTest, ArgsEnvAndClusterInfoReachThePlugin) {
  Plugin plugin;
  plugin.respond(credential_json(kV1beta1, "t"));
  ExecConfig config = exec_config(plugin.path().string(), kV1beta1);
  config.args = {"get-token", "--cluster=two words"};
  config.env = {{"PLUGIN_GREETING", "hello world"}, {"HOME", "/plugin-home"}};
  config.provide_cluster_info = true;
  ExecCredentialSource source(config, ExecClusterInfo{"https://api.example:443", "MY CA", false});
  auto got = source.get();
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(plugin.args(), "get-token\n--cluster=two words\n");
  EXPECT_THAT(plugin.env(), HasSubstr("\nPLUGIN_GREETING=hello world\n"));
  // The plugin's env replaces a variable of the process and keeps the others.
  EXPECT_THAT(plugin.env(), HasSubstr("HOME=/plugin-home\n"));
  if (const char* path = std::getenv("PATH")) {
    EXPECT_THAT(plugin.env(), HasSubstr("PATH=" + std::string(path) + "\n"));
  }
  json info = json::parse(plugin.exec_info());
  EXPECT_EQ(info["apiVersion"], kV1beta1);
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://api.example:443");
  EXPECT_EQ(info["spec"]["cluster"]["certificate-authority-data"], util::base64_encode("MY CA"));
  EXPECT_FALSE(info["spec"]["cluster"].contains("insecure-skip-tls-verify"));
}

TEST(ExecCredentialSourceTest, FailuresNameUserCommandExitCodeAndStderr) {
  TempDir dir;
  auto failing = dir.write("failing", "#!/bin/sh\necho 'token expired: run login' >&2\nexit 3\n");
  ::chmod(failing.c_str(), 0755);
  ExecCredentialSource source(exec_config(failing.string()), {});
  auto got = source.get();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), "kubeconfig /test: user \"u\": exec plugin \"" + failing.string() +
                             "\" failed with exit code 3; stderr: \"token expired: run login\"");

  auto wrong = dir.write("wrong", "#!/bin/sh\necho '" + credential_json(kV1beta1, "t") + "'\n");
  ::chmod(wrong.c_str(), 0755);
  ExecCredentialSource wrong_version(exec_config(wrong.string()), {});
  got = wrong_version.get();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), "kubeconfig /test: user \"u\": exec plugin \"" + wrong.string() +
                             "\": returned apiVersion \"client.authentication.k8s.io/v1beta1\", "
                             "expected \"client.authentication.k8s.io/v1\"");

  ExecConfig missing = exec_config("druid-no-such-plugin");
  missing.install_hint = "install it from example.com\n";
  got = ExecCredentialSource(missing, {}).get();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(),
            "kubeconfig /test: user \"u\": exec plugin \"druid-no-such-plugin\": executable not "
            "found in $PATH (install it from example.com)");
  got = ExecCredentialSource(exec_config((dir.path() / "absent").string()), {}).get();
  ASSERT_FALSE(got);
  EXPECT_THAT(got.error(), HasSubstr("absent\": no such file"));
}

// --- kubeconfig with an exec plugin, against the test API server --------------

class ExecKubeconfigTest : public ::testing::Test {
 protected:
  // A kubeconfig for the test API server whose user runs `exec` (YAML lines
  // under `exec:`, indented by six spaces).
  std::filesystem::path write_kubeconfig(const std::string& exec) {
    return dir_.write("kube/config", R"(apiVersion: v1
kind: Config
current-context: c
clusters:
- name: c
  cluster:
    server: )" + live_.server().url() + R"(
    certificate-authority-data: )" + util::base64_encode(live_.server().ca_pem()) +
                                         R"(
contexts:
- name: c
  context: {cluster: c, user: u}
users:
- name: u
  user:
    exec:
)" + exec);
  }

  std::unique_ptr<Client> client_for(const std::string& exec) {
    auto config = load_kubeconfig(write_kubeconfig(exec).string());
    EXPECT_TRUE(config) << config.error();
    if (!config) return nullptr;
    config->qps = -1;
    config->timeout = 10s;
    return std::make_unique<Client>(*config);
  }

  static std::string exec_lines(const std::filesystem::path& command,
                                const std::string& api_version = kV1) {
    return "      apiVersion: " + api_version + "\n      command: " + command.string() +
           "\n      interactiveMode: IfAvailable\n";
  }

  static std::string list_namespaces(Client& client) {
    auto listed = client.list(resources::kNamespaces, "");
    return listed ? std::string("ok") : listed.error().what();
  }

  test::LiveServer live_;
  TempDir dir_;
};

TEST_F(ExecKubeconfigTest, TokenReachesTheServerAndIsCached) {
  Plugin plugin;
  const std::string token = live_.server().add_user_with_random_token("exec-user");
  plugin.respond(credential_json(kV1, token));
  auto client = client_for(exec_lines(plugin.path()));
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(list_namespaces(*client), "ok");
  EXPECT_EQ(plugin.runs(), 1);

  // Concurrent first requests of another client wait for one run.
  auto second = client_for(exec_lines(plugin.path()));
  ASSERT_TRUE(second);
  std::vector<std::future<std::string>> results;
  for (int i = 0; i < 4; ++i)
    results.push_back(std::async(std::launch::async, [&] { return list_namespaces(*second); }));
  for (auto& r : results) EXPECT_EQ(r.get(), "ok");
  EXPECT_EQ(plugin.runs(), 2);
}

TEST_F(ExecKubeconfigTest, WrongTokenIsRefusedAfterOneRetry) {
  Plugin plugin;
  plugin.respond(credential_json(kV1, "not-a-known-token"));
  auto client = client_for(exec_lines(plugin.path()));
  ASSERT_TRUE(client);
  auto listed = client->list(resources::kNamespaces, "");
  ASSERT_FALSE(listed);
  EXPECT_TRUE(is_unauthorized(listed.error())) << listed.error().what();
  // The first run, and one more after the 401; then the request gives up.
  EXPECT_EQ(plugin.runs(), 2);
}

TEST_F(ExecKubeconfigTest, KubeconfigArgsEnvAndClusterInfoReachThePlugin) {
  Plugin plugin;
  const std::string token = live_.server().add_user_with_random_token("exec-user");
  plugin.respond(credential_json(kV1, token));
  auto client = client_for(exec_lines(plugin.path()) +
                           "      args: [token, --audience, \"a b\"]\n"
                           "      env: [{name: EXEC_TEST_VAR, value: from-kubeconfig}]\n"
                           "      provideClusterInfo: true\n");
  ASSERT_TRUE(client);
  EXPECT_EQ(list_namespaces(*client), "ok");
  EXPECT_EQ(plugin.args(), "token\n--audience\na b\n");
  EXPECT_THAT(plugin.env(), HasSubstr("\nEXEC_TEST_VAR=from-kubeconfig\n"));
  json info = json::parse(plugin.exec_info());
  json expected = {
      {"kind", "ExecCredential"},
      {"apiVersion", kV1},
      {"spec",
       {{"cluster",
         {{"server", live_.server().url()},
          {"certificate-authority-data", util::base64_encode(live_.server().ca_pem())}}},
        {"interactive", false}}}};
  EXPECT_EQ(info, expected);
}

TEST_F(ExecKubeconfigTest, UnauthorizedRerunsThePluginAndRetries) {
  Plugin plugin;
  const std::string good = live_.server().add_user_with_random_token("exec-user");
  plugin.respond_on_run(1, credential_json(kV1beta1, "revoked-token"));
  plugin.respond(credential_json(kV1beta1, good));
  auto client = client_for(exec_lines(plugin.path(), kV1beta1));
  ASSERT_TRUE(client);
  EXPECT_EQ(list_namespaces(*client), "ok");
  EXPECT_EQ(plugin.runs(), 2);
  EXPECT_EQ(list_namespaces(*client), "ok");
  EXPECT_EQ(plugin.runs(), 2);
  auto counts = client->request_counts();
  EXPECT_EQ((counts[RequestKey{"GET", 401, "127.0.0.1:" + std::to_string(live_.server().port())}]),
            1u);
}

TEST_F(ExecKubeconfigTest, UnauthorizedWatchRerunsThePluginAndRetries) {
  Plugin plugin;
  const std::string good = live_.server().add_user_with_random_token("exec-user");
  plugin.respond_on_run(1, credential_json(kV1, "revoked-token"));
  plugin.respond(credential_json(kV1, good));
  auto client = client_for(exec_lines(plugin.path()));
  ASSERT_TRUE(client);
  // An event the watch replays from a known resourceVersion, so the test
  // waits for nothing.
  auto before = live_.client().list(resources::kNamespaces, "");
  ASSERT_TRUE(before) << before.error().what();
  ASSERT_EQ(test::create_namespace(live_.client(), "exec-watch"), "");
  WatchOptions options;
  options.resource_version = (*before)["metadata"]["resourceVersion"].get<std::string>();
  std::string seen;
  auto watched = client->watch(resources::kNamespaces, "", options, [&](const WatchEvent& e) {
    seen = e.type + " " + e.object["metadata"]["name"].get<std::string>();
    return false;
  });
  ASSERT_TRUE(watched) << watched.error().what();
  EXPECT_EQ(*watched, WatchEnd::kCallbackStopped);
  EXPECT_EQ(seen, "ADDED exec-watch");
  EXPECT_EQ(plugin.runs(), 2);
  auto counts = client->request_counts();
  EXPECT_EQ(
      (counts[RequestKey{"WATCH", 401, "127.0.0.1:" + std::to_string(live_.server().port())}]), 1u);
}

TEST_F(ExecKubeconfigTest, ExpiredCredentialRerunsThePlugin) {
  Plugin plugin;
  const std::string token = live_.server().add_user_with_random_token("exec-user");
  plugin.respond(credential_json(kV1, token, "2000-01-01T00:00:00Z"));
  auto client = client_for(exec_lines(plugin.path()));
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(list_namespaces(*client), "ok");
  EXPECT_EQ(plugin.runs(), 3);
}

TEST_F(ExecKubeconfigTest, StaticTokenWinsOverThePlugin) {
  Plugin plugin;
  plugin.respond(credential_json(kV1, "not-a-known-token"));
  auto config = load_kubeconfig(write_kubeconfig(exec_lines(plugin.path())).string());
  ASSERT_TRUE(config) << config.error();
  config->bearer_token = live_.server().admin_token();  // as kubectl --token
  config->qps = -1;
  Client client(*config);
  EXPECT_EQ(list_namespaces(client), "ok");
  EXPECT_EQ(plugin.runs(), 0);
}

TEST_F(ExecKubeconfigTest, FailingPluginFailsTheRequestWithItsError) {
  auto failing = dir_.write("bin/failing", "#!/bin/sh\necho 'no session; log in' >&2\nexit 1\n");
  ::chmod(failing.c_str(), 0755);
  auto client = client_for(exec_lines(failing));
  ASSERT_TRUE(client);
  auto listed = client->list(resources::kNamespaces, "");
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().reason, ApiErrorReason::kTransport);
  EXPECT_THAT(listed.error().message,
              HasSubstr("user \"u\": exec plugin \"" + failing.string() +
                        "\" failed with exit code 1; stderr: \"no session; log in\""));
}

TEST_F(ExecKubeconfigTest, RelativeCommandIsRelativeToTheKubeconfig) {
  Plugin plugin;
  const std::string token = live_.server().add_user_with_random_token("exec-user");
  plugin.respond(credential_json(kV1, token));
  // The kubeconfig is dir_/kube/config; the plugin lives elsewhere.
  std::filesystem::create_directories(dir_.path() / "kube");
  auto relative = std::filesystem::relative(plugin.path(), dir_.path() / "kube");
  ASSERT_NE(relative.string().find('/'), std::string::npos);
  auto config = load_kubeconfig(write_kubeconfig(exec_lines(relative)).string());
  ASSERT_TRUE(config) << config.error();
  ASSERT_TRUE(config->exec);
  EXPECT_EQ(std::filesystem::weakly_canonical(config->exec->command),
            std::filesystem::weakly_canonical(plugin.path()));
  config->qps = -1;
  Client client(*config);
  EXPECT_EQ(list_namespaces(client), "ok");
  EXPECT_EQ(plugin.runs(), 1);
}

TEST_F(ExecKubeconfigTest, BareCommandIsLookedUpInPath) {
  Plugin plugin("druid-test-credential-plugin");
  const std::string token = live_.server().add_user_with_random_token("exec-user");
  plugin.respond(credential_json(kV1, token));
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  setenv("PATH", (plugin.dir().string() + ":" + saved).c_str(), 1);
  auto config =
      load_kubeconfig(write_kubeconfig(exec_lines("druid-test-credential-plugin")).string());
  std::string result = "not loaded";
  if (config) {
    EXPECT_EQ(config->exec->command, "druid-test-credential-plugin");
    config->qps = -1;
    Client client(*config);
    result = list_namespaces(client);
  }
  setenv("PATH", saved.c_str(), 1);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(result, "ok");
  EXPECT_EQ(plugin.runs(), 1);
}

TEST_F(ExecKubeconfigTest, ExecEntryIsValidated) {
  auto error = [this](const std::string& exec) {
    auto config = load_kubeconfig(write_kubeconfig(exec).string());
    return config ? std::string("no error") : config.error();
  };
  const std::string where =
      "kubeconfig " + (dir_.path() / "kube/config").string() + ": user \"u\": exec: ";
  EXPECT_EQ(error("      apiVersion: client.authentication.k8s.io/v1\n      command: p\n"
                  "      interactiveMode: Always\n"),
            where +
                "interactiveMode Always needs a terminal on standard input, which this program "
                "never gives a credential plugin; use IfAvailable or Never if the plugin can "
                "work without one");
  EXPECT_EQ(error("      apiVersion: client.authentication.k8s.io/v1\n      command: p\n"),
            where +
                "interactiveMode must be specified for client.authentication.k8s.io/v1 (Never, "
                "IfAvailable or Always)");
  EXPECT_EQ(error("      apiVersion: client.authentication.k8s.io/v1\n      command: p\n"
                  "      interactiveMode: Sometimes\n"),
            where + "invalid interactiveMode \"Sometimes\" (Never, IfAvailable or Always)");
  EXPECT_EQ(error("      command: p\n"),
            where +
                "apiVersion must be specified (client.authentication.k8s.io/v1 or "
                "client.authentication.k8s.io/v1beta1)");
  EXPECT_EQ(error("      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: p\n"),
            where +
                "unsupported apiVersion \"client.authentication.k8s.io/v1alpha1\" (supported: "
                "client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1)");
  EXPECT_EQ(error("      apiVersion: client.authentication.k8s.io/v1beta1\n"),
            where + "command must be specified");
  EXPECT_EQ(error("      apiVersion: client.authentication.k8s.io/v1beta1\n      command: p\n"
                  "      env: [{value: x}]\n"),
            where + "env[0]: name must be specified");
  // v1beta1 defaults interactiveMode to IfAvailable.
  auto config = load_kubeconfig(
      write_kubeconfig("      apiVersion: client.authentication.k8s.io/v1beta1\n      command: p\n"
                       "      args: [a, 2]\n      env: [{name: A, value: b}]\n"
                       "      provideClusterInfo: true\n")
          .string());
  ASSERT_TRUE(config) << config.error();
  ASSERT_TRUE(config->exec);
  EXPECT_EQ(config->exec->interactive_mode, "IfAvailable");
  EXPECT_EQ(config->exec->args, (std::vector<std::string>{"a", "2"}));
  EXPECT_EQ(config->exec->env.size(), 1u);
  EXPECT_TRUE(config->exec->provide_cluster_info);
  EXPECT_THAT(config->exec->origin, HasSubstr("user \"u\""));
}

TEST_F(ExecKubeconfigTest, AuthProviderIsStillRefused) {
  auto path = dir_.write("ap", R"(current-context: c
clusters: [{name: c, cluster: {server: "https://h"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
users: [{name: u, user: {auth-provider: {name: gcp}}}]
)");
  auto config = load_kubeconfig(path.string());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error(), "kubeconfig " + path.string() +
                                ": user \"u\": auth-provider credential plugins are not "
                                "supported; use an exec plugin, a token, tokenFile or client "
                                "certificate");
  EXPECT_THAT(config.error(), Not(HasSubstr("exec:")));
}

}  // namespace
}  // namespace druid::kube
