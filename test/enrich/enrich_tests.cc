#define BOOST_TEST_MODULE enrich
#include <boost/test/unit_test.hpp>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/counters.h"
#include "enrich/cgroup_matcher.h"
#include "enrich/container_resolver.h"
#include "enrich/runtime_process.h"
#include "enrich/docker_socket_client.h"
#include "enrich/fs_file_reader.h"
#include "enrich/process_table.h"
#include "support/counter_value.h"

using cshield::testing::counter_value;

using namespace cshield;

namespace {

const std::string kTree = std::string(CSHIELD_SOURCE_DIR) + "/test/data/enrich/node";

const std::string kId = "3f4c2a9b8e7d6c5b4a392817161514131211100f0e0d0c0b0a09080706050403";
const std::string kUid = "d54dbb95-c8ec-5e94-a8f2-dc638625a899";
const std::string kUidUnderscores = "d54dbb95_c8ec_5e94_a8f2_dc638625a899";

// Fixture tree ids (test/data/enrich/node).
const std::string kDocker = "64c72dd686939b4c19e630e3b8c398835f6a51877ebabe46fb0bc0a026add1ab";
const std::string kK8s = "e433b19837fd8c188b5f2b2ad67c7415c19e91048744ab770c8cce8398c80f14";
const std::string kCrio = "d4ed28bd73893c2d98621800d00739f08ebfe794f410bdf9849a2c7b66eeb85b";
const std::string kPodman = "d52b8edd2f9647d4c3fbb94bb93a3ba3b57a98a5fc19c41f54afc91ba70942c8";
const std::string kMalformed = "71a75e946947ce168d61981dc2ee76f44f5aad90b69438e4bc4bd2c888461ede";

CgroupMatch m(std::string runtime, std::string id, std::optional<std::string> pod = std::nullopt) {
  return CgroupMatch{std::move(runtime), std::move(id), std::move(pod)};
}

// Checks one layout both as a v1 line (in a hybrid text) and as a v2 line.
void check_layout(const std::string& path, const std::optional<CgroupMatch>& want) {
  std::string v1 = "12:name=systemd:" + path + "\n11:pids:" + path + "\n7:memory:" + path +
                   "\n5:cpu,cpuacct:" + path + "\n0::/\n";
  std::string v2 = "0::" + path + "\n";
  for (const std::string& text : {v1, v2}) {
    BOOST_TEST_CONTEXT(text) {
      auto got = match_cgroup(text);
      BOOST_TEST(got.has_value() == want.has_value());
      if (got && want) {
        BOOST_TEST(got->runtime == want->runtime);
        BOOST_TEST(got->id == want->id);
        BOOST_TEST((got->pod_uid == want->pod_uid));
      }
    }
  }
}

class MapFileReader : public FileReader {
 public:
  std::map<std::string, std::string> files, links;
  std::optional<std::string> read(const std::string& path, std::size_t max_bytes) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second.substr(0, max_bytes);
  }
  std::optional<std::string> read_link(const std::string& path) const override {
    auto it = links.find(path);
    if (it == links.end()) return std::nullopt;
    return it->second;
  }
  bool exists(const std::string& path) const override { return files.count(path) > 0; }
};

std::string stat_line(int pid, const std::string& comm, int ppid, std::uint64_t start) {
  return std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid) +
         " 1 1 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0 " + std::to_string(start) + " 12345678 300\n";
}

// A container runtime on the host, as /proc shows it: `args` its command
// line, its arguments separated by spaces here (by NULs in /proc).
void add_host_runtime(MapFileReader& files, int pid, const std::string& exe, std::string args,
                      const std::string& cgroup = "0::/user.slice\n") {
  const std::string proc = "/proc/" + std::to_string(pid);
  files.files[proc + "/stat"] = stat_line(pid, exe.substr(exe.rfind('/') + 1), 1, 900);
  files.files[proc + "/cgroup"] = cgroup;
  std::replace(args.begin(), args.end(), ' ', '\0');
  files.files[proc + "/cmdline"] = args + std::string(1, '\0');
  files.links[proc + "/exe"] = exe;
}

// The process exits: /proc no longer has it.
void remove_process(MapFileReader& files, int pid) {
  const std::string proc = "/proc/" + std::to_string(pid) + "/";
  for (auto* map : {&files.files, &files.links})
    for (auto it = map->lower_bound(proc); it != map->end() && it->first.rfind(proc, 0) == 0;) it = map->erase(it);
}

// A runtime's process as its event tells it: exe, comm and title (PROCTITLE).
ProcessInfo runtime_event_process(int pid, int ppid, const std::string& exe, const std::string& title = "") {
  ProcessInfo p;
  p.pid = pid;
  p.ppid = ppid;
  p.exe = exe;
  p.comm = exe.substr(exe.rfind('/') + 1);
  p.cmdline = title;
  return p;
}

class FakeDocker : public DockerClient {
 public:
  std::optional<DockerContainer> inspect(const std::string& id) const override {
    ++calls;
    if (id != kDocker) return std::nullopt;
    return DockerContainer{"web-from-api", "registry.example/nginx:1.27-api", {}};
  }
  mutable int calls = 0;
};

ProcessInfo proc(int pid, int ppid = 0) {
  ProcessInfo p;
  p.pid = pid;
  p.ppid = ppid;
  return p;
}

}  // namespace

// ---------------------------------------------------------------- matcher

BOOST_AUTO_TEST_CASE(matcher_docker_layouts) {
  check_layout("/docker/" + kId, m("docker", kId));
  check_layout("/system.slice/docker-" + kId + ".scope", m("docker", kId));
}

BOOST_AUTO_TEST_CASE(matcher_containerd_and_kubepods_layouts) {
  check_layout("/system.slice/cri-containerd-" + kId + ".scope", m("containerd", kId));
  check_layout("/system.slice/containerd.service/kubepods-burstable-pod" + kUidUnderscores +
                   ".slice:cri-containerd:" + kId,
               m("kubernetes", kId, kUid));
  check_layout("/kubepods/besteffort/pod" + kUid + "/" + kId, m("kubernetes", kId, kUid));
  check_layout("/kubepods/pod" + kUid + "/" + kId, m("kubernetes", kId, kUid));  // guaranteed QoS
  check_layout("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidUnderscores +
                   ".slice/cri-containerd-" + kId + ".scope",
               m("kubernetes", kId, kUid));
  check_layout("/kubepods.slice/kubepods-pod" + kUidUnderscores + ".slice/cri-containerd-" + kId + ".scope",
               m("kubernetes", kId, kUid));
  // A pod-level cgroup holds no container.
  check_layout("/kubepods/besteffort/pod" + kUid, std::nullopt);
}

BOOST_AUTO_TEST_CASE(matcher_crio_layouts) {
  check_layout("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidUnderscores +
                   ".slice/crio-" + kId + ".scope",
               m("cri-o", kId, kUid));
  check_layout("/machine.slice/crio-" + kId + ".scope", m("cri-o", kId));
  check_layout("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidUnderscores +
                   ".slice/crio-conmon-" + kId + ".scope",
               std::nullopt);
}

BOOST_AUTO_TEST_CASE(matcher_kubepods_layouts_of_the_cgroupfs_driver_and_nested_kubelets) {
  check_layout("/kubepods/burstable/pod" + kUid + "/crio-" + kId, m("cri-o", kId, kUid));
  check_layout("/kubepods/pod" + kUid + "/crio-" + kId, m("cri-o", kId, kUid));
  check_layout("/kubepods/burstable/pod" + kUid + "/crio-conmon-" + kId, std::nullopt);
  // kind: the kubelet's cgroups under its own slice.
  check_layout("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
               "kubelet-kubepods-besteffort-pod" + kUidUnderscores + ".slice/cri-containerd-" + kId + ".scope",
               m("kubernetes", kId, kUid));
}

BOOST_AUTO_TEST_CASE(matcher_podman_and_nerdctl_layouts) {
  check_layout("/machine.slice/libpod-" + kId + ".scope", m("podman", kId));
  check_layout("/machine.slice/libpod-" + kId + ".scope/container", m("podman", kId));
  check_layout("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope",
               m("podman", kId));
  check_layout("/machine.slice/libpod-conmon-" + kId + ".scope", std::nullopt);
  check_layout("/default/" + kId, m("nerdctl", kId));
  check_layout("/system.slice/nerdctl-" + kId + ".scope", m("nerdctl", kId));
}

BOOST_AUTO_TEST_CASE(matcher_host_negatives) {
  for (const std::string& path : std::vector<std::string>{"/", "/init.scope", "/system.slice/docker.service", "/system.slice/containerd.service",
        "/user.slice/user-1000.slice/session-2.scope", "/process_api/18fc53b3bcfbb3d8cc64c2b78e533523",
        "/docker/" + kId.substr(0, 63), "/docker/" + std::string(64, 'A'), "/system.slice/docker-" + kId})
    check_layout(path, std::nullopt);
  // This machine's own hybrid cgroup text.
  BOOST_TEST(!match_cgroup("9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
                           "4:memory:/process_api/18fc53b3bcfbb3d8cc64c2b78e533523\n3:cpuset:/\n"
                           "2:cpuacct:/\n1:cpu:/\n0::/\n"));
  BOOST_TEST(!match_cgroup(""));
  BOOST_TEST(!match_cgroup("garbage without colons\n"));
}

BOOST_AUTO_TEST_CASE(matcher_prefers_systemd_then_memory_lines_and_takes_any_match) {
  const std::string other(64, 'b');
  // Only the memory line names the container.
  auto got = match_cgroup("9:name=systemd:/\n4:memory:/docker/" + kId + "\n0::/\n");
  BOOST_TEST((got == m("docker", kId)));
  // Lines disagree: name=systemd first, then memory, before the v2 line.
  got = match_cgroup("0::/docker/" + other + "\n4:memory:/docker/" + kId + "\n9:name=systemd:/system.slice/docker-" +
                     other + ".scope\n");
  BOOST_TEST((got == m("docker", other)));
  got = match_cgroup("0::/docker/" + other + "\n3:cpuset:/docker/" + other + "\n4:memory:/docker/" + kId + "\n");
  BOOST_TEST((got == m("docker", kId)));
  // Only an unranked controller names it.
  got = match_cgroup("9:name=systemd:/\n3:cpuset:/docker/" + kId + "\n");
  BOOST_TEST((got == m("docker", kId)));
}

BOOST_AUTO_TEST_CASE(matcher_finds_plain_runc_and_crun_through_their_state_dirs) {
  FsFileReader files(kTree);
  CgroupMatcher matcher(files);
  // As runc 1.1 places "runc run -d mybox" on this machine (v1 hybrid).
  auto got = matcher.match(*files.read("/proc/500/cgroup"));
  BOOST_TEST((got == m("runc", "mybox")));
  got = matcher.match("4:memory:/process_api/18fc53b3bcfbb3d8cc64c2b78e533523/mybox\n");
  BOOST_TEST((got == m("runc", "mybox")));
  got = matcher.match("0::/system.slice/runc-mybox.scope\n");
  BOOST_TEST((got == m("runc", "mybox")));
  got = matcher.match("0::/cbox\n");
  BOOST_TEST((got == m("crun", "cbox")));
  // The layouts still win, and nothing else is a container.
  got = matcher.match("0::/docker/" + kId + "\n");
  BOOST_TEST((got == m("docker", kId)));
  BOOST_TEST(!matcher.match("0::/otherbox\n"));
  BOOST_TEST(!matcher.match("0::/\n"));
  BOOST_TEST(!matcher.match("0::/..\n"));
  BOOST_TEST(!matcher.match("4:memory:/process_api/18fc53b3bcfbb3d8cc64c2b78e533523\n"));
}

// ----------------------------------------------------------- process table

BOOST_AUTO_TEST_CASE(process_table_is_bounded_lru) {
  ProcessTable table(2);
  ProcessInfo a = proc(1, 0), b = proc(2, 1), c = proc(3, 2);
  a.exe = "/sbin/init";
  table.update(a);
  table.update(b);
  BOOST_TEST(table.lookup(1) != nullptr);  // 1 is now more recent than 2
  table.update(c);
  BOOST_TEST(table.size() == 2u);
  BOOST_TEST(table.lookup(2) == nullptr);
  BOOST_TEST(table.lookup(1)->exe == "/sbin/init");
  BOOST_TEST(table.lookup(3)->ppid == 2);
  BOOST_TEST(table.lookup(3)->last_seen > table.lookup(1)->last_seen);
  table.remove(3);
  BOOST_TEST(table.lookup(3) == nullptr);
}

BOOST_AUTO_TEST_CASE(process_table_drops_a_host_placement_when_the_program_changes) {
  ProcessTable table;
  ProcessInfo p = proc(10, 1);
  p.exe = "/usr/sbin/runc";
  p.comm = "runc:[2:INIT]";
  table.update(p).placement = Placement::kHost;
  table.update(p);  // same program: kept
  BOOST_TEST((table.lookup(10)->placement == Placement::kHost));
  p.exe = "/bin/sh";
  p.comm = "sh";
  table.update(p);
  BOOST_TEST((table.lookup(10)->placement == Placement::kUnknown));
  table.lookup(10)->placement = Placement::kContainer;
  p.exe = "/bin/ls";
  table.update(p);  // a container placement survives execve
  BOOST_TEST((table.lookup(10)->placement == Placement::kContainer));
}

// --------------------------------------------------------------- resolver

BOOST_AUTO_TEST_CASE(resolves_docker_from_config_v2_json) {
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(100);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kDocker);
  BOOST_TEST(c->runtime == "docker");
  BOOST_TEST(c->name == "web-1");
  BOOST_TEST(c->image == "nginx:1.27");
  BOOST_TEST(c->bundle == "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/" + kDocker);
  BOOST_TEST(c->rootfs == "/var/lib/docker/overlay2/" + std::string(64, '2') + "/merged");
  BOOST_TEST(!c->pod.has_value());
  // The process is completed from /proc.
  BOOST_TEST(p.exe == "/usr/sbin/nginx");
  BOOST_TEST(p.cmdline == "nginx");
  BOOST_TEST(p.comm == "nginx");
  BOOST_TEST(p.ppid == 90);
  BOOST_TEST(*resolver.processes().lookup(100)->start_time == 5000u);
}

BOOST_AUTO_TEST_CASE(docker_api_name_and_image_win_over_config_v2_json) {
  FsFileReader files(kTree);
  FakeDocker docker;
  ContainerResolver resolver(files, &docker, nullptr);
  ProcessInfo p = proc(100);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->name == "web-from-api");
  BOOST_TEST(c->image == "registry.example/nginx:1.27-api");
  BOOST_TEST(docker.calls == 1);
  // Same container through another process: metadata is cached per id.
  ProcessInfo sibling = proc(700);
  c = resolver.resolve(sibling);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kDocker);
  BOOST_TEST(docker.calls == 1);
}

BOOST_AUTO_TEST_CASE(resolves_a_kubernetes_containerd_container_from_cri_annotations) {
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(200);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kK8s);
  BOOST_TEST(c->runtime == "kubernetes");
  BOOST_TEST(c->name == "api");
  BOOST_TEST(c->image == "registry.example/api:2.3");
  BOOST_TEST(c->pod.value_or("") == "api-7d4b9c-xk2lp");
  BOOST_TEST(c->namespace_.value_or("") == "prod");
  BOOST_TEST(c->bundle == "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + kK8s);
  BOOST_TEST(c->rootfs == c->bundle + "/rootfs");
  // The annotations are the labels policy groups select on.
  BOOST_TEST(c->labels.at("io.kubernetes.cri.container-type") == "container");
  BOOST_TEST(c->labels.size() == 6u);
}

BOOST_AUTO_TEST_CASE(resolves_a_crio_container) {
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(300);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kCrio);
  BOOST_TEST(c->runtime == "cri-o");
  BOOST_TEST(c->name == "cache");
  BOOST_TEST(c->image == "docker.io/library/redis:7");
  BOOST_TEST(c->pod.value_or("") == "cache-0");
  BOOST_TEST(c->namespace_.value_or("") == "staging");
  BOOST_TEST(c->bundle == "/run/containers/storage/overlay-containers/" + kCrio + "/userdata");
  BOOST_TEST(c->rootfs == "/var/lib/containers/storage/overlay/" + std::string(64, '3') + "/merged");
}

// The cgroupfs cgroup driver: kubelet's /kubepods/<qos>/pod<uid>/<id> (cgroup
// v1, every controller) for containerd, .../crio-<id> for CRI-O.
BOOST_AUTO_TEST_CASE(resolves_kubernetes_containers_of_the_cgroupfs_driver_with_pod_namespace_and_name) {
  const std::string uid = "8f2a6c1e-3b4d-4e5f-9a7b-0c1d2e3f4a5b";
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo worker = proc(210);
  auto c = resolver.resolve(worker);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "7b1e0c7f5a4d4e2b9c3f1a6d8e0b2c4f6a8d0e2b4c6f8a0d2e4b6c8f0a2d4e6b");
  BOOST_TEST(c->runtime == "kubernetes");
  BOOST_TEST(c->name == "worker");
  BOOST_TEST(c->pod.value_or("") == "worker-5f7c9d-q8kzt");
  BOOST_TEST(c->namespace_.value_or("") == "batch");
  BOOST_TEST(c->image == "registry.example/batch/worker:1.4");
  BOOST_TEST(match_cgroup(*files.read("/proc/210/cgroup"))->pod_uid.value_or("") == uid);

  ProcessInfo web = proc(310);
  c = resolver.resolve(web);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "5c0ffee15bad5eed0ddba11ca11ab1e5c0ffee15bad5eed0ddba11ca11ab1e5a");
  BOOST_TEST(c->runtime == "cri-o");
  BOOST_TEST(c->name == "web");
  BOOST_TEST(c->pod.value_or("") == "web-0");
  BOOST_TEST(c->namespace_.value_or("") == "shop");
  BOOST_TEST(c->image == "docker.io/library/nginx:1.27");
  BOOST_TEST(match_cgroup(*files.read("/proc/310/cgroup"))->pod_uid.value_or("") == uid);
}

BOOST_AUTO_TEST_CASE(resolves_a_podman_container) {
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(400);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kPodman);
  BOOST_TEST(c->runtime == "podman");
  BOOST_TEST(c->name == "db-1");
  BOOST_TEST(c->image == "docker.io/library/postgres:16");
  BOOST_TEST(c->bundle == "/var/lib/containers/storage/overlay-containers/" + kPodman + "/userdata");
  BOOST_TEST(c->rootfs == "/var/lib/containers/storage/overlay/" + std::string(64, '4') + "/merged");
}

BOOST_AUTO_TEST_CASE(resolves_plain_runc_through_state_json_and_its_bundle) {
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(500);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "mybox");
  BOOST_TEST(c->runtime == "runc");
  BOOST_TEST(c->name == "mybox");
  BOOST_TEST(c->bundle == "/srv/bundles/mybox");
  BOOST_TEST(c->rootfs == "/srv/bundles/mybox/rootfs");
}

BOOST_AUTO_TEST_CASE(resolves_crun_through_its_status_file) {
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(600);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "cbox");
  BOOST_TEST(c->runtime == "crun");
  BOOST_TEST(c->name == "cbox");
  BOOST_TEST(c->bundle == "/srv/bundles/cbox");
  BOOST_TEST(c->rootfs == "/srv/bundles/cbox/rootfs");
}

BOOST_AUTO_TEST_CASE(host_processes_resolve_to_nothing) {
  FsFileReader files(kTree);
  Counters counters;
  ContainerResolver resolver(files, nullptr, &counters);
  for (int pid : {1, 900}) {
    ProcessInfo p = proc(pid);
    BOOST_TEST(!resolver.resolve(p).has_value());
    BOOST_TEST((resolver.processes().lookup(pid)->placement == Placement::kHost));
  }
  BOOST_TEST(counter_value(counters, "enrich.resolved") == 2u);
  BOOST_TEST(counter_value(counters, "enrich.failures") == 0u);
}

BOOST_AUTO_TEST_CASE(a_short_lived_process_is_resolved_through_its_parent) {
  FsFileReader files(kTree);
  Counters counters;
  ContainerResolver resolver(files, nullptr, &counters);
  ProcessInfo p = proc(701, 700);  // 701 is gone from /proc; 700 runs in the docker container
  p.exe = "/bin/true";
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kDocker);
  BOOST_TEST(c->name == "web-1");
  BOOST_TEST(p.exe == "/bin/true");
  BOOST_TEST(counter_value(counters, "enrich.ancestor_fallbacks") == 1u);
  // The decision is kept for the pid's later events.
  c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(counter_value(counters, "enrich.cache_hits") == 1u);
}

BOOST_AUTO_TEST_CASE(a_parent_chain_known_only_to_the_process_table_decides) {
  FsFileReader files(kTree);
  Counters counters;
  ContainerResolver resolver(files, nullptr, &counters);
  ProcessInfo app = proc(200);
  BOOST_TEST_REQUIRE(resolver.resolve(app).has_value());
  // 950 (a child of 200) and 951 are gone from /proc; only events told of 950.
  resolver.processes().update(proc(950, 200));
  ProcessInfo p = proc(951, 950);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kK8s);
  BOOST_TEST(c->pod.value_or("") == "api-7d4b9c-xk2lp");
  BOOST_TEST(counter_value(counters, "enrich.ancestor_fallbacks") == 1u);

  // Nothing known at all: a failure, not a host verdict.
  ProcessInfo orphan = proc(4000, 3999);
  BOOST_TEST(!resolver.resolve(orphan).has_value());
  BOOST_TEST(counter_value(counters, "enrich.failures") == 1u);
  BOOST_TEST((resolver.processes().lookup(4000)->placement == Placement::kUnknown));
}

BOOST_AUTO_TEST_CASE(malformed_runtime_state_still_resolves_the_container_id) {
  FsFileReader files(kTree);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(800);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kMalformed);
  BOOST_TEST(c->runtime == "docker");
  BOOST_TEST(c->name.empty());
  BOOST_TEST(c->image.empty());
  BOOST_TEST(c->rootfs.empty());
  BOOST_TEST(c->bundle == "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/" + kMalformed);
}

BOOST_AUTO_TEST_CASE(cmdline_nuls_become_spaces_and_a_reused_pid_is_resolved_again) {
  MapFileReader files;
  files.files["/proc/42/stat"] = stat_line(42, "curl) (x", 41, 1000);  // comm with parentheses
  files.files["/proc/42/cmdline"] = std::string("curl\0-s\0http://example/x.sh\0", 29);
  files.files["/proc/42/cgroup"] = "0::/docker/" + kId + "\n";
  files.links["/proc/42/exe"] = "/usr/bin/curl";
  Counters counters;
  ContainerResolver resolver(files, nullptr, &counters);
  ProcessInfo p = proc(42);
  auto c = resolver.resolve(p);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kId);
  BOOST_TEST(c->name.empty());  // no metadata source in this tree
  BOOST_TEST(p.cmdline == "curl -s http://example/x.sh");
  BOOST_TEST(p.comm == "curl) (x");
  BOOST_TEST(p.ppid == 41);
  BOOST_TEST(p.exe == "/usr/bin/curl");

  ProcessInfo again = proc(42);
  BOOST_TEST(resolver.resolve(again).has_value());
  BOOST_TEST(counter_value(counters, "enrich.cache_hits") == 1u);

  // The pid now belongs to a new host process (another start time).
  files.files["/proc/42/stat"] = stat_line(42, "bash", 1, 2000);
  files.files["/proc/42/cgroup"] = "0::/user.slice/user-0.slice/session-1.scope\n";
  ProcessInfo reused = proc(42);
  BOOST_TEST(!resolver.resolve(reused).has_value());
  BOOST_TEST(counter_value(counters, "enrich.resolved") == 2u);
}

BOOST_AUTO_TEST_CASE(a_busy_process_is_not_reread_from_proc_but_a_new_exe_is) {
  struct CountingReader : MapFileReader {
    mutable int reads = 0;
    std::optional<std::string> read(const std::string& path, std::size_t max_bytes) const override {
      ++reads;
      return MapFileReader::read(path, max_bytes);
    }
  } files;
  files.files["/proc/42/stat"] = stat_line(42, "storm", 41, 1000);
  files.files["/proc/42/cgroup"] = "0::/docker/" + kId + "\n";
  files.files["/var/lib/docker/containers/" + kId + "/config.v2.json"] =
      R"({"Name":"/storm","Config":{"Image":"busybox"}})";
  ContainerResolver resolver(files, nullptr, nullptr);
  auto event_process = [](const std::string& exe) {
    ProcessInfo p = proc(42);
    p.exe = exe;
    p.comm = "storm";
    p.cmdline = "/storm 200000";  // from the event's PROCTITLE
    return p;
  };
  ProcessInfo first = event_process("/storm");
  BOOST_TEST_REQUIRE(resolver.resolve(first).has_value());
  const int reads_after_first = files.reads;
  for (int i = 0; i < 100; ++i) {
    ProcessInfo again = event_process("/storm");
    BOOST_TEST_REQUIRE(resolver.resolve(again).has_value());
    BOOST_TEST(again.ppid == 41);
  }
  BOOST_TEST(files.reads == reads_after_first);  // no /proc reads for the repeats
  // The same pid executing something else is checked again.
  files.files["/proc/42/stat"] = stat_line(42, "storm", 1, 5000);
  files.files["/proc/42/cgroup"] = "0::/user.slice\n";
  ProcessInfo other = event_process("/usr/bin/other");
  BOOST_TEST(!resolver.resolve(other).has_value());
  BOOST_TEST(files.reads > reads_after_first);
}

BOOST_AUTO_TEST_CASE(a_title_left_over_from_before_execve_is_replaced_from_proc) {
  MapFileReader files;
  files.files["/proc/42/stat"] = stat_line(42, "storm", 41, 1000);
  files.files["/proc/42/cgroup"] = "0::/docker/" + kId + "\n";
  files.files["/proc/42/cmdline"] = std::string("/storm\0" "10\0", 10);
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo p = proc(42);
  p.exe = "/storm";
  p.comm = "storm";
  p.cmdline = "runc init";  // the kernel's PROCTITLE, cached before the exec
  BOOST_TEST_REQUIRE(resolver.resolve(p).has_value());
  BOOST_TEST(p.cmdline == "/storm 10");
  ProcessInfo fine = proc(42);
  fine.exe = "/usr/bin/python3.11";
  fine.comm = "python3";
  fine.cmdline = "python3 -c x";  // a real title: kept
  resolver.resolve(fine);
  BOOST_TEST(fine.cmdline == "python3 -c x");
}

BOOST_AUTO_TEST_CASE(runc_init_seen_before_the_state_is_written_does_not_make_its_children_host) {
  MapFileReader files;
  // runc:[2:INIT] (pid 60) already in the container's cgroup, no state.json yet.
  files.files["/proc/60/stat"] = stat_line(60, "runc:[2:INIT]", 59, 700);
  files.files["/proc/60/cgroup"] = "0::/web\n";
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo init = proc(60, 59);
  init.comm = "runc:[2:INIT]";
  init.exe = "/";
  BOOST_TEST(!resolver.resolve(init).has_value());
  // The container runs (state written, init is now sh); a child of it calls
  // ptrace and is gone before its own cgroup is read.
  files.files["/run/runc/web/state.json"] = "{}";
  files.files["/proc/60/stat"] = stat_line(60, "sh", 59, 700);
  ProcessInfo child = proc(61, 60);
  child.exe = "/helper";
  child.comm = "helper";
  auto c = resolver.resolve(child);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "web");
}

BOOST_AUTO_TEST_CASE(runtime_command_lines_name_their_container) {
  auto id_of = [](std::string_view exe, std::vector<std::string> argv) {
    auto m = container_of_runtime_process(exe, argv);
    return m ? m->runtime + "/" + m->id : std::string("none");
  };
  BOOST_TEST(id_of("/usr/sbin/runc", {"runc", "run", "storm1"}) == "runc/storm1");
  BOOST_TEST(id_of("/usr/sbin/runc", {"runc", "--log", "/x.log", "run", "-d", "--bundle", "/b", "web"}) == "runc/web");
  BOOST_TEST(id_of("/usr/sbin/runc", {"runc", "--root", "/run/docker/runtime-runc/moby", "exec", "--process",
                                     "/tmp/p.json", "--detach", "--pid-file", "/x.pid", kId}) == "docker/" + kId);
  BOOST_TEST(id_of("/usr/bin/crun", {"crun", "create", "--bundle=/b", "c1"}) == "crun/c1");
  BOOST_TEST(id_of("/usr/bin/containerd-shim-runc-v2",
                   {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", kId, "-address", "/run/x.sock"}) ==
             "docker/" + kId);
  BOOST_TEST(id_of("/usr/bin/containerd-shim-runc-v2", {"shim", "-namespace", "k8s.io", "-id", "abc"}) == "kubernetes/abc");
  BOOST_TEST(id_of("/usr/bin/conmon", {"conmon", "--api-version", "1", "-c", "abc", "-u", "abc"}) == "cri-o/abc");
  // Not a container's runtime at work.
  BOOST_TEST(id_of("/usr/sbin/runc", {"runc", "list"}) == "none");
  BOOST_TEST(id_of("/usr/sbin/runc", {"runc", "delete", "-f", "x"}) == "none");
  BOOST_TEST(id_of("/usr/bin/bash", {"bash", "run", "x"}) == "none");
}

BOOST_AUTO_TEST_CASE(a_gone_process_whose_parent_is_the_runtime_is_in_its_container) {
  // `runc run storm1`: the container's init (pid 50) ran, called ptrace and
  // exited before its cgroup was read; its parent is runc, in the host cgroup.
  MapFileReader files;
  add_host_runtime(files, 49, "/usr/sbin/runc", "runc run storm1");
  files.files["/run/runc/storm1/state.json"] = "{}";
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo gone = proc(50, 49);
  gone.exe = "/storm";
  auto c = resolver.resolve(gone);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "storm1");
  BOOST_TEST(c->runtime == "runc");
  // The runtime itself stays a host process.
  ProcessInfo runtime = proc(49);
  BOOST_TEST(!resolver.resolve(runtime).has_value());
}

// The reader works records after the fact (under load, or when it reads
// late): `runc run --bundle /b storm1` was placed at its execve, while it
// ran; its container's init (pid 50) called ptrace and exited, and runc
// exited after it, before the init's records were worked.
BOOST_AUTO_TEST_CASE(a_runtime_placed_while_at_work_places_its_gone_children_once_it_is_gone_too) {
  MapFileReader files;
  add_host_runtime(files, 49, "/usr/sbin/runc", "runc run --bundle /b storm1");
  files.files["/run/runc/storm1/state.json"] = "{}";
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo runtime = runtime_event_process(49, 1, "/usr/sbin/runc", "runc run --bundle /b storm1");
  BOOST_TEST(!resolver.resolve(runtime).has_value());  // the runtime itself is a host process
  remove_process(files, 49);

  ProcessInfo gone = proc(50, 49);
  gone.exe = "/storm";
  gone.comm = "storm";
  auto c = resolver.resolve(gone);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "storm1");
  BOOST_TEST(c->runtime == "runc");
  // A gone grandchild, known only through events, is placed there too.
  resolver.processes().update(proc(52, 50));
  ProcessInfo grandchild = proc(53, 52);
  c = resolver.resolve(grandchild);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "storm1");

  // The pid running another program works for no container any more.
  ProcessInfo reused = proc(49, 1);
  reused.exe = "/usr/bin/sleep";
  reused.comm = "sleep";
  resolver.processes().update(reused);
  BOOST_TEST(!resolver.processes().lookup(49)->works_for);
  ProcessInfo host_child = proc(60, 49);
  BOOST_TEST(!resolver.resolve(host_child).has_value());
}

// The runtime already gone when its own execve is worked: its title (the
// event's PROCTITLE) names the container when the kernel kept it whole.
BOOST_AUTO_TEST_CASE(a_runtime_gone_before_its_execve_is_worked_is_known_by_its_whole_title) {
  MapFileReader files;
  files.files["/run/runc/storm2/state.json"] = "{}";
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo runtime = runtime_event_process(49, 1, "/usr/sbin/runc", "runc run --bundle /b storm2");
  resolver.resolve(runtime);
  ProcessInfo gone = proc(50, 49);
  auto c = resolver.resolve(gone);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "storm2");
  // A title at the kernel's 128-byte cut may end inside the id: not taken.
  ProcessInfo cut = runtime_event_process(59, 1, "/usr/sbin/runc",
                                          "runc --root /run/docker/runtime-runc/moby create --bundle /b " +
                                              std::string(127 - 61, 'a'));
  BOOST_TEST_REQUIRE(cut.cmdline.size() == 127u);
  resolver.resolve(cut);
  BOOST_TEST(!resolver.processes().lookup(59)->works_for);
  ProcessInfo cut_child = proc(60, 59);
  BOOST_TEST(!resolver.resolve(cut_child).has_value());
}

// `docker exec web cat /etc/shadow`: cat (pid 32) and `runc exec` (pid 31,
// placed on the host at its execve; its title cut before the id, its
// /proc gone) are gone; the shim above them (pid 30) still runs.
BOOST_AUTO_TEST_CASE(a_runtime_that_cannot_tell_its_container_passes_the_question_to_its_parent) {
  MapFileReader files;
  add_host_runtime(files, 30, "/usr/bin/containerd-shim-runc-v2",
                   "/usr/bin/containerd-shim-runc-v2 -namespace moby -id " + kId);
  files.files["/proc/31/stat"] = stat_line(31, "runc", 30, 900);
  files.files["/proc/31/cgroup"] = "0::/system.slice/containerd.service\n";
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo runc_exec = runtime_event_process(
      31, 30, "/usr/sbin/runc",
      "runc --root /run/docker/runtime-runc/moby --log /run/containerd/io.containerd.runtime.v2.task/moby/" +
          kId.substr(0, 30));
  BOOST_TEST(!resolver.resolve(runc_exec).has_value());
  BOOST_TEST((resolver.processes().lookup(31)->placement == Placement::kHost));
  remove_process(files, 31);
  ProcessInfo cat = proc(32, 31);
  cat.exe = "/bin/cat";
  auto c = resolver.resolve(cat);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kId);
  BOOST_TEST(c->runtime == "docker");
}

// CRI-O runs runc with runc's own root: by its command line the container is
// runc's, by its cgroup CRI-O's. Once a cgroup has named it, the container
// is CRI-O's, also for the processes its runtime's command line placed.
BOOST_AUTO_TEST_CASE(a_cgroup_names_the_runtime_over_a_runtime_command_line) {
  MapFileReader files;
  add_host_runtime(files, 49, "/usr/sbin/runc", "runc create " + kId, "0::/system.slice/crio.service\n");
  files.files["/proc/51/stat"] = stat_line(51, "cache", 49, 950);
  files.files["/proc/51/cgroup"] = "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                                   kUidUnderscores + ".slice/crio-" + kId + ".scope\n";
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo runtime = runtime_event_process(49, 1, "/usr/sbin/runc");
  resolver.resolve(runtime);
  ProcessInfo stage = proc(50, 49);  // a runc init stage, gone
  auto c = resolver.resolve(stage);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->runtime == "runc");
  ProcessInfo app = proc(51, 49);
  c = resolver.resolve(app);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == kId);
  BOOST_TEST(c->runtime == "cri-o");
  ProcessInfo later = proc(52, 49);  // gone, placed through the runtime again
  c = resolver.resolve(later);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->runtime == "cri-o");
}

// runc placed on the host through an event that could not read its command
// line (here: /proc/48/cmdline unreadable then); its gone child is placed in
// the container its command line names once it can be read.
BOOST_AUTO_TEST_CASE(a_host_placed_runtime_is_asked_again_for_a_gone_child) {
  MapFileReader files;
  add_host_runtime(files, 48, "/usr/sbin/runc", "runc exec web");
  const std::string cmdline = files.files["/proc/48/cmdline"];
  files.files.erase("/proc/48/cmdline");
  files.files["/run/runc/web/state.json"] = "{}";
  ContainerResolver resolver(files, nullptr, nullptr);
  ProcessInfo runtime = runtime_event_process(48, 1, "/usr/sbin/runc");
  BOOST_TEST(!resolver.resolve(runtime).has_value());
  files.files["/proc/48/cmdline"] = cmdline;
  ProcessInfo gone = proc(51, 48);
  gone.exe = "/bin/cat";
  auto c = resolver.resolve(gone);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == "web");
  // A host process that is no runtime still places its gone child on the host.
  files.files["/proc/70/stat"] = stat_line(70, "bash", 1, 950);
  files.files["/proc/70/cgroup"] = "0::/user.slice\n";
  ProcessInfo bash = proc(70, 1);
  bash.exe = "/usr/bin/bash";
  BOOST_TEST(!resolver.resolve(bash).has_value());
  ProcessInfo bash_child = proc(71, 70);
  BOOST_TEST(!resolver.resolve(bash_child).has_value());
  BOOST_TEST((resolver.processes().lookup(71)->placement == Placement::kHost));
}

BOOST_AUTO_TEST_CASE(missing_metadata_is_retried_a_bounded_number_of_times) {
  MapFileReader files;
  for (int pid : {51, 52, 53, 54}) files.files["/proc/" + std::to_string(pid) + "/cgroup"] = "0::/docker/" + kId + "\n";
  Counters counters;
  ContainerResolver resolver(files, nullptr, &counters, ResolverLimits{16, 16, 8, 2});
  ProcessInfo a = proc(51), b = proc(52);
  BOOST_TEST(resolver.resolve(a)->name.empty());
  // The container's config appears (it was being created).
  files.files["/var/lib/docker/containers/" + kId + "/config.v2.json"] =
      R"({"Name":"/late","Config":{"Image":"busybox"}})";
  BOOST_TEST(resolver.resolve(b)->name == "late");
  BOOST_TEST(counter_value(counters, "enrich.metadata_missing") == 1u);
}

// ------------------------------------------------------- docker API client

namespace {

// Serves one connection on a Unix socket: reads the request head, answers
// with `response` (or, when empty, holds the connection open until the
// client gives up), then waits for the client to close.
class FakeDockerDaemon {
 public:
  explicit FakeDockerDaemon(std::string response)
      : path_("/tmp/cshield-enrich-test-" + std::to_string(::getpid()) + "-" + std::to_string(++instances_) +
              ".sock"),
        response_(std::move(response)) {
    ::unlink(path_.c_str());
    server_.bind(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path_));
    server_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDockerDaemon() {
    if (thread_.joinable()) thread_.join();
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  // The request head the client sent; call after the client returned.
  std::string request() {
    thread_.join();
    return request_;
  }

 private:
  void serve() {
    try {
      Poco::Net::StreamSocket conn = server_.acceptConnection();
      conn.setReceiveTimeout(Poco::Timespan(10, 0));
      char buf[4096];
      int n;
      while (request_.find("\r\n\r\n") == std::string::npos && (n = conn.receiveBytes(buf, sizeof buf)) > 0)
        request_.append(buf, static_cast<std::size_t>(n));
      if (!response_.empty()) conn.sendBytes(response_.data(), static_cast<int>(response_.size()));
      while (conn.receiveBytes(buf, sizeof buf) > 0) {
      }
    } catch (...) {
    }
  }
  static inline int instances_ = 0;
  std::string path_;
  std::string response_;
  std::string request_;
  Poco::Net::ServerSocket server_;
  std::thread thread_;
};

std::string http_response(const std::string& status, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

BOOST_AUTO_TEST_CASE(docker_socket_client_inspects_over_the_unix_socket) {
  FakeDockerDaemon daemon(http_response(
      "200 OK", R"({"Id":")" + kId + R"(","Name":"/web-1","Config":{"Image":"nginx:1.27","Labels":{"app":"web"}}})"));
  DockerSocketClient client(daemon.path());
  auto c = client.inspect(kId);
  BOOST_TEST(daemon.request().rfind("GET /containers/" + kId + "/json HTTP/1.1\r\n", 0) == 0u);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->name == "web-1");
  BOOST_TEST(c->image == "nginx:1.27");
  BOOST_TEST(c->labels.at("app") == "web");
}

BOOST_AUTO_TEST_CASE(docker_socket_client_failures_are_nullopt) {
  {
    FakeDockerDaemon daemon(http_response("404 Not Found", R"({"message":"No such container"})"));
    BOOST_TEST(!DockerSocketClient(daemon.path()).inspect(kId).has_value());
  }
  {
    FakeDockerDaemon daemon(http_response("200 OK", "{not json"));
    BOOST_TEST(!DockerSocketClient(daemon.path()).inspect(kId).has_value());
  }
  {
    FakeDockerDaemon daemon("");  // accepts and never answers
    auto start = std::chrono::steady_clock::now();
    BOOST_TEST(!DockerSocketClient(daemon.path(), std::chrono::milliseconds(200)).inspect(kId).has_value());
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
  }
  BOOST_TEST(!DockerSocketClient("/nonexistent/docker.sock").inspect(kId).has_value());
}
