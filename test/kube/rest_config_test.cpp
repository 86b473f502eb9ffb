#include "kube/rest_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <map>

#include "kube/fake_http_server.hpp"

namespace druid::kube {
namespace {

using test::TempDir;
using ::testing::HasSubstr;

std::string b64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Saves and restores the environment variables the loaders read.
class EnvGuard {
 public:
  EnvGuard() {
    for (const char* name :
         {"KUBECONFIG", "HOME", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"}) {
      const char* v = std::getenv(name);
      saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
    }
  }
  ~EnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value)
        setenv(name.c_str(), value->c_str(), 1);
      else
        unsetenv(name.c_str());
    }
  }
  void set(const char* name, const std::string& value) { setenv(name, value.c_str(), 1); }
  void unset(const char* name) { unsetenv(name); }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

class RestConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Nothing from the machine running the tests may leak in.
    env_.unset("KUBECONFIG");
    env_.set("HOME", home_.path().string());
    env_.unset("KUBERNETES_SERVICE_HOST");
    env_.unset("KUBERNETES_SERVICE_PORT");
  }

  EnvGuard env_;
  TempDir home_;
  TempDir dir_;
};

const char* kDataConfig = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: other
  cluster:
    server: https://other:6443
- name: dev-cluster
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: {CA}
contexts:
- name: prod
  context: {cluster: other, user: admin}
- name: dev
  context:
    cluster: dev-cluster
    user: admin
    namespace: shoot--dev
users:
- name: admin
  user:
    client-certificate-data: {CERT}
    client-key-data: {KEY}
    token: abc.def
)";

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [k, v] : values) {
    for (auto pos = text.find(k); pos != std::string::npos; pos = text.find(k))
      text.replace(pos, k.size(), v);
  }
  return text;
}

TEST_F(RestConfigTest, KubeconfigWithInlineData) {
  auto path = dir_.write("config", fill(kDataConfig, {{"{CA}", b64("CA PEM\n")},
                                                      {"{CERT}", b64("CERT PEM\n")},
                                                      {"{KEY}", b64("KEY PEM\n")}}));
  auto rc = load_kubeconfig(path.string());
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://10.0.0.1:6443");
  EXPECT_EQ(rc->ca_pem, "CA PEM\n");
  EXPECT_EQ(rc->client_cert_pem, "CERT PEM\n");
  EXPECT_EQ(rc->client_key_pem, "KEY PEM\n");
  EXPECT_EQ(rc->bearer_token, "abc.def");
  EXPECT_EQ(rc->namespace_, "shoot--dev");
  EXPECT_FALSE(rc->insecure_skip_tls_verify);
  EXPECT_THAT(rc->source, HasSubstr(path.string()));
}

TEST_F(RestConfigTest, ExplicitContextOverridesCurrentContext) {
  auto path = dir_.write(
      "config", fill(kDataConfig, {{"{CA}", b64("x")}, {"{CERT}", b64("c")}, {"{KEY}", b64("k")}}));
  auto rc = load_kubeconfig(path.string(), "prod");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://other:6443");
  EXPECT_EQ(rc->namespace_, "default");
}

TEST_F(RestConfigTest, KubeconfigFilesRelativeToItsDirectory) {
  dir_.write("kube/pki/ca.crt", "CA FROM FILE");
  dir_.write("kube/pki/client.crt", "CERT FROM FILE");
  auto key = dir_.write("abs/client.key", "KEY FROM FILE");
  dir_.write("kube/token", "tok-from-file\n");
  auto path = dir_.write("kube/config", R"(apiVersion: v1
kind: Config
current-context: c
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:1234
    certificate-authority: pki/ca.crt
    insecure-skip-tls-verify: true
contexts:
- name: c
  context: {cluster: c, user: u}
users:
- name: u
  user:
    client-certificate: pki/client.crt
    client-key: )" + key.string() + R"(
    tokenFile: token
)");
  auto rc = load_kubeconfig(path.string());
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->ca_pem, "CA FROM FILE");
  // The client re-reads it when the CA rotates.
  EXPECT_EQ(rc->ca_file, (dir_.path() / "kube" / "pki" / "ca.crt").string());
  EXPECT_EQ(rc->client_cert_pem, "CERT FROM FILE");
  EXPECT_EQ(rc->client_key_pem, "KEY FROM FILE");
  EXPECT_EQ(rc->bearer_token_file, (dir_.path() / "kube" / "token").string());
  EXPECT_TRUE(rc->insecure_skip_tls_verify);
}

TEST_F(RestConfigTest, NumericLookingTokenStaysText) {
  auto path = dir_.write("config", R"(current-context: c
clusters: [{name: c, cluster: {server: "http://h"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
users: [{name: u, user: {token: 12345}}]
)");
  auto rc = load_kubeconfig(path.string());
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->bearer_token, "12345");
}

TEST_F(RestConfigTest, KubeconfigEnvThenHome) {
  auto minimal = [](const std::string& server) {
    return "current-context: c\nclusters: [{name: c, cluster: {server: \"" + server +
           "\"}}]\ncontexts: [{name: c, context: {cluster: c}}]\n";
  };
  home_.write(".kube/config", minimal("https://from-home"));
  auto rc = load_kubeconfig(std::nullopt);
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://from-home");

  auto env_file = dir_.write("env-config", minimal("https://from-env"));
  env_.set("KUBECONFIG", (dir_.path() / "missing").string() + ":" + env_file.string());
  rc = load_kubeconfig(std::nullopt);
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://from-env");

  auto explicit_file = dir_.write("explicit", minimal("https://explicit"));
  rc = load_kubeconfig(explicit_file.string());
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://explicit");
}

TEST_F(RestConfigTest, MissingCurrentContextIsAClearError) {
  auto path = dir_.write("config", R"(clusters: [{name: c, cluster: {server: "https://h"}}]
contexts: [{name: a, context: {cluster: c}}, {name: b, context: {cluster: c}}]
)");
  auto rc = load_kubeconfig(path.string());
  ASSERT_FALSE(rc);
  EXPECT_EQ(rc.error(),
            "kubeconfig " + path.string() + ": current-context is not set (contexts: a, b)");
}

TEST_F(RestConfigTest, UnknownContextClusterOrUser) {
  auto path = dir_.write("config", R"(current-context: nope
clusters: [{name: c, cluster: {server: "https://h"}}]
contexts: [{name: a, context: {cluster: c, user: ghost}}, {name: b, context: {cluster: gone}}]
)");
  auto rc = load_kubeconfig(path.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("context \"nope\" not found (contexts: a, b)"));
  rc = load_kubeconfig(path.string(), "a");
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("user \"ghost\" of context \"a\" not found (users: none)"));
  rc = load_kubeconfig(path.string(), "b");
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("cluster \"gone\" of context \"b\" not found (clusters: c)"));
}

TEST_F(RestConfigTest, MalformedYamlNamesFileAndLine) {
  auto path = dir_.write("config", "current-context: c\nclusters: [\n  - name: {\n");
  auto rc = load_kubeconfig(path.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("kubeconfig " + path.string() + ": "));
  EXPECT_THAT(rc.error(), HasSubstr("line"));
  auto scalar = dir_.write("scalar", "just text\n");
  rc = load_kubeconfig(scalar.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("not a kubeconfig"));
}

TEST_F(RestConfigTest, BrokenReferencesAreReported) {
  std::string base = R"(current-context: c
contexts: [{name: c, context: {cluster: c, user: u}}]
)";
  auto missing_ca = dir_.write(
      "a", base +
               "clusters: [{name: c, cluster: {server: \"https://h\", certificate-authority: "
               "nope.crt}}]\nusers: [{name: u, user: {}}]\n");
  auto rc = load_kubeconfig(missing_ca.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("cluster \"c\": certificate-authority: cannot read " +
                                    (dir_.path() / "nope.crt").string()));

  auto bad_b64 = dir_.write("b", base +
                                     "clusters: [{name: c, cluster: {server: \"https://h\"}}]\n"
                                     "users: [{name: u, user: {client-key-data: \"!!\", "
                                     "client-certificate-data: \"QQ==\"}}]\n");
  rc = load_kubeconfig(bad_b64.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("user \"u\": client-key-data: illegal base64 data"));

  auto no_server =
      dir_.write("c", base + "clusters: [{name: c, cluster: {}}]\nusers: [{name: u, user: {}}]\n");
  rc = load_kubeconfig(no_server.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("cluster \"c\": server is not set"));

  auto exec = dir_.write("d", base +
                                  "clusters: [{name: c, cluster: {server: \"https://h\"}}]\n"
                                  "users: [{name: u, user: {exec: {command: gke-auth}}}]\n");
  rc = load_kubeconfig(exec.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("user \"u\": exec: apiVersion must be specified"));

  auto missing_token =
      dir_.write("e", base +
                          "clusters: [{name: c, cluster: {server: \"https://h\"}}]\n"
                          "users: [{name: u, user: {tokenFile: /nonexistent/token}}]\n");
  rc = load_kubeconfig(missing_token.string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("tokenFile: cannot read /nonexistent/token"));

  rc = load_kubeconfig((dir_.path() / "does-not-exist").string());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("cannot read " + (dir_.path() / "does-not-exist").string()));
}

// Two kubeconfigs in different directories, each with its own files under the
// same relative names, so a path resolved against the wrong file shows.
class KubeconfigMergeTest : public RestConfigTest {
 protected:
  void SetUp() override {
    RestConfigTest::SetUp();
    dir_.write("a/ca.crt", "CA OF A");
    dir_.write("a/token", "token-of-a");
    dir_.write("b/ca.crt", "CA OF B");
    dir_.write("b/token", "token-of-b");
    first_ = dir_.write("a/config", R"(current-context: ctx-a
clusters:
- name: shared
  cluster: {server: "https://shared-from-a", certificate-authority: ca.crt}
- name: cluster-a
  cluster: {server: "https://a", certificate-authority: ca.crt}
users:
- name: shared-user
  user: {tokenFile: token}
contexts:
- name: ctx-a
  context: {cluster: shared, user: shared-user, namespace: ns-a}
- name: both
  context: {cluster: cluster-a, namespace: from-a}
)");
    second_ = dir_.write("b/config", R"(current-context: ctx-b
clusters:
- name: shared
  cluster: {server: "https://shared-from-b"}
- name: cluster-b
  cluster: {server: "https://b", certificate-authority: ca.crt}
users:
- name: shared-user
  user: {token: ignored}
- name: user-b
  user: {tokenFile: token}
contexts:
- name: ctx-b
  context: {cluster: cluster-b, user: user-b, namespace: ns-b}
- name: both
  context: {cluster: cluster-b, namespace: from-b}
- name: mixed
  context: {cluster: cluster-a, user: user-b}
)");
  }
  void set_kubeconfig(const std::vector<std::filesystem::path>& files) {
    std::string list;
    for (const auto& f : files) list += (list.empty() ? "" : ":") + f.string();
    env_.set("KUBECONFIG", list);
  }

  std::filesystem::path first_, second_;
};

TEST_F(KubeconfigMergeTest, FirstFileWinsAndSetsTheCurrentContext) {
  set_kubeconfig({dir_.path() / "missing", first_, second_});
  auto rc = load_kubeconfig(std::nullopt);
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://shared-from-a");  // cluster "shared" of the first file
  EXPECT_EQ(rc->ca_pem, "CA OF A");
  EXPECT_EQ(rc->bearer_token_file, (dir_.path() / "a" / "token").string());
  EXPECT_EQ(rc->bearer_token, "");  // user "shared-user" of the first file only
  EXPECT_EQ(rc->namespace_, "ns-a");
  EXPECT_THAT(rc->source, HasSubstr(first_.string() + ":" + second_.string()));
  EXPECT_THAT(rc->source, HasSubstr("(context ctx-a)"));

  // Context "both" is defined by both: the first file's.
  rc = load_kubeconfig(std::nullopt, "both");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://a");
  EXPECT_EQ(rc->namespace_, "from-a");

  // The other order: the other file wins, and its current-context is used.
  set_kubeconfig({second_, first_});
  rc = load_kubeconfig(std::nullopt);
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://b");
  EXPECT_EQ(rc->namespace_, "ns-b");
  rc = load_kubeconfig(std::nullopt, "ctx-a");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://shared-from-b");
  EXPECT_EQ(rc->bearer_token, "ignored");
  EXPECT_EQ(rc->bearer_token_file, "");
}

TEST_F(KubeconfigMergeTest, ContextOfTheSecondFileWithPathsRelativeToEachFile) {
  set_kubeconfig({first_, second_});
  auto rc = load_kubeconfig(std::nullopt, "ctx-b");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://b");
  EXPECT_EQ(rc->ca_pem, "CA OF B");
  EXPECT_EQ(rc->bearer_token_file, (dir_.path() / "b" / "token").string());
  EXPECT_EQ(rc->namespace_, "ns-b");

  // A context of the second file joining a cluster of the first and a user of
  // the second: each entry's paths are relative to its own file.
  rc = load_kubeconfig(std::nullopt, "mixed");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://a");
  EXPECT_EQ(rc->ca_pem, "CA OF A");
  EXPECT_EQ(rc->bearer_token_file, (dir_.path() / "b" / "token").string());
}

TEST_F(KubeconfigMergeTest, CurrentContextFromTheFirstFileThatSetsOne) {
  auto no_current = dir_.write("c/config", R"(clusters: [{name: c, cluster: {server: "https://c"}}]
contexts: [{name: ctx-c, context: {cluster: c}}]
)");
  set_kubeconfig({no_current, second_, first_});
  auto rc = load_kubeconfig(std::nullopt);
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://b");
  rc = load_kubeconfig(std::nullopt, "ctx-c");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://c");
  // The same file twice counts once.
  set_kubeconfig({first_, first_});
  rc = load_kubeconfig(std::nullopt);
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://shared-from-a");
}

TEST_F(KubeconfigMergeTest, ErrorsNameTheFiles) {
  set_kubeconfig({first_, second_});
  auto rc = load_kubeconfig(std::nullopt, "nope");
  ASSERT_FALSE(rc);
  EXPECT_EQ(rc.error(), "kubeconfig " + first_.string() + ":" + second_.string() +
                            ": context \"nope\" not found (contexts: ctx-a, both, ctx-b, mixed)");

  auto broken = dir_.write("broken/config", "clusters: [\n");
  set_kubeconfig({first_, broken});
  rc = load_kubeconfig(std::nullopt);
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("kubeconfig " + broken.string() + ": "));

  // An entry's error names the file that defined it.
  auto bad_ca = dir_.write("bad/config", R"(current-context: x
clusters: [{name: bad, cluster: {server: "https://x", certificate-authority: nowhere.crt}}]
contexts: [{name: x, context: {cluster: bad}}]
)");
  set_kubeconfig({first_, bad_ca});
  rc = load_kubeconfig(std::nullopt, "x");
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("kubeconfig " + bad_ca.string() +
                                    ": cluster \"bad\": certificate-authority: cannot read " +
                                    (dir_.path() / "bad" / "nowhere.crt").string()));

  // load_rest_config merges the same way.
  set_kubeconfig({second_, first_});
  rc = load_rest_config(std::nullopt, dir_.path() / "no-service-account");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://b");
}

TEST_F(RestConfigTest, InClusterFromServiceAccountDirectory) {
  dir_.write("token", "sa-token\n");
  dir_.write("ca.crt", "CLUSTER CA");
  dir_.write("namespace", "garden\n");
  env_.set("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  env_.set("KUBERNETES_SERVICE_PORT", "443");
  auto rc = load_in_cluster_config(dir_.path());
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://10.96.0.1:443");
  EXPECT_EQ(rc->bearer_token_file, (dir_.path() / "token").string());
  EXPECT_EQ(rc->ca_pem, "CLUSTER CA");
  EXPECT_EQ(rc->ca_file, (dir_.path() / "ca.crt").string());
  EXPECT_EQ(rc->namespace_, "garden");
  EXPECT_EQ(rc->source, "in-cluster");

  env_.set("KUBERNETES_SERVICE_HOST", "fd00::1");
  rc = load_in_cluster_config(dir_.path());
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://[fd00::1]:443");
}

TEST_F(RestConfigTest, InClusterErrors) {
  auto rc = load_in_cluster_config(dir_.path());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT"));
  env_.set("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  env_.set("KUBERNETES_SERVICE_PORT", "443");
  rc = load_in_cluster_config(dir_.path());
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("token: cannot read " + (dir_.path() / "token").string()));
}

TEST_F(RestConfigTest, RestConfigPrefersKubeconfigThenInCluster) {
  dir_.write("sa/token", "t");
  dir_.write("sa/ca.crt", "ca");
  env_.set("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  env_.set("KUBERNETES_SERVICE_PORT", "443");
  auto rc = load_rest_config(std::nullopt, dir_.path() / "sa");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->source, "in-cluster");

  home_.write(".kube/config",
              "current-context: c\nclusters: [{name: c, cluster: {server: \"https://home\"}}]\n"
              "contexts: [{name: c, context: {cluster: c}}]\n");
  rc = load_rest_config(std::nullopt, dir_.path() / "sa");
  ASSERT_TRUE(rc) << rc.error();
  EXPECT_EQ(rc->server, "https://home");

  // A broken explicit kubeconfig is an error, not a reason to go in-cluster.
  auto broken = dir_.write("broken", "clusters: []\n");
  rc = load_rest_config(broken.string(), dir_.path() / "sa");
  ASSERT_FALSE(rc);
  EXPECT_THAT(rc.error(), HasSubstr("current-context is not set"));
}

TEST_F(RestConfigTest, NeitherKubeconfigNorInClusterNamesEverythingTried) {
  env_.set("KUBECONFIG", (dir_.path() / "nope").string());
  auto rc = load_rest_config(std::nullopt, dir_.path() / "sa");
  ASSERT_FALSE(rc);
  const std::string& e = rc.error();
  EXPECT_THAT(e, HasSubstr("no Kubernetes configuration found"));
  EXPECT_THAT(e, HasSubstr("$KUBECONFIG (" + (dir_.path() / "nope").string() + "): no such file"));
  EXPECT_THAT(e, HasSubstr((home_.path() / ".kube" / "config").string() + ": no such file"));
  EXPECT_THAT(e, HasSubstr("KUBERNETES_SERVICE_HOST"));
}

}  // namespace
}  // namespace druid::kube
