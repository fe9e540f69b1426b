#define BOOST_TEST_MODULE e2e_policy
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "audit_fixture.h"
#include "harness.h"

using namespace e2e;
using Poco::JSON::Object;

// Policy groups against real containers: abnormal_process (an execution not
// on the group's whitelist), sensitive_file_access (a protected file
// modified, through the per-container watches placed at container start),
// and a group applied over the API to a running container.

namespace {

constexpr auto kAlarmDeadline = std::chrono::seconds(2);

std::string ctl() { return std::string(CSHIELD_BINARY_DIR) + "/src/programs/cshieldctl"; }

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

std::string dump(const Daemon& d) {
  const std::string all = alarms_text(d.alarms(""));
  std::ostringstream st;
  d.get("/api/v1/status")->stringify(st);
  return "status: " + st.str() + "\naudit rules:\n" + sh("auditctl -l").output +
         "alarms:\n" + all + "daemon log:\n" + d.log();
}

// The alarm of `type` in container `id` whose path is `path`, waited for with a deadline.
Object::Ptr await_alarm(const Daemon& d, const std::string& type, const std::string& id, const std::string& path) {
  Object::Ptr found;
  eventually(
      [&] {
        for (const auto& a : d.alarms("type=" + type + "&container=" + id))
          if (a->optValue<std::string>("path", "") == path) {
            found = a;
            return true;
          }
        return false;
      },
      kAlarmDeadline);
  if (!found) BOOST_FAIL("no " << type << " alarm for " << path << " in " << id << " within 2 s\n" << dump(d));
  return found;
}

// Waits until the inventory shows `id` in policy group `group`: the
// container's start has been seen and its watches placed.
void await_group(const Daemon& d, const std::string& id, const std::string& group) {
  const bool ok = eventually(
      [&] {
        try {
          auto c = d.get("/api/v1/containers/" + id);
          return c->optValue<std::string>("policy_group", "") == group;
        } catch (...) {
          return false;
        }
      },
      std::chrono::seconds(5));
  if (!ok) BOOST_FAIL("container " << id << " never shown in policy group '" << group << "'\n" << dump(d));
}

std::int64_t count_of(const Daemon& d, const std::string& type, const std::string& id, const std::string& path) {
  for (const auto& a : d.alarms("type=" + type + "&container=" + id))
    if (a->optValue<std::string>("path", "") == path) return a->getValue<std::int64_t>("count");
  return 0;
}

// A repeat of a known alarm, waited for: every event before it has been
// through the pipeline (one thread, in order).
void sync_on(const Daemon& d, const std::function<void()>& repeat, const std::string& type, const std::string& id,
             const std::string& path) {
  const auto before = count_of(d, type, id, path);
  repeat();
  BOOST_REQUIRE_MESSAGE(eventually([&] { return count_of(d, type, id, path) > before; }, kAlarmDeadline),
                        "the sentinel alarm did not repeat\n" << dump(d));
}

// Whether the kernel holds a protected-file watch of container `id`.
bool has_watch(const std::string& id) {
  return sh("auditctl -l").output.find("cshield.sensitive_file_access:" + id) != std::string::npos;
}

struct Fixture : AuditFree {
  TempDir policy;
  ~Fixture() {
    const auto after = AuditState::read();
    BOOST_CHECK_MESSAGE(after.cshield_rules().empty(), "cshield rules left behind");
  }
  std::string config() const { return "[policy]\ndirectory = " + policy.path() + "\n"; }
};

const std::string kTag = std::to_string(::getpid());

// Runs `command` in a runc container through `runc exec` and a shell that
// outlives it by a second. `runc exec` exits as soon as its process does;
// a process whose every ancestor is gone by the time its event is read
// cannot be placed in its container (the resolver needs /proc of the
// process or of an ancestor), so the shell is kept alive while the event is
// resolved. Docker's long-lived shim needs no such help.
int run_in(RuncContainer& c, const std::string& command) {
  return c.exec("/bin/sh -c " + sh_quote(command + "; /bin/sleep 1")).status;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(runc_group_from_a_file_whitelists_and_protects, Fixture) {
  write_file(policy.path() + "/shell-only.json",
             "{\n  \"name\": \"shell-only\",\n  \"selectors\": {\"names\": [\"cshield-pol-a-*\"]},\n"
             "  \"process_whitelist\": [\"/bin/sh\"],\n  \"protected_files\": [\"/etc/passwd\"]\n}\n");
  Daemon daemon("netlink", config());
  daemon.start();
  RuncContainer in_group("cshield-pol-a-" + kTag);
  RuncContainer outside("cshield-pol-b-" + kTag);
  await_group(daemon, in_group.id(), "shell-only");
  await_group(daemon, outside.id(), "");

  BOOST_TEST(run_in(in_group, "/bin/ls /") == 0);
  auto a = await_alarm(daemon, "abnormal_process", in_group.id(), "/bin/ls");
  BOOST_TEST(a->getValue<std::string>("severity") == "medium");
  BOOST_TEST(a->getObject("evidence")->getValue<std::string>("policy_group") == "shell-only");
  BOOST_TEST(a->getObject("container")->getValue<std::string>("id") == in_group.id());

  // Whitelisted /bin/sh, and ls outside the group, raise nothing.
  BOOST_TEST(run_in(in_group, "true") == 0);
  BOOST_TEST(run_in(outside, "/bin/ls /") == 0);
  sync_on(daemon, [&] { run_in(in_group, "/bin/ls /"); }, "abnormal_process", in_group.id(), "/bin/ls");
  BOOST_TEST(daemon.alarms("type=abnormal_process&container=" + outside.id()).empty());
  BOOST_TEST(count_of(daemon, "abnormal_process", in_group.id(), "/bin/sh") == 0);

  // Reading the protected file raises nothing; appending to it does.
  BOOST_TEST(run_in(in_group, "cat /etc/passwd >/dev/null") == 0);
  BOOST_TEST(run_in(outside, "echo x >> /etc/passwd") == 0);
  BOOST_TEST(run_in(in_group, "echo x >> /etc/passwd") == 0);
  auto s = await_alarm(daemon, "sensitive_file_access", in_group.id(), "/etc/passwd");
  BOOST_TEST(s->getValue<std::string>("subtype") == "write");
  BOOST_TEST(s->getValue<std::string>("severity") == "high");
  BOOST_TEST(s->getValue<int>("count") == 1);  // the read before it raised nothing
  BOOST_TEST(daemon.alarms("type=sensitive_file_access&container=" + outside.id()).empty());

  // A changed policy file applies on SIGHUP: /etc/group becomes protected too.
  write_file(policy.path() + "/shell-only.json",
             "{\"name\": \"shell-only\", \"selectors\": {\"names\": [\"cshield-pol-a-*\"]},\n"
             " \"process_whitelist\": [\"/bin/sh\"], \"protected_files\": [\"/etc/passwd\", \"/etc/group\"]}\n");
  daemon.signal(SIGHUP);
  BOOST_TEST_REQUIRE(eventually(
      [&] { return daemon.get("/api/v1/policy-groups/shell-only")->getArray("protected_files")->size() == 2u; },
      std::chrono::seconds(5)));
  BOOST_TEST(run_in(in_group, "echo x >> /etc/group") == 0);
  await_alarm(daemon, "sensitive_file_access", in_group.id(), "/etc/group");

  // The watches of a container go when it stops.
  std::string gone;
  {
    RuncContainer brief("cshield-pol-a-brief-" + kTag);
    gone = brief.id();
    await_group(daemon, gone, "shell-only");
    BOOST_TEST(has_watch(gone));
  }
  BOOST_TEST(eventually([&] { return !has_watch(gone); }, std::chrono::seconds(2)), dump(daemon));
  BOOST_TEST(has_watch(in_group.id()));
  BOOST_TEST(daemon.stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(a_group_put_over_the_api_applies_to_a_running_container, Fixture) {
  Daemon daemon("netlink", config());
  daemon.start();
  RuncContainer ctr("cshield-pol-c-" + kTag);
  await_group(daemon, ctr.id(), "");
  BOOST_TEST(run_in(ctr, "/bin/ls /") == 0);

  TempDir files;
  const std::string group = files.path() + "/live.json";
  write_file(group, "{\"name\": \"live\", \"selectors\": {\"names\": [\"" + ctr.id() +
                        "\"]},\n \"process_whitelist\": [\"/bin/sh\"], \"protected_files\": [\"/etc/group\"]}\n");
  auto r = sh(ctl() + " --socket " + sh_quote(daemon.socket()) + " policy apply " + sh_quote(group));
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  await_group(daemon, ctr.id(), "live");  // no restart of the container or the daemon

  BOOST_TEST(run_in(ctr, "/bin/ls /") == 0);
  await_alarm(daemon, "abnormal_process", ctr.id(), "/bin/ls");
  BOOST_TEST(run_in(ctr, "echo x >> /etc/group") == 0);
  await_alarm(daemon, "sensitive_file_access", ctr.id(), "/etc/group");

  // A bad group is refused whole with every reason and the file's lines;
  // the running group is unchanged.
  const std::string bad = files.path() + "/bad.json";
  write_file(bad, "{\"name\": \"live\",\n \"selectors\": {\"names\": [\"x\"]},\n \"process_whitelist\": [\"bin/sh\"],\n"
                  " \"protectd_files\": []}\n");
  r = sh(ctl() + " --socket " + sh_quote(daemon.socket()) + " policy apply " + sh_quote(bad));
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.output.find(bad + ":3: bad glob 'bin/sh'") != std::string::npos, r.output);
  BOOST_TEST(r.output.find(bad + ":4: unknown key 'protectd_files'") != std::string::npos, r.output);
  auto shown = daemon.get("/api/v1/policy-groups/live");
  BOOST_TEST(shown->getArray("protected_files")->size() == 1u);

  // Deleted over the API: the container leaves the group, ls raises nothing more.
  r = sh(ctl() + " --socket " + sh_quote(daemon.socket()) + " policy delete live");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  await_group(daemon, ctr.id(), "");
  BOOST_TEST(!has_watch(ctr.id()));
  BOOST_TEST(daemon.stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(docker_group_whitelists_and_protects, Fixture) {
  const std::string name = "cshield-pol-d-" + kTag;
  write_file(policy.path() + "/docker.json",
             "{\"name\": \"docker-shell\", \"selectors\": {\"names\": [\"" + name +
                 "\"]}, \"process_whitelist\": [\"/bin/sh\"], \"protected_files\": [\"/etc/passwd\"]}\n");
  Daemon daemon("netlink", config());
  daemon.start();
  DockerContainer ctr(name, "");
  await_group(daemon, ctr.id(), "docker-shell");

  BOOST_TEST(sh("docker exec " + name + " /bin/ls /").status == 0);
  await_alarm(daemon, "abnormal_process", ctr.id(), "/bin/ls");
  BOOST_TEST(sh("docker exec " + name + " /bin/sh -c 'cat /etc/passwd >/dev/null'").status == 0);
  BOOST_TEST(sh("docker exec " + name + " /bin/sh -c 'echo x >> /etc/passwd'").status == 0);
  auto s = await_alarm(daemon, "sensitive_file_access", ctr.id(), "/etc/passwd");
  BOOST_TEST(s->getValue<int>("count") == 1);
  BOOST_TEST(daemon.stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(learning_mode_proposes_what_ran_instead_of_alarming, Fixture) {
  Daemon daemon("netlink", config());
  daemon.start();
  RuncContainer ctr("cshield-pol-l-" + kTag);
  TempDir files;
  const std::string group = files.path() + "/learn.json";
  write_file(group, "{\"name\": \"learner\", \"selectors\": {\"names\": [\"" + ctr.id() +
                        "\"]}, \"process_whitelist\": [\"/bin/sh\"]}\n");
  const std::string cli = ctl() + " --socket " + sh_quote(daemon.socket()) + " ";
  auto r = sh(cli + "policy apply " + sh_quote(group));
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  r = sh(cli + "policy learn learner --minutes 5");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  await_group(daemon, ctr.id(), "learner");

  BOOST_TEST(run_in(ctr, "/bin/ls /") == 0);
  std::string proposal;
  const bool learned = eventually(
      [&] {
        proposal = sh("(" + cli + "policy propose learner 2>/dev/null)").output;  // the JSON alone
        return proposal.find("\"/bin/ls\"") != std::string::npos;
      },
      std::chrono::seconds(2));
  BOOST_TEST_REQUIRE(learned, proposal << "\n" << dump(daemon));
  BOOST_TEST(proposal.find("\"/bin/sh\"") != std::string::npos);
  BOOST_TEST(daemon.alarms("type=abnormal_process&container=" + ctr.id()).empty());

  // The proposal applies as it is.
  write_file(group, proposal);
  r = sh(cli + "policy apply " + sh_quote(group));
  BOOST_TEST(r.status == 0, r.output);
  auto wl = daemon.get("/api/v1/policy-groups/learner")->getArray("process_whitelist");
  BOOST_TEST(wl->size() >= 3u);  // /bin/sh, /bin/ls, /bin/sleep
  BOOST_TEST(daemon.stop() == 0);
}
