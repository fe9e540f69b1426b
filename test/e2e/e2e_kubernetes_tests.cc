#define BOOST_TEST_MODULE e2e_kubernetes
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "harness.h"

using namespace e2e;
using Poco::JSON::Array;
using Poco::JSON::Object;

// The image under Docker with exactly what deploy/kubernetes/daemonset.yaml
// grants its container: the capabilities, host PID (and network) namespace,
// user, read-only root filesystem, no privilege escalation, the same host
// paths at the same places, read-only where the manifest says so. The
// grants are read from the manifest (tools/kube/check-manifests --pod-spec),
// never restated here. Only what must not touch this host's own files
// differs: the database and export host paths are temporary directories,
// and the API listens on an ephemeral loopback port.

namespace {

const std::string kNode = "e2e-node-1";
const std::string kTag = "cshield:e2e";

Object::Ptr parse_object(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
}

// The DaemonSet's container as tools/kube/check-manifests reads it.
Object::Ptr pod_spec() {
  const auto r = sh("/usr/bin/python3 " + sh_quote(std::string(CSHIELD_SOURCE_DIR) + "/tools/kube/check-manifests") +
                    " --pod-spec " + sh_quote(std::string(CSHIELD_SOURCE_DIR) + "/deploy/kubernetes") + " 2>&1");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  return parse_object(r.output);
}

std::vector<std::string> strings(const Array::Ptr& a) {
  std::vector<std::string> out;
  for (unsigned i = 0; a && i < a->size(); ++i) out.push_back(a->getElement<std::string>(i));
  return out;
}

// The image, built once from the .deb of this build tree; tools/image/build
// reuses it while the package contents are unchanged.
const std::string& image() {
  static std::string built;
  if (!built.empty()) return built;
  TempDir out;
  const auto pkg = sh("cd " + sh_quote(CSHIELD_BINARY_DIR) + " && cpack -G DEB -B " + sh_quote(out.path()) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(pkg.status == 0, pkg.output);
  const std::string deb = sh("ls " + sh_quote(out.path()) + "/cshield_*.deb").output;
  BOOST_REQUIRE(!deb.empty());
  const auto r = sh(sh_quote(std::string(CSHIELD_SOURCE_DIR) + "/tools/image/build") + " --tag " + kTag + " " +
                    sh_quote(deb.substr(0, deb.find('\n'))) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  const std::string last = r.output.substr(r.output.rfind("image "));
  BOOST_TEST_MESSAGE(last);  // "image cshield:e2e size N bytes (M MiB)"
  BOOST_TEST(last.rfind("image " + kTag + " size ", 0) == 0u);
  built = kTag;
  return built;
}

// Host directories missing before a test, removed (when still empty) after it.
struct CreatedDirs {
  std::vector<std::string> dirs;
  // Notes the outermost missing directory on the way to `path`.
  void note(const std::string& path) {
    for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
      const std::string prefix = path.substr(0, slash);
      if (sh("test -e " + sh_quote(prefix)).status != 0) {
        dirs.push_back(prefix);
        return;
      }
      if (slash == std::string::npos) return;
    }
  }
  ~CreatedDirs() {  // empty directories only: nothing anyone wrote is removed
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it)
      sh("test -d " + sh_quote(*it) + " && find " + sh_quote(*it) + " -depth -type d -empty -delete");
  }
};

// Where the writable host paths and the ConfigMap go for this test.
struct NodeDirs {
  TempDir root;
  std::string config() const { return root.path() + "/config"; }
  std::string host_path(const std::string& path) const { return root.path() + "/host" + path; }
};

// `docker run` arguments for the DaemonSet's container. `drop_cap` removes
// one added capability; `host_pid` false leaves the PID namespace Docker's,
// `host_network` false gives it a network namespace of its own.
std::string run_args(const Object::Ptr& pod, const NodeDirs& dirs, CreatedDirs& created, const std::string& drop_cap = "",
                     bool host_pid = true, bool host_network = true) {
  std::string a;
  if (pod->getValue<bool>("hostPID") && host_pid) a += " --pid host";
  a += pod->getValue<bool>("hostNetwork") && host_network ? " --network host" : " --network none";
  a += " --user " + std::to_string(pod->getValue<int>("user"));
  if (pod->getValue<bool>("readOnlyRootFilesystem")) a += " --read-only";
  if (!pod->getValue<bool>("allowPrivilegeEscalation")) a += " --security-opt no-new-privileges";
  a += " --cap-drop ALL";
  for (const auto& cap : strings(pod->getArray("capabilities")))
    if (cap != drop_cap) a += " --cap-add " + cap;
  for (const auto& dir : strings(pod->getArray("emptyDirs"))) a += " --tmpfs " + sh_quote(dir);
  auto hosts = pod->getArray("hostPaths");
  for (unsigned i = 0; i < hosts->size(); ++i) {
    auto h = hosts->getObject(i);
    const bool ro = h->getValue<bool>("readOnly");
    std::string source = h->getValue<std::string>("path");
    if (!ro) {  // the database and the export: this test's own directories
      source = dirs.host_path(source);
      sh("mkdir -p " + sh_quote(source));
    } else {
      created.note(source);  // Docker makes a missing one, as the kubelet does (DirectoryOrCreate)
    }
    std::string opts = ro ? "ro" : "rw";
    // HostToContainer is rslave; Docker (and the kubelet) need the host
    // mount beneath to be shared for it, which this VM's / is not.
    if (h->getValue<std::string>("propagation") == "HostToContainer") {
      if (sh("findmnt -no PROPAGATION --target " + sh_quote(source) + " | grep -Eq 'shared|slave'").status == 0)
        opts += ",rslave";
      else
        BOOST_TEST_MESSAGE(source << ": the host mount is private, mounted without HostToContainer propagation");
    }
    a += " -v " + sh_quote(source + ":" + h->getValue<std::string>("mountPath") + ":" + opts);
  }
  a += " -v " + sh_quote(dirs.config() + ":" + pod->getObject("config")->getValue<std::string>("mountPath") + ":ro");
  auto env = pod->getObject("env");
  for (const auto& name : env->getNames()) {
    const std::string v = env->getValue<std::string>(name);
    a += " -e " + sh_quote(name + "=" + (v == "fieldRef:spec.nodeName" ? kNode : v));
  }
  a += " " + image();
  for (const auto& arg : strings(pod->getArray("args"))) a += " " + sh_quote(arg);
  return a;
}

const std::string kMetricsListen = "127.0.0.1:19741";

// The ConfigMap's files, with the API on an ephemeral loopback port and the
// metrics listener on a loopback port (the test shares the host's network).
// `node_root` false drops the ConfigMap's [node] root (cshieldd then places
// its watches on the paths of its own mount namespace, the image's files).
void write_config(const Object::Ptr& pod, const NodeDirs& dirs, bool node_root = true) {
  auto files = pod->getObject("config")->getObject("files");
  for (const auto& path : files->getNames()) {
    std::string text = files->getValue<std::string>(path);
    if (path == "cshield.conf") {
      const auto root = text.find("\nroot = ");
      BOOST_REQUIRE(root != std::string::npos);
      if (!node_root) text.erase(root + 1, text.find('\n', root + 1) - root);
      const auto at = text.find("listen = 127.0.0.1:8741");
      BOOST_REQUIRE(at != std::string::npos);
      text.replace(at, 23, "listen = 127.0.0.1:0");
      const auto metrics = text.find("metrics_listen = ");
      BOOST_REQUIRE(metrics != std::string::npos);
      text.replace(metrics, text.find('\n', metrics) - metrics, "metrics_listen = " + kMetricsListen);
    }
    const std::string full = dirs.config() + "/" + path;
    sh("mkdir -p " + sh_quote(full.substr(0, full.rfind('/'))));
    std::ofstream(full) << text;
  }
}

// A container of the image, removed on scope exit.
struct ImageContainer {
  std::string name;
  // Stopped as the kubelet stops a pod (SIGTERM), so that cshieldd removes
  // its rules itself even when a test failed: the kernel resolves an exe=
  // rule's path again to delete it, and /host/... exists only in the pod.
  ~ImageContainer() { sh("docker stop -t 20 " + sh_quote(name) + " >/dev/null 2>&1; docker rm -f " + sh_quote(name) + " >/dev/null 2>&1"); }
  std::string logs() const { return sh("docker logs " + sh_quote(name) + " 2>&1").output; }
  CommandResult ctl(const std::string& args) const {
    return sh("docker exec " + sh_quote(name) + " cshieldctl " + args + " 2>&1");
  }
};

// Runs the DaemonSet's container detached and waits until the DaemonSet's
// own probe passes.
void start_agent(const Object::Ptr& pod, const ImageContainer& agent, const NodeDirs& dirs, CreatedDirs& created,
                 bool host_network = true) {
  sh("docker rm -f " + agent.name + " >/dev/null 2>&1");
  const auto run = sh("docker run -d --name " + agent.name + run_args(pod, dirs, created, "", true, host_network) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(run.status == 0, run.output);
  const auto probe = strings(pod->getArray("probe"));
  BOOST_REQUIRE(probe.size() == 2u && probe[0] == "cshieldctl");
  const bool healthy = eventually([&] { return agent.ctl(probe[1]).output == "ok\n"; }, std::chrono::seconds(60));
  BOOST_REQUIRE_MESSAGE(healthy, "the probe never passed; logs:\n" << agent.logs());
  BOOST_TEST(AuditState::read().pid != "0");  // it is the audit daemon (no auditd here)
}

// The alarms `cshieldctl --json alarms list ARGS` shows in the agent.
std::vector<Object::Ptr> agent_alarms(const ImageContainer& agent, const std::string& args) {
  std::vector<Object::Ptr> out;
  const auto r = agent.ctl("--json alarms list --limit 1000 " + args);
  if (r.status != 0) return out;
  auto items = parse_object(r.output)->getArray("items");
  for (unsigned i = 0; items && i < items->size(); ++i) out.push_back(items->getObject(i));
  return out;
}

// Runs the image to completion with `args`; its exit status and output.
CommandResult run_to_exit(const std::string& args) {
  const std::string name = "cshield-e2e-kube-refused-" + std::to_string(::getpid());
  ImageContainer c{name};
  const auto run = sh("docker run --name " + name + args + " 2>&1");
  if (run.status != 0) return {run.status, run.output};
  const auto waited = sh("timeout 30 docker wait " + name);
  const int status = waited.status == 0 ? std::stoi(waited.output) : -1;
  return {status, c.logs()};
}

}  // namespace

namespace {

// A 64-hex container id unique to this run and `n`.
std::string container_id(int n) {
  char buf[65];
  std::snprintf(buf, sizeof buf, "%08x%056x", static_cast<unsigned>(::getpid()), static_cast<unsigned>(n));
  return buf;
}

// Removes the cgroup directories runc made for `cgroups_path` in every
// hierarchy, innermost first (runc deletes only the container's own).
void remove_cgroup_dirs(std::string cgroups_path) {
  while (cgroups_path.size() > 1) {
    sh("for h in /sys/fs/cgroup /sys/fs/cgroup/*; do rmdir \"$h" + cgroups_path + "\" 2>/dev/null; done; true");
    cgroups_path = cgroups_path.substr(0, cgroups_path.rfind('/'));
  }
}

struct KubeletShaped {
  std::string id, cgroups_path, runtime, pod, ns, name;
  std::map<std::string, std::string> annotations;
  // Where the runtime keeps the bundle's config.json before it calls runc
  // (containerd's shim task dir, CRI-O's userdata dir).
  std::string bundle_dir;
};


}  // namespace

// runc containers as the kubelet's runtimes make them: the CRI annotations
// (containerd's io.kubernetes.cri.*, CRI-O's io.kubernetes.pod.*) in the
// bundle and the cgroup paths of the cgroupfs driver and of the systemd
// driver (the same path, made here with runc's cgroupfs manager since this
// VM's init is not systemd: /proc/<pid>/cgroup reads the same).
BOOST_AUTO_TEST_CASE(kubelet_shaped_runc_containers_raise_alarms_with_pod_namespace_and_container_name) {
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  const std::string uid = "0f1e2d3c-4b5a-4968-8776-" + container_id(0).substr(0, 12);
  std::string uid_ = uid;
  std::replace(uid_.begin(), uid_.end(), '-', '_');
  const std::string a = container_id(1), b = container_id(2);
  const std::vector<KubeletShaped> shapes{
      {a, "/kubepods/burstable/pod" + uid + "/" + a, "kubernetes", "api-7d4b9c-xk2lp", "prod", "api",
       {{"io.kubernetes.cri.container-type", "container"},
        {"io.kubernetes.cri.container-name", "api"},
        {"io.kubernetes.cri.sandbox-name", "api-7d4b9c-xk2lp"},
        {"io.kubernetes.cri.sandbox-namespace", "prod"},
        {"io.kubernetes.cri.sandbox-uid", uid},
        {"io.kubernetes.cri.image-name", "registry.example/api:2.3"}},
       "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + a},
      {b, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uid_ + ".slice/crio-" + b + ".scope",
       "cri-o", "cache-0", "staging", "cache",
       {{"io.kubernetes.container.name", "cache"},
        {"io.kubernetes.pod.name", "cache-0"},
        {"io.kubernetes.pod.namespace", "staging"},
        {"io.kubernetes.pod.uid", uid},
        {"io.kubernetes.cri-o.ImageName", "docker.io/library/redis:7"}},
       "/run/containers/storage/overlay-containers/" + b + "/userdata"},
  };
  CreatedDirs created;
  for (const auto& shape : shapes) created.note(shape.bundle_dir);
  Daemon daemon("netlink");
  daemon.start();
  for (const auto& shape : shapes) {
    BOOST_TEST_CONTEXT(shape.cgroups_path) {
      {
        RuncContainer ctr(shape.id, {}, [&](Object::Ptr spec) {
          Object::Ptr annotations = new Object;
          for (const auto& [k, v] : shape.annotations) annotations->set(k, v);
          spec->set("annotations", annotations);
          spec->getObject("linux")->set("cgroupsPath", shape.cgroups_path);
          sh("mkdir -p " + sh_quote(shape.bundle_dir));
          std::ostringstream json;
          spec->stringify(json, 2);
          std::ofstream(shape.bundle_dir + "/config.json") << json.str();
        });
        BOOST_TEST(sh("cat /proc/" + std::to_string(ctr.init_pid()) + "/cgroup").output.find(shape.cgroups_path) !=
                   std::string::npos);
        ctr.run_helper("ptrace");
        Object::Ptr found;
        eventually([&] {
          for (const auto& al : daemon.alarms("type=high_risk_syscall&subtype=ptrace"))
            if (al->getObject("process")->getValue<int>("ppid") == ctr.init_pid()) found = al;
          return !found.isNull();
        }, std::chrono::seconds(5));
        BOOST_REQUIRE_MESSAGE(found, "no ptrace alarm within 5 s; log:\n" << daemon.log());
        auto c = found->getObject("container");
        BOOST_TEST(c->getValue<std::string>("id") == shape.id);
        BOOST_TEST(c->getValue<std::string>("runtime") == shape.runtime);
        BOOST_TEST(c->getValue<std::string>("name") == shape.name);
        BOOST_TEST(c->optValue<std::string>("pod", "") == shape.pod);
        BOOST_TEST(c->optValue<std::string>("namespace", "") == shape.ns);
        BOOST_TEST(!found->getValue<std::string>("host").empty());
      }
      remove_cgroup_dirs(shape.cgroups_path);
      sh("rm -rf " + sh_quote(shape.bundle_dir));
    }
  }
  BOOST_TEST(daemon.stop() == 0);
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == "0");
  BOOST_TEST(after.cshield_rules().empty());
}

BOOST_AUTO_TEST_CASE(the_manifests_pass_the_offline_checks) {
  const auto r = sh("/usr/bin/python3 " + sh_quote(std::string(CSHIELD_SOURCE_DIR) + "/tools/kube/check-manifests") + " 2>&1");
  BOOST_TEST(r.status == 0, r.output);
}

BOOST_AUTO_TEST_CASE(the_daemonset_container_raises_a_ptrace_in_another_container_with_its_id_and_node) {
  BOOST_REQUIRE_MESSAGE(sh("docker info").status == 0, "dockerd is not running (tools/dev test starts it)");
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  const auto pod = pod_spec();
  NodeDirs dirs;
  write_config(pod, dirs);
  CreatedDirs created;
  ImageContainer agent{"cshield-e2e-kube-agent-" + std::to_string(::getpid())};
  start_agent(pod, agent, dirs, created);

  const std::string victim_name = "cshield-e2e-kube-victim-" + std::to_string(::getpid());
  DockerContainer victim(victim_name, "");
  victim.run_helper("ptrace");
  const int init_pid = std::stoi(sh("docker inspect -f '{{.State.Pid}}' " + victim_name).output);
  Object::Ptr found;
  eventually([&] {
    const auto r = agent.ctl("--json alarms list --type high_risk_syscall --subtype ptrace");
    if (r.status != 0) return false;
    auto items = parse_object(r.output)->getArray("items");
    for (unsigned i = 0; items && i < items->size(); ++i) {
      auto a = items->getObject(i);
      if (a->getObject("process")->getValue<int>("ppid") == init_pid) found = a;
    }
    return !found.isNull();
  }, std::chrono::seconds(5));
  BOOST_REQUIRE_MESSAGE(found, "no ptrace alarm within 5 s; logs:\n" << agent.logs());
  auto c = found->getObject("container");
  BOOST_TEST(c->getValue<std::string>("id") == victim.id());
  BOOST_TEST(c->getValue<std::string>("runtime") == "docker");
  BOOST_TEST(c->getValue<std::string>("name") == victim_name);  // from the read-only /var/lib/docker/containers
  BOOST_TEST(found->getValue<std::string>("host") == kNode);
  BOOST_TEST(found->getObject("process")->getValue<std::string>("exe") == "/helper");
  BOOST_TEST(parse_object(agent.ctl("--json status").output)->getValue<std::string>("host") == kNode);
  // Its own pod's grants are accepted by the ConfigMap's [startup] exception,
  // while the inventory at start did judge the containers already running.
  const auto startup = parse_object(agent.ctl("--json alarms list --type abnormal_startup").output)->getArray("items");
  for (unsigned i = 0; startup && i < startup->size(); ++i) {
    auto sc = startup->getObject(i)->getObject("container");
    BOOST_TEST((sc.isNull() || sc->getValue<std::string>("name") != agent.name), "an abnormal_startup alarm for cshield itself");
  }
  const auto self = agent.ctl("--json containers " + agent.name);
  BOOST_TEST(self.status == 0, self.output);
  // Prometheus' view: the metrics listener, no token.
  const auto metrics = sh("curl -sf http://" + kMetricsListen + "/metrics");
  BOOST_TEST(metrics.status == 0);
  BOOST_TEST(metrics.output.find("cshield_") != std::string::npos, metrics.output.substr(0, 300));
  BOOST_TEST(sh("curl -s -o /dev/null -w '%{http_code}' http://" + kMetricsListen + "/api/v1/alarms").output == "404");

  // The JSON Lines export on the node's host path names the node too.
  const std::string jsonl = dirs.host_path("/var/log/cshield") + "/alarms.jsonl";
  bool exported = eventually([&] {
    return sh("grep -F " + sh_quote(victim.id()) + " " + sh_quote(jsonl) + " | grep -qF " +
              sh_quote("\"host\":\"" + kNode + "\"")).status == 0;
  }, std::chrono::seconds(5));
  BOOST_TEST(exported, sh("cat " + sh_quote(jsonl)).output);

  // SIGTERM as the kubelet stops a pod: audit is left as found.
  BOOST_TEST(sh("docker stop -t 20 " + agent.name).status == 0);
  BOOST_TEST(sh("docker inspect -f '{{.State.ExitCode}}' " + agent.name).output == "0\n", agent.logs());
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == "0");
  BOOST_TEST(after.cshield_rules().empty());
  BOOST_TEST(after.enabled == before.enabled);
}

BOOST_AUTO_TEST_CASE(without_a_needed_privilege_the_daemon_refuses_to_start_and_says_which) {
  BOOST_REQUIRE_MESSAGE(sh("docker info").status == 0, "dockerd is not running (tools/dev test starts it)");
  const auto before = AuditState::read();
  const auto pod = pod_spec();
  NodeDirs dirs;
  write_config(pod, dirs);
  CreatedDirs created;
  for (const auto& cap : strings(pod->getArray("capabilities"))) {
    BOOST_TEST_CONTEXT("without " << cap) {
      const auto r = run_to_exit(run_args(pod, dirs, created, cap));
      BOOST_TEST(r.status == 1, r.output);
      BOOST_TEST(r.output.find("CAP_" + cap + " is missing, needed to") != std::string::npos, r.output);
      BOOST_TEST(r.output.find("refuses to start") != std::string::npos, r.output);
    }
  }
  const auto r = run_to_exit(run_args(pod, dirs, created, "", false));
  BOOST_TEST(r.status == 1, r.output);
  BOOST_TEST(r.output.find("child PID namespace") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("--pid host") != std::string::npos, r.output);
  // Refused before touching kernel audit.
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == before.pid);
  BOOST_TEST(after.rules == before.rules, boost::test_tools::per_element());
}

// [node] root: the kernel resolves a watch's path in cshieldd's mount
// namespace, so the ConfigMap's root (the node's / mounted read-only at
// /host) puts the watches on the node's files: a container on the host that
// reads the host's /etc/shadow or opens its runc for writing, each through a
// mapped path, is raised with its id, the alarms naming the node paths.
// Without the key the watches land on the image's own files (and the image
// has no runc to watch): the same attempts raise nothing.
BOOST_AUTO_TEST_CASE(with_the_node_root_a_container_reaching_host_files_is_raised_and_without_it_not) {
  BOOST_REQUIRE_MESSAGE(sh("docker info").status == 0, "dockerd is not running (tools/dev test starts it)");
  BOOST_REQUIRE(AuditState::read().pid == "0");
  BOOST_REQUIRE(sh("test -f /usr/sbin/runc").status == 0);
  const auto pod = pod_spec();
  BOOST_REQUIRE(pod->has("nodeRoot"));
  const std::string root = pod->getValue<std::string>("nodeRoot");
  for (const bool with_root : {true, false}) {
    BOOST_TEST_CONTEXT((with_root ? "with" : "without") << " [node] root") {
      NodeDirs dirs;
      write_config(pod, dirs, with_root);
      CreatedDirs created;
      ImageContainer agent{"cshield-e2e-kube-root-" + std::to_string(::getpid())};
      start_agent(pod, agent, dirs, created);

      // What the kernel holds: the node's files under the root, keys naming the node's paths.
      const auto rules = AuditState::read().rules;
      const auto holds = [&](const std::string& line) { return std::count(rules.begin(), rules.end(), line) == 1; };
      const std::string prefix = with_root ? root : "";
      BOOST_TEST(holds("-w " + prefix + "/etc/shadow -p rwa -k cshield.file_escape:/etc/shadow"));
      BOOST_TEST(holds("-w " + root + "/usr/sbin/runc -p wa -k cshield.vulnerability_escape:runtime:/usr/sbin/runc") ==
                 with_root);

      const std::string victim_name = "cshield-e2e-kube-reach-" + std::to_string(::getpid());
      DockerContainer victim(victim_name, "-v /etc:/hostetc:ro -v /usr/sbin/runc:/hostrunc:ro");
      victim.run_helper("read:/hostetc/shadow");
      victim.run_helper("open_write:/hostrunc");  // read-only: refused, the attempt counts
      // A sentinel: once its alarm is in, every earlier event has been
      // through the pipeline (one thread, in order).
      victim.run_helper("ptrace");
      const std::string of_victim = " --container " + victim.id();
      BOOST_REQUIRE_MESSAGE(eventually([&] { return !agent_alarms(agent, "--type high_risk_syscall --subtype ptrace" + of_victim).empty(); },
                                       std::chrono::seconds(5)),
                            "no ptrace alarm within 5 s; logs:\n" << agent.logs());
      const auto files = agent_alarms(agent, "--type file_escape" + of_victim);
      const auto runc = agent_alarms(agent, "--type vulnerability_escape --subtype runc_overwrite" + of_victim);
      if (with_root) {
        BOOST_REQUIRE_MESSAGE(files.size() == 1u, "no file_escape alarm; logs:\n" << agent.logs());
        BOOST_TEST(files[0]->getObject("container")->getValue<std::string>("id") == victim.id());
        BOOST_TEST(files[0]->getValue<std::string>("path") == "/hostetc/shadow");
        BOOST_TEST(files[0]->getObject("evidence")->getValue<std::string>("host_path") == "/etc/shadow");
        BOOST_TEST(files[0]->getValue<std::string>("host") == kNode);
        BOOST_REQUIRE_MESSAGE(runc.size() == 1u, "no runc_overwrite alarm; logs:\n" << agent.logs());
        BOOST_TEST(runc[0]->getObject("container")->getValue<std::string>("id") == victim.id());
        BOOST_TEST(runc[0]->getValue<std::string>("path") == "/hostrunc");
        BOOST_TEST(runc[0]->getObject("evidence")->getValue<std::string>("host_path") == "/usr/sbin/runc");
      } else {
        BOOST_TEST(files.empty(), "file_escape raised without [node] root");
        BOOST_TEST(runc.empty(), "runc_overwrite raised without [node] root");
      }
      // Stopped as the kubelet stops a pod: every rule removed, /host paths included.
      BOOST_TEST(sh("docker stop -t 20 " + agent.name).status == 0);
      const auto after = AuditState::read();
      BOOST_TEST(after.pid == "0");
      BOOST_TEST(after.cshield_rules().empty());
    }
  }
}

// hostNetwork is there for nodes running auditd (multicast reaches only the
// initial network namespace). Without auditd cshieldd is the audit daemon
// and the kernel sends it the records by unicast to its own socket, in
// whatever network namespace: the image in a network namespace of its own
// still raises a ptrace in another container.
BOOST_AUTO_TEST_CASE(without_auditd_the_daemonset_container_needs_no_host_network) {
  BOOST_REQUIRE_MESSAGE(sh("docker info").status == 0, "dockerd is not running (tools/dev test starts it)");
  BOOST_REQUIRE(AuditState::read().pid == "0");  // no auditd: netlink (unicast) mode
  const auto pod = pod_spec();
  NodeDirs dirs;
  write_config(pod, dirs);
  CreatedDirs created;
  ImageContainer agent{"cshield-e2e-kube-netns-" + std::to_string(::getpid())};
  start_agent(pod, agent, dirs, created, false);
  BOOST_TEST(sh("docker inspect -f '{{.HostConfig.NetworkMode}}' " + agent.name).output == "none\n");
  BOOST_TEST(agent.logs().find("no audit daemon is registered, reading as the audit daemon") != std::string::npos, agent.logs());
  DockerContainer victim("cshield-e2e-kube-netns-victim-" + std::to_string(::getpid()), "");
  victim.run_helper("ptrace");
  BOOST_TEST(eventually([&] {
    return !agent_alarms(agent, "--type high_risk_syscall --subtype ptrace --container " + victim.id()).empty();
  }, std::chrono::seconds(5)), "no ptrace alarm within 5 s; logs:\n" << agent.logs());
  BOOST_TEST(sh("docker stop -t 20 " + agent.name).status == 0);
  BOOST_TEST(AuditState::read().cshield_rules().empty());
}
