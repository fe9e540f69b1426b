#include "api/ctl_commands.h"

#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "api/alarm_json.h"
#include "api/api_client.h"
#include "api/ctl_format.h"

namespace cshield {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr int kOk = 0, kApiError = 1, kUsageError = 2;

const char kUsage[] = R"(Usage: cshieldctl [OPTIONS] COMMAND [ARGS]

Shows and manages the container alarms of cshieldd through its REST API.
By default it talks to the daemon over the Unix socket /run/cshield/api.sock;
whoever may open that socket (its owner and group) may use the API.

Commands:
  alarms list [FILTERS] [--limit N] [--cursor C] [--all] [--wait N]
        List alarms, newest first. Filters (combine freely):
          --type T         vulnerability_escape, file_escape, high_risk_syscall,
                           malicious_program, abnormal_process,
                           sensitive_file_access, abnormal_startup,
                           audit_tampering
          --subtype S      e.g. ptrace, dirty_cow, runc_overwrite, startup
          --severity S     critical, high, medium, low
          --status S       unhandled, handled, ignored
          --container C    container id, id prefix (12+ characters) or name
          --image I        image, e.g. nginx:1.27
          --since T        RFC 3339 time (2026-11-26T16:00:00Z) or epoch seconds
          --until T        likewise
        --limit N sets the page size (default 50, at most 1000); when more
        alarms match, the last line names the --cursor of the next page.
        --all follows the cursors and lists every matching alarm.
        --wait N (1-30 s): when no alarm matches yet, wait up to N seconds
        for one to be stored: --since $(date +%s) --wait 30 waits for the next.
  alarms show ID
        Every field of one alarm, its evidence included.
  alarms handle ID --status handled|ignored|unhandled [--note TEXT]
        Record that an alarm was dealt with (or reopen it), with a note.
  alarms summary [--since T] [--until T]
        Alarm counts by type, severity and status.
  containers [ID]
        The containers seen, or one of them (id, 12+ character prefix, or name)
        with its startup findings and alarm counts.
  policy list
        The policy groups: selectors, whitelist and protected file counts,
        where each comes from (a policy file or the API), learning mode.
  policy show NAME
        One group as JSON (ready to edit and apply again).
  policy apply FILE
        Create or replace the group a JSON file holds (one group object, as
        in cshield.conf(5)); a refused group is listed with every reason,
        each with the file's line.
  policy delete NAME
        Remove a group created through the API (file groups: remove the file).
  policy learn NAME --minutes N
        Learning mode: for N minutes record what runs in the group's
        containers instead of raising abnormal_process alarms.
  policy propose NAME
        The group with a process whitelist extended by what learning mode
        saw, as JSON: save it, review it, apply it.
  status
        The daemon's state: audit mode, kernel audit status, records and
        events read, alarms stored, queue depths, rules, exporters.
  health
        Whether the daemon's pipeline runs (GET /healthz): prints "ok" and
        exits 0, or says why not and exits 1. For liveness and readiness
        probes (Kubernetes exec probes, scripts).
  replay FILE
        Run the detectors over an audit log file (audit.log) offline and
        print the alarms it raises; needs no running daemon.

Options (anywhere on the line):
  --socket PATH       the API's Unix socket (default /run/cshield/api.sock)
  --url URL           use the TCP API instead, e.g. http://127.0.0.1:8741
  --token-file FILE   file holding the bearer token that the TCP API requires
                      (the daemon's [api] token_file)
  --json              print the API's JSON reply, pretty-printed, instead of
                      a table: for scripts and jq
  -h, --help          show this help

Examples:
  cshieldctl alarms list --status unhandled --severity critical
  cshieldctl alarms list --container web-1 --since 2026-11-26T00:00:00Z --all
  cshieldctl alarms show 42
  cshieldctl alarms handle 42 --status handled --note "pentest, ticket SEC-17"
  cshieldctl --json alarms list --type high_risk_syscall | jq '.items[].process.exe'
  cshieldctl containers web-1
  cshieldctl policy apply web.json
  cshieldctl policy learn web --minutes 30; cshieldctl policy propose web > web.json
  cshieldctl --url http://127.0.0.1:8741 --token-file /etc/cshield/api.token status
  cshieldctl replay /var/log/audit/audit.log

Exit status: 0 success; 1 the daemon refused the request or could not be
reached (the message says why); 2 the command line was wrong.
)";

struct Globals {
  std::string socket = kDefaultApiSocket;
  std::string url, token_file;
  bool json = false, help = false;
};

// Options of one command: --name VALUE flags, --name switches, positionals.
struct Parsed {
  std::map<std::string, std::string> values;
  std::set<std::string> switches;
  std::vector<std::string> positionals;
};

// Splits "--name=value" so that every option is followed by its value.
std::vector<std::string> expand(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    auto eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      out.push_back(a.substr(0, eq));
      out.push_back(a.substr(eq + 1));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

// Takes the global options out of `args`; returns an error message or "".
std::string take_globals(std::vector<std::string>& args, Globals& g) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string* target = a == "--socket" ? &g.socket : a == "--url" ? &g.url : a == "--token-file" ? &g.token_file : nullptr;
    if (target) {
      if (i + 1 >= args.size()) return a + " needs a value";
      *target = args[++i];
    } else if (a == "--json") {
      g.json = true;
    } else if (a == "--help" || a == "-h") {
      g.help = true;
    } else {
      rest.push_back(a);
    }
  }
  args = std::move(rest);
  return "";
}

std::string parse_command_options(const std::vector<std::string>& args, std::size_t from,
                                  const std::set<std::string>& value_flags, const std::set<std::string>& switches,
                                  const std::string& command, Parsed& p) {
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      p.positionals.push_back(a);
    } else if (value_flags.count(a.substr(2))) {
      if (i + 1 >= args.size()) return a + " needs a value";
      if (!p.values.emplace(a.substr(2), args[++i]).second) return a + " is given more than once";
    } else if (switches.count(a.substr(2))) {
      p.switches.insert(a.substr(2));
    } else {
      return "unknown option " + a + " for '" + command + "'";
    }
  }
  return "";
}

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string with_query(std::string path, const std::map<std::string, std::string>& params) {
  char sep = '?';
  for (const auto& [name, value] : params) {
    path += sep + name + "=" + percent_encode(value);
    sep = '&';
  }
  return path;
}

std::string pretty(const ApiReply& r) {
  if (r.json.type() == typeid(Object::Ptr)) return to_json_text(r.json.extract<Object::Ptr>(), 2);
  if (r.json.type() == typeid(Array::Ptr)) return to_json_text(r.json.extract<Array::Ptr>(), 2);
  return r.body;
}

Object::Ptr object_of(const ApiReply& r) {
  return r.json.type() == typeid(Object::Ptr) ? r.json.extract<Object::Ptr>() : nullptr;
}

class Session {
 public:
  Session(ApiClient client, bool json, std::ostream& out, std::ostream& err)
      : client_(std::move(client)), json_(json), out_(out), err_(err) {}

  // Sends one request; on failure prints why and returns nullopt.
  std::optional<ApiReply> call(const std::string& method, const std::string& target, const std::string& body = "") {
    ApiReply r = client_.call(method, target, body);
    if (r.ok() && object_of(r)) return r;
    if (r.ok())
      err_ << "cshieldctl: unexpected reply from " << client_.where() << ": " << r.body.substr(0, 200) << '\n';
    else
      err_ << "cshieldctl: " << r.error_message() << '\n';
    if (r.status == 401) err_ << "cshieldctl: the TCP API needs the daemon's token: --token-file FILE\n";
    return std::nullopt;
  }

  // Prints the reply as JSON with --json, else with `human`.
  template <typename Render>
  int show(const std::string& target, Render human) {
    auto r = call("GET", target);
    if (!r) return kApiError;
    if (json_)
      out_ << pretty(*r) << '\n';
    else
      human(object_of(*r));
    return kOk;
  }

  int alarms_list(const Parsed& p) {
    auto params = p.values;
    const bool all = p.switches.count("all") > 0;
    if (all && !params.count("limit")) params["limit"] = "1000";
    Array::Ptr items = new Array;
    Poco::Dynamic::Var next;
    for (;;) {
      auto r = call("GET", with_query("/api/v1/alarms", params));
      if (!r) return kApiError;
      Object::Ptr page = object_of(*r);
      Array::Ptr page_items = page->getArray("items");
      for (std::size_t i = 0; page_items && i < page_items->size(); ++i)
        items->add(page_items->get(static_cast<unsigned>(i)));
      next = page->get("next_cursor");
      if (!all || next.isEmpty() || (params.count("cursor") && params["cursor"] == next.toString())) break;
      params["cursor"] = next.toString();
      params.erase("wait");  // only the first page waits: a cursor's page never gains alarms
    }
    if (json_) {
      Object::Ptr combined = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      combined->set("items", items);
      combined->set("next_cursor", next);
      out_ << to_json_text(combined, 2) << '\n';
      return kOk;
    }
    if (items->size() == 0) {
      out_ << "No alarms match.\n";
      return kOk;
    }
    print_alarm_table(items, out_);
    if (!next.isEmpty()) out_ << "More alarms match: add --cursor " << next.toString() << " (or --all)\n";
    return kOk;
  }

  int alarms_handle(const std::string& id, const Parsed& p) {
    Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    body->set("status", p.values.at("status"));
    if (p.values.count("note")) body->set("note", p.values.at("note"));
    auto r = call("PATCH", "/api/v1/alarms/" + percent_encode(id), to_json_text(body));
    if (!r) return kApiError;
    if (json_) {
      out_ << pretty(*r) << '\n';
      return kOk;
    }
    Object::Ptr a = object_of(*r);
    out_ << "Alarm " << a->getValue<std::string>("id") << " is now " << a->getValue<std::string>("status");
    std::string note = a->optValue<std::string>("note", "");
    if (!note.empty()) out_ << " (note: " << note << ")";
    out_ << '\n';
    return kOk;
  }

  // A request whose 422 answer lists reasons: each printed on its own line,
  // prefixed by `file` and the line when the reason has one.
  std::optional<ApiReply> call_listing_reasons(const std::string& method, const std::string& target,
                                               const std::string& body, const std::string& file) {
    ApiReply r = client_.call(method, target, body);
    if (r.ok() && object_of(r)) return r;
    if (!r.ok() && r.status == 422 && object_of(r)) {
      auto error = object_of(r)->getObject("error");
      Array::Ptr reasons = error ? error->getArray("reasons") : nullptr;
      if (reasons && reasons->size() > 0) {
        err_ << "cshieldctl: the policy group was refused (" << reasons->size() << " problem"
             << (reasons->size() == 1 ? "" : "s") << "); the running policy is unchanged:\n";
        for (std::size_t i = 0; i < reasons->size(); ++i) {
          Object::Ptr x = reasons->getObject(static_cast<unsigned>(i));
          if (!x) continue;
          std::string where = file;
          if (x->has("line") && !x->isNull("line")) where += (where.empty() ? "line " : ":") + x->get("line").toString();
          err_ << "  " << (where.empty() ? "" : where + ": ") << x->optValue<std::string>("message", "") << '\n';
        }
        return std::nullopt;
      }
    }
    if (r.ok())
      err_ << "cshieldctl: unexpected reply from " << client_.where() << ": " << r.body.substr(0, 200) << '\n';
    else
      err_ << "cshieldctl: " << r.error_message() << '\n';
    return std::nullopt;
  }

  int policy_apply(const std::string& file) {
    std::ifstream in(file);
    if (!in) {
      err_ << "cshieldctl: cannot read " << file << '\n';
      return kUsageError;
    }
    std::ostringstream text;
    text << in.rdbuf();
    // The group's name decides the target; the file goes as it is, so that
    // the lines the daemon names are the file's.
    std::string name;
    try {
      Poco::Dynamic::Var v = Poco::JSON::Parser().parse(text.str());
      if (v.type() == typeid(Object::Ptr)) name = v.extract<Object::Ptr>()->optValue<std::string>("name", "");
    } catch (const Poco::Exception&) {
      // The daemon names the syntax error with its line.
    }
    if (name.empty()) name = "-";  // the daemon says what is missing
    auto r = call_listing_reasons("PUT", "/api/v1/policy-groups/" + percent_encode(name), text.str(), file);
    if (!r) return kApiError;
    if (json_) {
      out_ << pretty(*r) << '\n';
      return kOk;
    }
    out_ << "Policy group " << name << (r->status == 201 ? " created" : " replaced")
         << "; it applies to running containers now.\n";
    return kOk;
  }

  int policy_learn(const std::string& name, const std::string& minutes) {
    auto r = call_listing_reasons("POST", "/api/v1/policy-groups/" + percent_encode(name) + "/learn",
                                  "{\"minutes\":" + minutes + "}", "");
    if (!r) return kApiError;
    if (json_) {
      out_ << pretty(*r) << '\n';
      return kOk;
    }
    Object::Ptr g = object_of(*r);
    out_ << "Policy group " << name << " learns until " << g->optValue<std::string>("learning_until", "-")
         << "; then run: cshieldctl policy propose " << name << '\n';
    return kOk;
  }

  int policy_propose(const std::string& name) {
    auto r = call("GET", "/api/v1/policy-groups/" + percent_encode(name) + "/proposal");
    if (!r) return kApiError;
    if (json_) {
      out_ << pretty(*r) << '\n';
      return kOk;
    }
    Object::Ptr x = object_of(*r);
    Object::Ptr group = x->getObject("group");
    if (group) out_ << to_json_text(group, 2) << '\n';
    if (x->optValue<bool>("learning", false))
      err_ << "cshieldctl: still learning until " << x->optValue<std::string>("learning_until", "-")
           << "; the proposal may grow\n";
    return kOk;
  }

  std::ostream& out() { return out_; }

 private:
  ApiClient client_;
  bool json_;
  std::ostream& out_;
  std::ostream& err_;
};

int usage_error(std::ostream& err, const std::string& message) {
  err << "cshieldctl: " << message << "\n\n" << kUsage;
  return kUsageError;
}

std::optional<ApiClient> make_client(const Globals& g, std::ostream& err) {
  if (g.url.empty()) return ApiClient::over_unix_socket(g.socket);
  std::string token;
  if (!g.token_file.empty()) {
    std::ifstream in(g.token_file);
    if (!in) {
      err << "cshieldctl: cannot read the token file " << g.token_file << '\n';
      return std::nullopt;
    }
    std::getline(in, token);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  }
  std::string error;
  auto client = ApiClient::over_tcp(g.url, token, error);
  if (!client) err << "cshieldctl: " << error << '\n';
  return client;
}

}  // namespace

std::string client_usage() { return kUsage; }

int run_client_command(const std::vector<std::string>& raw_args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args = expand(raw_args);
  Globals g;
  if (std::string e = take_globals(args, g); !e.empty()) return usage_error(err, e);
  if (g.help) {
    out << kUsage;
    return kOk;
  }
  if (args.empty()) return usage_error(err, "no command given");

  const std::string& command = args[0];
  const std::string sub = args.size() > 1 ? args[1] : "";
  Parsed p;
  std::string e;
  std::string name;
  if (command == "alarms" && sub == "list") {
    name = "alarms list";
    e = parse_command_options(args, 2, {"type", "subtype", "severity", "status", "container", "image", "since", "until", "limit", "cursor", "wait"},
                              {"all"}, name, p);
    if (e.empty() && !p.positionals.empty()) e = "unexpected argument '" + p.positionals[0] + "' for 'alarms list'";
  } else if (command == "alarms" && sub == "show") {
    name = "alarms show";
    e = parse_command_options(args, 2, {}, {}, name, p);
    if (e.empty() && p.positionals.size() != 1) e = "'alarms show' takes one alarm id";
  } else if (command == "alarms" && sub == "handle") {
    name = "alarms handle";
    e = parse_command_options(args, 2, {"status", "note"}, {}, name, p);
    if (e.empty() && p.positionals.size() != 1) e = "'alarms handle' takes one alarm id";
    if (e.empty() && !p.values.count("status")) e = "'alarms handle' needs --status handled|ignored|unhandled";
  } else if (command == "alarms" && sub == "summary") {
    name = "alarms summary";
    e = parse_command_options(args, 2, {"since", "until"}, {}, name, p);
    if (e.empty() && !p.positionals.empty()) e = "unexpected argument '" + p.positionals[0] + "' for 'alarms summary'";
  } else if (command == "alarms") {
    e = sub.empty() ? "'alarms' needs a subcommand: list, show, handle or summary"
                    : "unknown subcommand 'alarms " + sub + "'";
  } else if (command == "containers") {
    name = command;
    e = parse_command_options(args, 1, {}, {}, name, p);
    if (e.empty() && p.positionals.size() > 1) e = "'containers' takes at most one container id or name";
  } else if (command == "status") {
    name = command;
    e = parse_command_options(args, 1, {}, {}, name, p);
    if (e.empty() && !p.positionals.empty()) e = "'status' takes no arguments";
  } else if (command == "health") {
    name = command;
    e = parse_command_options(args, 1, {}, {}, name, p);
    if (e.empty() && !p.positionals.empty()) e = "'health' takes no arguments";
  } else if (command == "policy" && (sub == "list")) {
    name = "policy list";
    e = parse_command_options(args, 2, {}, {}, name, p);
    if (e.empty() && !p.positionals.empty()) e = "'policy list' takes no arguments";
  } else if (command == "policy" && (sub == "show" || sub == "delete" || sub == "propose" || sub == "apply")) {
    name = "policy " + sub;
    e = parse_command_options(args, 2, {}, {}, name, p);
    if (e.empty() && p.positionals.size() != 1)
      e = "'" + name + "' takes one " + (sub == "apply" ? "file" : "group name");
  } else if (command == "policy" && sub == "learn") {
    name = "policy learn";
    e = parse_command_options(args, 2, {"minutes"}, {}, name, p);
    if (e.empty() && p.positionals.size() != 1) e = "'policy learn' takes one group name";
    if (e.empty() && !p.values.count("minutes")) e = "'policy learn' needs --minutes N";
    if (e.empty() && (p.values["minutes"].empty() ||
                      p.values["minutes"].find_first_not_of("0123456789") != std::string::npos ||
                      p.values["minutes"].size() > 6))
      e = "--minutes takes a whole number of minutes";
  } else if (command == "policy") {
    e = sub.empty() ? "'policy' needs a subcommand: list, show, apply, delete, learn or propose"
                    : "unknown subcommand 'policy " + sub + "'";
  } else if (command == "replay") {
    e = "'replay' is run by the cshieldctl program itself, not through the API";
  } else {
    e = "unknown command '" + command + "'";
  }
  if (!e.empty()) return usage_error(err, e);

  auto client = make_client(g, err);
  if (!client) return kUsageError;
  Session s(std::move(*client), g.json, out, err);
  std::ostream& o = s.out();
  if (name == "alarms list") return s.alarms_list(p);
  if (name == "alarms show")
    return s.show("/api/v1/alarms/" + percent_encode(p.positionals[0]), [&](const Object::Ptr& a) { print_alarm(a, o); });
  if (name == "alarms handle") return s.alarms_handle(p.positionals[0], p);
  if (name == "alarms summary")
    return s.show(with_query("/api/v1/alarms/summary", p.values), [&](const Object::Ptr& x) { print_summary(x, o); });
  if (name == "policy list")
    return s.show("/api/v1/policy-groups", [&](const Object::Ptr& x) {
      Array::Ptr items = x->getArray("items");
      if (!items || items->size() == 0)
        o << "No policy groups.\n";
      else
        print_policy_table(items, o);
    });
  if (name == "policy show")
    return s.show("/api/v1/policy-groups/" + percent_encode(p.positionals[0]),
                  [&](const Object::Ptr& g) { o << to_json_text(g, 2) << '\n'; });
  if (name == "policy apply") return s.policy_apply(p.positionals[0]);
  if (name == "policy delete") {
    auto r = s.call("DELETE", "/api/v1/policy-groups/" + percent_encode(p.positionals[0]));
    if (!r) return kApiError;
    o << "Policy group " << p.positionals[0] << " deleted.\n";
    return kOk;
  }
  if (name == "policy learn") return s.policy_learn(p.positionals[0], p.values.at("minutes"));
  if (name == "policy propose") return s.policy_propose(p.positionals[0]);
  if (name == "containers" && p.positionals.empty())
    return s.show("/api/v1/containers", [&](const Object::Ptr& x) {
      Array::Ptr items = x->getArray("items");
      if (!items || items->size() == 0)
        o << "No containers seen yet.\n";
      else
        print_container_table(items, o);
    });
  if (name == "containers")
    return s.show("/api/v1/containers/" + percent_encode(p.positionals[0]),
                  [&](const Object::Ptr& c) { print_container(c, o); });
  if (name == "health")
    return s.show("/healthz", [&](const Object::Ptr& x) { o << x->optValue<std::string>("status", "ok") << '\n'; });
  return s.show("/api/v1/status", [&](const Object::Ptr& x) { print_status(x, o); });
}

}  // namespace cshield
