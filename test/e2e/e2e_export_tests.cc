#define BOOST_TEST_MODULE e2e_export
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "audit_fixture.h"
#include "auditd_process.h"
#include "harness.h"
#include "rsyslog_process.h"

using namespace e2e;
using Poco::JSON::Object;

namespace {

constexpr auto kDeadline = std::chrono::seconds(5);

struct Fixture : AuditFree {
  ~Fixture() { sh("auditctl -e " + before.enabled); }
};

// The alarm of `type`/`subtype` raised by a child of the container's init.
Object::Ptr await_alarm(const Daemon& d, const std::string& subtype, int init_pid) {
  Object::Ptr found;
  eventually([&] {
    for (const auto& a : d.alarms("type=high_risk_syscall&subtype=" + subtype))
      if (a->getObject("process")->getValue<int>("ppid") == init_pid) found = a;
    return static_cast<bool>(found);
  }, kDeadline);
  BOOST_REQUIRE_MESSAGE(found, "no high_risk_syscall/" << subtype << " alarm; daemon log:\n" << d.log());
  return found;
}

// The first line rsyslog wrote after `skip` lines that contains every part.
std::string await_message(const Rsyslogd& rs, std::size_t skip, const std::vector<std::string>& parts,
                          std::chrono::milliseconds deadline = kDeadline) {
  std::string hit;
  eventually([&] {
    const auto lines = rs.messages();
    for (std::size_t i = skip; i < lines.size(); ++i) {
      bool all = true;
      for (const auto& p : parts) all = all && lines[i].find(p) != std::string::npos;
      if (all) {
        hit = lines[i];
        return true;
      }
    }
    return false;
  }, deadline);
  return hit;
}

std::string all_messages(const Rsyslogd& rs) {
  std::string all;
  for (const auto& l : rs.messages()) all += l + "\n";
  return all;
}

std::string exporters_text(const Daemon& d) {
  std::ostringstream out;
  d.get("/api/v1/status")->getArray("exporters")->stringify(out);
  return out.str();
}

std::uint64_t counter(const Daemon& d, const std::string& name) {
  return d.get("/api/v1/status")->getObject("counters")->getValue<std::uint64_t>(name);
}

Object::Ptr exporter(const Daemon& d, const std::string& name) {
  auto arr = d.get("/api/v1/status")->getArray("exporters");
  for (std::size_t i = 0; i < arr->size(); ++i)
    if (arr->getObject(i)->getValue<std::string>("name") == name) return arr->getObject(i);
  return nullptr;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(alarms_reach_rsyslog_in_cef_and_json_over_udp_and_tcp, Fixture) {
  Rsyslogd rs;
  rs.start();
  RuncContainer ctr("cshield-e2e-exp-" + std::to_string(::getpid()));
  struct Case {
    std::string proto, format;
  };
  for (const Case& c : {Case{"udp", "cef"}, Case{"udp", "json"}, Case{"tcp", "cef"}, Case{"tcp", "json"}}) {
    BOOST_TEST_CONTEXT(c.proto << " " << c.format) {
      const int port = c.proto == "udp" ? rs.udp_port() : rs.tcp_port();
      Daemon d("netlink", "[export]\nsyslog = " + c.proto + "://127.0.0.1:" + std::to_string(port) +
                              "\nsyslog_format = " + c.format + "\n");
      d.start();
      const std::size_t skip = rs.messages().size();
      ctr.run_helper("ptrace");
      await_alarm(d, "ptrace", ctr.init_pid());
      // "<facility 13 = log audit> <severity 3 = err for high> cshieldd <pid> <msgid> <msg>", from
      // this daemon (a repeat the previous one sent as it stopped may be written after `skip`)
      const std::string line =
          await_message(rs, skip, {"13 3 cshieldd " + std::to_string(d.pid()) + " high_risk_syscall ", ctr.id()});
      BOOST_REQUIRE_MESSAGE(!line.empty(), "rsyslog got no alarm; it has:\n"
                                               << [&] {
                                                    std::string all;
                                                    for (const auto& l : rs.messages()) all += l + "\n";
                                                    return all;
                                                  }() << "daemon log:\n" << d.log());
      const std::string msg = line.substr(line.find(" high_risk_syscall ") + 19);
      if (c.format == "cef") {
        BOOST_TEST(msg.rfind("CEF:0|cshield|cshield|", 0) == 0u, msg);
        BOOST_TEST(msg.find("|high_risk_syscall/ptrace|High-risk system call: ptrace|8|") != std::string::npos, msg);
        BOOST_TEST(msg.find("cs1=" + ctr.id() + " cs1Label=containerId") != std::string::npos, msg);
        BOOST_TEST(msg.find("cs4=ptrace cs4Label=syscall") != std::string::npos, msg);
      } else {
        auto o = Poco::JSON::Parser().parse(msg).extract<Object::Ptr>();
        BOOST_TEST(o->getValue<std::string>("type") == "high_risk_syscall");
        BOOST_TEST(o->getValue<std::string>("subtype") == "ptrace");
        BOOST_TEST(o->getObject("container")->getValue<std::string>("id") == ctr.id());
        BOOST_TEST(o->getObject("process")->getValue<int>("ppid") == ctr.init_pid());
      }
      auto st = exporter(d, "syslog");
      BOOST_REQUIRE(st);
      BOOST_TEST(st->getValue<std::uint64_t>("sent") >= 1u);
      // Its own audit record came back from the kernel and was skipped.
      BOOST_TEST(eventually([&] { return counter(d, "source.own_records") > 0; }, kDeadline));
      BOOST_TEST(d.stop() == 0);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(with_rsyslog_down_alarms_are_stored_counted_and_delivered_when_it_returns, Fixture) {
  Rsyslogd rs;
  rs.start();
  RuncContainer ctr("cshield-e2e-exd-" + std::to_string(::getpid()));
  Daemon d("netlink", "[export]\nsyslog = tcp://127.0.0.1:" + std::to_string(rs.tcp_port()) +
                          "\nsyslog_format = cef\nqueue_size = 1\n");
  d.start();
  // Connected: the container's start alarm (it runs without seccomp) has
  // arrived. It is one alarm, where ptrace's second call (PTRACE_DETACH) is a
  // repeat published up to a store gather later, perhaps only once rsyslog is
  // down, taking the queue's one place before setns.
  BOOST_REQUIRE(!await_message(rs, 0, {"abnormal_startup/", ctr.id()}).empty());

  rs.stop();
  // setns is retried while rsyslog is down; reboot waits in the queue (size
  // 1); ptrace and open_by_handle_at (two alarms each) find the queue full
  // and are dropped.
  ctr.run_helper("setns");
  await_alarm(d, "setns", ctr.init_pid());
  BOOST_TEST(eventually([&] { return exporter(d, "syslog")->getValue<std::uint64_t>("retries") > 0; }, kDeadline));
  ctr.run_helper("reboot");
  await_alarm(d, "reboot", ctr.init_pid());
  for (const std::string dropped : {"ptrace", "open_by_handle_at"}) {
    ctr.run_helper(dropped);
    await_alarm(d, dropped, ctr.init_pid());  // stored all the same
  }
  BOOST_TEST(eventually([&] { return exporter(d, "syslog")->getValue<std::uint64_t>("dropped") >= 2u; }, kDeadline));
  auto st = exporter(d, "syslog");
  BOOST_TEST(st->getValue<bool>("failing"));
  BOOST_TEST(st->getValue<std::string>("last_error").find("127.0.0.1:" + std::to_string(rs.tcp_port())) !=
             std::string::npos);
  BOOST_TEST(counter(d, "export.syslog.retries") > 0u);
  BOOST_TEST(counter(d, "export.syslog.dropped") == exporter(d, "syslog")->getValue<std::uint64_t>("dropped"));
  const std::string metrics = sh("curl -sf --unix-socket " + sh_quote(d.socket()) + " http://cshield/metrics").output;
  BOOST_TEST(metrics.find("export_syslog_dropped") != std::string::npos);

  const std::size_t skip = rs.messages().size();
  rs.start();  // back on the same ports: the retried alarm and the queued one arrive
  const bool setns_arrived =
      !await_message(rs, skip, {"high_risk_syscall/setns", ctr.id()}, std::chrono::seconds(15)).empty();
  BOOST_TEST(setns_arrived, "rsyslog has:\n"
                                << all_messages(rs) << "exporters: " << exporters_text(d) << "\ndaemon log:\n"
                                << d.log());
  BOOST_TEST(!await_message(rs, skip, {"high_risk_syscall/reboot", ctr.id()}).empty());
  for (const std::string dropped : {"ptrace", "open_by_handle_at"})
    BOOST_TEST(await_message(rs, skip, {"high_risk_syscall/" + dropped}, std::chrono::milliseconds(0)).empty(), dropped);
  BOOST_TEST(!exporter(d, "syslog")->getValue<bool>("failing"));
  BOOST_TEST(d.stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(beside_auditd_each_alarm_is_an_audit_record_ausearch_finds_by_type, Fixture) {
  {
    Auditd auditd;
    Daemon d("auto");  // [export] audit = yes is the default
    d.start();
    BOOST_TEST(d.get("/api/v1/status")->getValue<std::string>("mode") == "multicast");
    RuncContainer ctr("cshield-e2e-exa-" + std::to_string(::getpid()));
    ctr.run_helper("ptrace");
    await_alarm(d, "ptrace", ctr.init_pid());
    const std::string needle = "alarm_type=\"high_risk_syscall\" alarm_subtype=\"ptrace\"";
    BOOST_TEST(eventually([&] { return auditd.log().find(needle) != std::string::npos; }, kDeadline),
               "auditd's log:\n" << auditd.log());
    std::string record;
    {
      std::istringstream in(auditd.log());
      for (std::string l; std::getline(in, l);)
        if (l.find(needle) != std::string::npos) record = l;
    }
    BOOST_TEST_MESSAGE("the alarm's audit record: " << record);
    BOOST_TEST(record.rfind("type=UNKNOWN[2199] msg=audit(", 0) == 0u, record);
    BOOST_TEST(record.find("container_id=\"" + ctr.id() + "\"") != std::string::npos, record);
    BOOST_TEST(record.find("alarm_severity=\"high\"") != std::string::npos, record);
    BOOST_TEST(record.find("alarm_syscall=\"ptrace\"") != std::string::npos, record);
    BOOST_TEST(record.find("res=success") != std::string::npos, record);
    const auto found = sh("ausearch --input " + sh_quote(auditd.log_path()) + " -m 2199 --raw");
    BOOST_TEST(found.status == 0, found.output);
    BOOST_TEST(found.output.find(needle) != std::string::npos, found.output);
    BOOST_TEST(exporter(d, "audit")->getValue<std::uint64_t>("sent") >= 1u);
    // The multicast copy of its own record was skipped, not parsed.
    BOOST_TEST(eventually([&] { return counter(d, "source.own_records") > 0; }, kDeadline));
    BOOST_TEST(d.stop() == 0);
  }
  BOOST_TEST(AuditState::read().pid == "0");
}

BOOST_FIXTURE_TEST_CASE(as_auditds_plugin_alarms_are_raised_and_it_exits_with_auditd, Fixture) {
  Daemon d("plugin");  // only its configuration: auditd starts it
  {
    Auditd auditd({{"cshield.conf", cshield_plugin_conf(d.config_path())}});
    const bool up = eventually([&] {
      try {
        return d.get("/healthz")->getValue<std::string>("status") == "ok";
      } catch (const std::exception&) {
        return false;
      }
    }, std::chrono::seconds(15));
    BOOST_REQUIRE_MESSAGE(up, "cshieldd did not come up as auditd's plugin; auditd's log:\n" << auditd.log());
    BOOST_TEST(d.get("/api/v1/status")->getValue<std::string>("mode") == "plugin");
    BOOST_TEST(!AuditState::read().cshield_rules().empty());  // it loads its rules as in multicast mode
    RuncContainer ctr("cshield-e2e-exp-" + std::to_string(::getpid()));
    ctr.run_helper("ptrace");
    auto a = await_alarm(d, "ptrace", ctr.init_pid());
    BOOST_TEST(a->getObject("container")->getValue<std::string>("id") == ctr.id());
    // Its own audit record came back through auditd's dispatcher and was skipped.
    BOOST_TEST(eventually([&] { return counter(d, "source.own_records") > 0; }, kDeadline));
    const std::string plugin = "pgrep -f " + sh_quote("^" + cshieldd_binary() + " --config " + d.config_path());
    BOOST_REQUIRE(sh(plugin).status == 0);
    auditd.stop();  // closes the plugin's stdin
    BOOST_TEST(eventually([&] { return sh(plugin).status != 0; }, std::chrono::seconds(10)));
    BOOST_TEST(AuditState::read().cshield_rules().empty());
  }
}

BOOST_FIXTURE_TEST_CASE(the_json_lines_file_gets_every_alarm_and_is_reopened_on_sighup, Fixture) {
  TempDir logs;
  const std::string path = logs.path() + "/alarms.jsonl";
  Daemon d("netlink", "[export]\njsonl = " + path + "\naudit = no\n");
  d.start();
  RuncContainer ctr("cshield-e2e-exj-" + std::to_string(::getpid()));
  // The whole lines of a file (none while it does not exist yet: the
  // exporter creates it with its first alarm, up to its gather later).
  auto lines_of = [](const std::string& p) {
    std::vector<std::string> out;
    std::ifstream in(p);
    for (std::string l; std::getline(in, l);)
      if (!in.eof()) out.push_back(l);  // a last line without its newline is still being written
    return out;
  };
  // The subtypes in a file, one per line (an action may raise more than one alarm).
  auto subtypes_in = [&](const std::string& p) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(p)) {
      auto o = Poco::JSON::Parser().parse(l).extract<Object::Ptr>();
      BOOST_TEST(o->getObject("container")->getValue<std::string>("id") == ctr.id());
      out.push_back(o->getValue<std::string>("subtype"));
    }
    return out;
  };
  auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  // reboot before the rotation: one call, one alarm (ptrace's second call
  // would be a repeat published up to a store gather later, perhaps into
  // the file after the rotation).
  ctr.run_helper("reboot");
  const auto stored = await_alarm(d, "reboot", ctr.init_pid());
  BOOST_REQUIRE(eventually([&] { return has(subtypes_in(path), "reboot"); }, kDeadline));
  BOOST_TEST(exporter(d, "audit") == nullptr);  // audit = no
  // The exported alarm carries the id the API knows it by.
  for (const auto& l : lines_of(path)) {
    auto o = Poco::JSON::Parser().parse(l).extract<Object::Ptr>();
    if (o->getValue<std::string>("subtype") == "reboot")
      BOOST_TEST(o->getValue<std::int64_t>("id") == stored->getValue<std::int64_t>("id"), l);
  }

  BOOST_REQUIRE(sh("mv " + sh_quote(path) + " " + sh_quote(path + ".1")).status == 0);  // logrotate
  d.signal(SIGHUP);
  // The reload ends by loading the rules again: a second "loaded N audit rules".
  BOOST_TEST(eventually([&] {
    const std::string log = d.log();
    const auto first_load = log.find("loaded ");
    return first_load != std::string::npos && log.find("loaded ", first_load + 1) != std::string::npos;
  }, kDeadline));
  ctr.run_helper("setns");
  await_alarm(d, "setns", ctr.init_pid());
  BOOST_TEST(eventually([&] { return has(subtypes_in(path), "setns"); }, kDeadline), d.log());
  BOOST_TEST(!has(subtypes_in(path), "reboot"));
  BOOST_TEST(!has(subtypes_in(path + ".1"), "setns"));
  BOOST_TEST(d.stop() == 0);
}
