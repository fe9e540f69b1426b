// Posture from real-shaped OCI bundle config.json files (Docker's copied from
// this kind of host, the others shaped like containerd CRI, CRI-O, podman
// and rootless podman write them) and the abnormal_startup findings each
// yields: exactly the expected ones, no others.
#define BOOST_TEST_MODULE posture
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "detect/abnormal_startup.h"
#include "enrich/oci_posture.h"

namespace cshield {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CSHIELD_SOURCE_DIR) + "/test/data/enrich/posture/" + name);
  BOOST_REQUIRE_MESSAGE(in, "missing fixture " << name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// This VM's bounding set: every capability but CAP_SYS_RESOURCE.
std::vector<std::string> vm_capabilities() {
  return capabilities_of_status("Name:\tx\nCapBnd:\t000001fffeffffff\n");
}

ContainerPosture posture_of(const std::string& name, const std::vector<std::string>& host = capability_names()) {
  auto p = posture_from_oci_config(fixture(name), host);
  BOOST_REQUIRE_MESSAGE(p, name << " did not parse");
  return *p;
}

std::vector<std::string> findings_of(const std::string& name, const std::string& image = "") {
  return startup_findings(posture_of(name), default_startup_policy(), image);
}

using Findings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(docker_default_has_no_finding) {
  BOOST_TEST(findings_of("docker-default.json") == Findings{}, boost::test_tools::per_element());
  const auto p = posture_of("docker-default.json");
  BOOST_TEST(p.capabilities.size() == 14u);
  BOOST_TEST(p.seccomp);
  BOOST_TEST(p.masked_paths);
  BOOST_TEST(!p.devices_unrestricted);
  BOOST_TEST(!p.no_new_privileges);
  BOOST_TEST(!p.privileged());
  BOOST_TEST(p.host_mounts.size() == 3u);  // resolv.conf, hostname, hosts
}

BOOST_AUTO_TEST_CASE(docker_cap_add_lists_the_added_capability) {
  BOOST_TEST(findings_of("docker-capadd.json") == Findings{"capabilities:[CAP_SYS_ADMIN]"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(docker_seccomp_unconfined) {
  BOOST_TEST(findings_of("docker-seccomp.json") == Findings{"seccomp=unconfined"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(docker_host_etc_mount) {
  BOOST_TEST(findings_of("docker-etc.json") == Findings{R"(mounts:[{"source":"/etc","destination":"/hostetc"}])"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(docker_host_var_run_mount) {
  BOOST_TEST(findings_of("docker-varrun.json") ==
                 Findings{R"(mounts:[{"source":"/var/run","destination":"/hostrun"}])"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(docker_no_new_privileges_is_kept_and_no_finding) {
  BOOST_TEST(posture_of("docker-nnp.json").no_new_privileges);
  BOOST_TEST(findings_of("docker-nnp.json") == Findings{}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(docker_privileged_is_inferred_from_the_bundle) {
  const auto p = posture_of("docker-privileged.json");
  BOOST_TEST(p.all_capabilities);
  BOOST_TEST(!p.seccomp);
  BOOST_TEST(!p.masked_paths);
  BOOST_TEST(p.devices_unrestricted);
  BOOST_TEST(findings_of("docker-privileged.json") == Findings{"privileged:true"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(all_capabilities_means_all_the_host_allows) {
  // A bundle granting what this VM allows (no CAP_SYS_RESOURCE) is all
  // capabilities here, and not on a host that has CAP_SYS_RESOURCE.
  auto caps = vm_capabilities();
  BOOST_TEST(caps.size() == 40u);
  std::string list;
  for (const auto& c : caps) list += (list.empty() ? "\"" : ",\"") + c + "\"";
  const std::string bundle = R"({"process":{"capabilities":{"bounding":[)" + list +
                             R"(]}},"linux":{"resources":{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"access":"rwm"}]}}})";
  BOOST_TEST(posture_from_oci_config(bundle, caps)->privileged());
  BOOST_TEST(!posture_from_oci_config(bundle, capability_names())->privileged());
  // A deny-all after the allow-all restricts devices again.
  const std::string restricted = R"({"process":{"capabilities":{"bounding":[)" + list +
                                 R"(]}},"linux":{"resources":{"devices":[{"allow":true,"access":"rwm"},{"allow":false,"access":"rwm"}]}}})";
  BOOST_TEST(!posture_from_oci_config(restricted, caps)->privileged());
}

BOOST_AUTO_TEST_CASE(docker_host_config_privileged_refines) {
  auto p = posture_of("docker-default.json");
  BOOST_TEST(apply_docker_host_config(R"({"Privileged":true,"CapAdd":null})", p));
  BOOST_TEST(startup_findings(p, default_startup_policy(), "") == Findings{"privileged:true"},
             boost::test_tools::per_element());
  auto q = posture_of("docker-default.json");
  BOOST_TEST(!apply_docker_host_config("not json", q));
  BOOST_TEST(!q.runtime_privileged.has_value());
}

BOOST_AUTO_TEST_CASE(kubernetes_privileged_pod_through_containerd_cri) {
  // Its /run/xtables.lock and /lib/modules host paths, the kubelet's
  // volumes and the sandbox's /dev/shm are not critical mounts.
  BOOST_TEST(findings_of("containerd-k8s-privileged.json") == Findings{"privileged:true"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(crio_pod_without_seccomp_profile) {
  BOOST_TEST(findings_of("crio-pod.json") == Findings{"seccomp=unconfined"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(podman_default_has_no_finding) {
  BOOST_TEST(findings_of("podman-default.json") == Findings{}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(podman_with_its_socket_mounted) {
  BOOST_TEST(findings_of("podman-socket.json") ==
                 Findings{R"(mounts:[{"source":"/run/podman/podman.sock","destination":"/run/podman/podman.sock"}])"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rootless_podman_unconfined) {
  const auto p = posture_of("podman-rootless-unconfined.json");
  BOOST_TEST(p.user_namespace);
  BOOST_TEST(findings_of("podman-rootless-unconfined.json") == Findings{"seccomp=unconfined"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(plain_runc_spec_has_no_seccomp) {
  BOOST_TEST(findings_of("runc-spec.json") == Findings{"seccomp=unconfined"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(critical_paths_their_parents_and_subtrees) {
  ContainerPosture p;
  p.seccomp = true;
  p.host_mounts = {{"/", "/host"},           {"/var", "/v"},          {"/etc/shadow", "/s"},
                   {"/dev/sda", "/dev/sda"}, {"/run/xtables.lock", "/x"}, {"/var/lib/docker/volumes/v/_data", "/d"},
                   {"/etc/hosts", "/etc/hosts"}, {"/srv", "/etc/resolv.conf"}, {"/home/u", "/home"},
                   {"/var/run/docker.sock", "/var/run/docker.sock"}};
  BOOST_TEST(startup_findings(p, default_startup_policy(), "") ==
                 Findings{R"(mounts:[{"source":"/","destination":"/host"},{"source":"/var","destination":"/v"},)"
                          R"({"source":"/etc/shadow","destination":"/s"},{"source":"/dev/sda","destination":"/dev/sda"},)"
                          R"({"source":"/var/run/docker.sock","destination":"/var/run/docker.sock"}])"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(exceptions_accept_findings_for_matching_images) {
  auto p = posture_of("docker-capadd.json");
  p.capabilities.push_back("CAP_NET_ADMIN");
  p.seccomp = false;
  p.host_mounts.push_back({"/etc", "/hostetc"});
  StartupPolicy policy = default_startup_policy();
  policy.exceptions.push_back({"cni/*", {"capabilities:[CAP_NET_ADMIN]", "seccomp=unconfined",
                                         "mounts:[/etc/]"}});
  BOOST_TEST(startup_findings(p, policy, "cni/flannel:1.0") == Findings{"capabilities:[CAP_SYS_ADMIN]"},
             boost::test_tools::per_element());
  BOOST_TEST(startup_findings(p, policy, "nginx:1.27") ==
                 (Findings{"capabilities:[CAP_SYS_ADMIN,CAP_NET_ADMIN]", "seccomp=unconfined",
                           R"(mounts:[{"source":"/etc","destination":"/hostetc"}])"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(malformed_bundles) {
  BOOST_TEST(!posture_from_oci_config("", capability_names()));
  BOOST_TEST(!posture_from_oci_config("[1,2]", capability_names()));
  auto empty = posture_from_oci_config("{}", capability_names());
  BOOST_REQUIRE(empty);
  BOOST_TEST(startup_findings(*empty, default_startup_policy(), "") == Findings{"seccomp=unconfined"},
             boost::test_tools::per_element());
  auto odd = posture_from_oci_config(R"({"process":{"capabilities":{"bounding":"CAP_SYS_ADMIN"},"noNewPrivileges":"yes"},"mounts":{"a":1}})",
                                     capability_names());
  BOOST_REQUIRE(odd);
  BOOST_TEST(odd->capabilities.empty());
  BOOST_TEST(!odd->no_new_privileges);
}

}  // namespace cshield
