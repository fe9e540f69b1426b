// [node] root: cshieldd in a pod, the node's "/" mounted at a directory of
// its own mount namespace. The key is validated with file and line; the
// runtime binaries and sockets are looked up under it (symlinks resolved as
// on the node) and named by their node paths; the rules put them under it.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "app/config.h"
#include "app/detector_set.h"
#include "app/protected_file_watches.h"
#include "app/runtime_paths.h"
#include "rules/rule_set.h"
#include "support/temp_dir.h"

namespace cshield {
namespace {

using testing::TempDir;

bool has_error(const ConfigLoad& l, int line, const std::string& part) {
  return std::any_of(l.errors.begin(), l.errors.end(), [&](const ConfigMessage& m) {
    return m.line == line && m.to_string().find(part) != std::string::npos;
  });
}

// A node root: /usr/sbin/runc a file, /usr/bin/runc an absolute link to it
// (which outside the root would lead to this host's own /usr/sbin/runc),
// /usr/local/bin/crun a relative one, /run and /run/containerd directories.
struct FakeNode {
  TempDir root{"cshield-node"};
  FakeNode() {
    for (const char* d : {"/usr/sbin", "/usr/bin", "/usr/local/bin", "/run/containerd"})
      std::filesystem::create_directories(root.path() + d);
    std::ofstream(root.path() + "/usr/sbin/runc") << "node runc";
    std::ofstream(root.path() + "/usr/sbin/crun") << "node crun";
    BOOST_REQUIRE(::symlink("/usr/sbin/runc", (root.path() + "/usr/bin/runc").c_str()) == 0);
    BOOST_REQUIRE(::symlink("../../sbin/crun", (root.path() + "/usr/local/bin/crun").c_str()) == 0);
  }
  ino_t inode(const std::string& node_path) const {
    struct stat st {};
    BOOST_REQUIRE(::stat((root.path() + node_path).c_str(), &st) == 0);
    return st.st_ino;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(node_root)

BOOST_AUTO_TEST_CASE(the_root_defaults_to_slash_and_takes_an_existing_directory) {
  BOOST_TEST(parse_config("", "c.conf").config->node.root == "/");
  TempDir dir;
  auto l = parse_config("[node]\nroot = " + dir.path() + "//\n", "c.conf");
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.config->node.root == dir.path());
  BOOST_TEST(parse_config(default_config_text(), "default").config->node.root == "/");
}

BOOST_AUTO_TEST_CASE(a_root_that_is_relative_missing_or_not_a_directory_is_an_error_with_file_and_line) {
  TempDir dir;
  std::ofstream(dir / "file") << "x";
  auto l = parse_config("[node]\nroot = host\n", "c.conf");
  BOOST_TEST(!l.config);
  BOOST_TEST(has_error(l, 2, "c.conf:2: root: 'host' must be an absolute path"));
  l = parse_config("[node]\nname = n1\n\nroot = " + (dir / "missing") + "\n", "c.conf");
  BOOST_TEST(has_error(l, 4, "c.conf:4: root: '" + (dir / "missing") + "': No such file or directory"));
  l = parse_config("[node]\nroot = " + (dir / "file") + "\n", "c.conf");
  BOOST_TEST(has_error(l, 2, "c.conf:2: root: '" + (dir / "file") + "' is not a directory"));
  l = parse_config("[node]\nroot =\n", "c.conf");
  BOOST_TEST(has_error(l, 2, "root: a path is required"));
}

BOOST_AUTO_TEST_CASE(runtime_binaries_are_found_under_the_root_with_links_resolved_as_on_the_node) {
  FakeNode node;
  const auto bins = existing_runtime_binaries(node.root.path());
  BOOST_TEST(bins == std::vector<std::string>({"/usr/sbin/crun", "/usr/sbin/runc"}), boost::test_tools::per_element());
  const auto ids = file_identities({"/usr/sbin/runc", "/usr/sbin/missing"}, node.root.path());
  BOOST_REQUIRE_EQUAL(ids.size(), 1u);
  BOOST_TEST(ids[0].path == "/usr/sbin/runc");
  BOOST_TEST(ids[0].inode == std::to_string(node.inode("/usr/sbin/runc")));  // the node's file, not this host's
}

BOOST_AUTO_TEST_CASE(runtime_sockets_are_those_whose_directory_the_node_has) {
  FakeNode node;
  const auto socks = runtime_socket_paths(node.root.path());
  BOOST_TEST(std::count(socks.begin(), socks.end(), "/run/docker.sock") == 1);
  BOOST_TEST(std::count(socks.begin(), socks.end(), "/run/containerd/containerd.sock") == 1);
  BOOST_TEST(std::count(socks.begin(), socks.end(), "/run/crio/crio.sock") == 0);  // no /run/crio on the node
}

BOOST_AUTO_TEST_CASE(the_loaded_rules_name_the_node_files_under_the_root_and_keys_name_the_node_paths) {
  FakeNode node;
  Config config;
  config.node.root = node.root.path();
  const auto set = RuleSet::build(build_detectors(config)->rules(), 0, config.node.root);
  const std::string text = set.to_text();
  const std::string r = node.root.path();
  for (const std::string& line :
       {"-w " + r + "/etc/shadow -p rwa -k cshield.file_escape:/etc/shadow",
        "-w " + r + "/usr/sbin/runc -p wa -k cshield.vulnerability_escape:runtime:/usr/sbin/runc",
        "-a always,exit -F arch=b64 -S connect,openat,open -F path=" + r +
            "/run/docker.sock -k cshield.vulnerability_escape:socket:/run/docker.sock",
        "-a always,exit -F arch=b64 -S openat -F dir=" + r + "/proc -F a2&3 -k cshield.vulnerability_escape",
        "-a always,exit -F arch=b64 -S openat2 -F exe!=" + r + "/usr/sbin/runc -k cshield.vulnerability_escape",
        "-a always,exit -F arch=b64 -S execve -F exe=" + r + "/usr/sbin/runc -k cshield.abnormal_startup"})
    BOOST_TEST(text.find("\n" + line + "\n") != std::string::npos, line << "\nnot in:\n" << text);
  // Nothing names a path outside the root.
  for (const auto& rule : set.rules()) {
    if (rule.kind == AuditRule::Kind::kWatch) BOOST_TEST(rule.path.rfind(r + "/", 0) == 0u, rule.to_auditctl());
    for (const auto& f : rule.fields)
      if (f.find("=/") != std::string::npos) BOOST_TEST(f.find("=" + r + "/") != std::string::npos, rule.to_auditctl());
  }
}

BOOST_AUTO_TEST_CASE(protected_file_watches_go_into_the_container_root_under_the_node_root) {
  FakeNode node;
  const std::string rootfs = "/var/lib/docker/overlay2/abc/merged";  // a node path
  std::filesystem::create_directories(node.root.path() + rootfs + "/etc/nginx");
  // An absolute link in the image resolves in the container's root, under the node's.
  BOOST_REQUIRE(::symlink("/etc/nginx", (node.root.path() + rootfs + "/etc/conf").c_str()) == 0);
  PolicyGroup web;
  web.name = "web";
  web.selectors.names = {"web-*"};
  web.protected_files = {"/etc/passwd", "/etc/conf/*"};
  const PolicySet policy(std::vector<PolicyGroup>{web});
  ContainerInfo c;
  c.id = std::string(64, 'a');
  c.name = "web-1";
  c.rootfs = rootfs;
  const auto rules = ProtectedFileWatches::wanted(policy, c, node.root.path());
  BOOST_REQUIRE_EQUAL(rules.size(), 2u);
  BOOST_TEST(rules[0].to_auditctl() ==
             "-w " + node.root.path() + rootfs + "/etc/passwd -p wa -k cshield.sensitive_file_access:" + c.id);
  BOOST_TEST(rules[1].path == node.root.path() + rootfs + "/etc/nginx");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace cshield
