// cshieldd: the cshield daemon. See `cshieldd --help` and cshieldd(8).
#include <iostream>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/daemon.h"
#include "app/signature_file.h"
#include "policy/policy_directory.h"

namespace {

const char* kUsage =
    "usage: cshieldd [--config FILE] [--check-config | --print-rules]\n"
    "       cshieldd --version | --help\n"
    "\n"
    "cshield guards the containers of this host: it loads kernel audit rules for\n"
    "the system calls and files that container escapes use, reads the audit\n"
    "records, finds the container of each process, and stores alarms that the\n"
    "REST API and cshieldctl serve.\n"
    "\n"
    "  --config FILE    configuration (default /etc/cshield/cshield.conf; every\n"
    "                   key is optional, see cshield.conf(5))\n"
    "  --check-config   validate the configuration, the signature file and the\n"
    "                   policy groups of its [policy] directory; print each error\n"
    "                   with file and line; exit 0 when all is valid, 1 otherwise\n"
    "  --print-rules    print the audit rules cshieldd would load, in auditctl\n"
    "                   syntax (for /etc/audit/rules.d/ when auditd loads rules)\n"
    "  --version        print the version\n"
    "\n"
    "cshieldd runs in the foreground and logs to stderr. It needs root (or\n"
    "CAP_AUDIT_CONTROL, CAP_AUDIT_READ, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH).\n"
    "SIGTERM or SIGINT stop it: its audit rules are removed and the kernel's audit\n"
    "status is put back as it was found. SIGHUP reloads the configuration and the\n"
    "policy files; an invalid one is reported and the running one kept.\n"
    "\n"
    "examples:\n"
    "  cshieldd --config /etc/cshield/cshield.conf\n"
    "  cshieldd --check-config --config ./cshield.conf\n"
    "  cshieldd --print-rules > /etc/audit/rules.d/50-cshield.rules\n";

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = "/etc/cshield/cshield.conf";
  bool check = false, rules = false, explicit_config = false;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--version") {
      std::cout << "cshieldd " << CSHIELD_VERSION << "\n";
      return 0;
    } else if ((a == "--config" || a == "-c") && i + 1 < args.size()) {
      config_path = args[++i];
      explicit_config = true;
    } else if (a.rfind("--config=", 0) == 0) {
      config_path = a.substr(9);
      explicit_config = true;
    } else if (a == "--check-config") {
      check = true;
    } else if (a == "--print-rules") {
      rules = true;
    } else {
      std::cerr << "cshieldd: unknown argument '" << a << "'\n\n" << kUsage;
      return 2;
    }
  }

  cshield::ConfigLoad load = cshield::load_config(config_path);
  // A missing default file means "all defaults"; a file named on the command line must exist.
  if (!load.config && !explicit_config && load.errors.size() == 1 && load.errors[0].line == 0)
    load = cshield::parse_config("", config_path + " (absent: defaults)");
  for (const auto& w : load.warnings) std::cerr << "warning: " << w.to_string() << "\n";
  for (const auto& e : load.errors) std::cerr << "error: " << e.to_string() << "\n";
  if (!load.config) return 1;

  if (check) {
    const auto signatures = cshield::load_signature_file(load.config->detect.signatures);
    for (const auto& w : signatures.warnings) std::cerr << "warning: " << w.to_string() << "\n";
    for (const auto& e : signatures.errors) std::cerr << "error: " << e.to_string() << "\n";
    if (!signatures.errors.empty()) return 1;
    const cshield::PolicyParse policy = cshield::load_policy_directory(load.config->policy.directory);
    for (const auto& e : policy.errors) std::cerr << "error: " << e.to_string() << "\n";
    if (!policy.ok()) return 1;
    std::cout << config_path << ": configuration is valid\n";
    std::cout << load.config->policy.directory << ": " << policy.groups.size() << " policy group(s), valid\n";
    return 0;
  }
  if (rules) {
    std::cout << cshield::print_rules(*load.config);
    return 0;
  }
  cshield::block_daemon_signals();
  return cshield::run_daemon(*load.config);
}
