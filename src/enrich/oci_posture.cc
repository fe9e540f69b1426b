#include "enrich/oci_posture.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "enrich/json_fields.h"

namespace cshield {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool is_bind(const Poco::JSON::Object::Ptr& mount) {
  if (json::string(mount, "type") == "bind") return true;
  auto options = json::array(mount, "options");
  for (unsigned i = 0; options && i < options->size(); ++i) {
    const std::string o = json::string_at(options, i);
    if (o == "bind" || o == "rbind") return true;
  }
  return false;
}

bool bool_field(const Poco::JSON::Object::Ptr& obj, const std::string& key) {
  try {
    return obj && obj->has(key) && obj->get(key).isBoolean() && obj->getValue<bool>(key);
  } catch (...) {
    return false;
  }
}

bool confining_action(const std::string& action) {
  return !action.empty() && action != "SCMP_ACT_ALLOW" && action != "SCMP_ACT_LOG";
}

// A profile confines when its default action or some rule refuses calls.
bool confining_seccomp(const Poco::JSON::Object::Ptr& seccomp) {
  if (!seccomp) return false;
  if (confining_action(json::string(seccomp, "defaultAction"))) return true;
  auto rules = json::array(seccomp, "syscalls");
  for (unsigned i = 0; rules && i < rules->size(); ++i)
    if (confining_action(json::string(json::object_at(rules, i), "action"))) return true;
  return false;
}

// A device cgroup rule "allow rwm on every device": no (or "a") type, no major/minor.
bool devices_unrestricted(const Poco::JSON::Object::Ptr& resources) {
  auto devices = json::array(resources, "devices");
  bool unrestricted = false;
  for (unsigned i = 0; devices && i < devices->size(); ++i) {
    auto d = json::object_at(devices, i);
    if (!d || d->has("major") || d->has("minor")) continue;
    const std::string type = json::string(d, "type");
    if (!type.empty() && type != "a") continue;
    const std::string access = json::string(d, "access");
    const bool all_access = access.find('r') != std::string::npos && access.find('w') != std::string::npos &&
                            access.find('m') != std::string::npos;
    // Later rules override earlier ones: a later "deny all" restricts again.
    if (bool_field(d, "allow")) {
      if (all_access) unrestricted = true;
    } else {
      unrestricted = false;
    }
  }
  return unrestricted;
}

bool non_empty_array(const Poco::JSON::Object::Ptr& obj, const std::string& key) {
  auto a = json::array(obj, key);
  return a && a->size() > 0;
}

}  // namespace

const std::vector<std::string>& capability_names() {
  static const std::vector<std::string> names = {
      "CAP_CHOWN",           "CAP_DAC_OVERRIDE",  "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
      "CAP_FSETID",          "CAP_KILL",          "CAP_SETGID",          "CAP_SETUID",
      "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
      "CAP_NET_ADMIN",       "CAP_NET_RAW",       "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
      "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",     "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
      "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",     "CAP_SYS_BOOT",        "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",      "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
      "CAP_LEASE",           "CAP_AUDIT_WRITE",   "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
      "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",     "CAP_SYSLOG",          "CAP_WAKE_ALARM",
      "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",    "CAP_PERFMON",         "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE"};
  return names;
}

std::vector<std::string> capabilities_of_status(std::string_view status, std::string_view line) {
  const std::string prefix = std::string(line) + ":";
  std::size_t pos = 0;
  while (pos < status.size()) {
    std::size_t end = status.find('\n', pos);
    if (end == std::string_view::npos) end = status.size();
    std::string_view l = status.substr(pos, end - pos);
    if (l.substr(0, prefix.size()) == prefix) {
      const std::string hex(l.substr(prefix.size()));
      const std::uint64_t bits = std::strtoull(hex.c_str(), nullptr, 16);
      std::vector<std::string> out;
      const auto& names = capability_names();
      for (std::size_t i = 0; i < names.size() && i < 64; ++i)
        if (bits & (std::uint64_t{1} << i)) out.push_back(names[i]);
      return out;
    }
    pos = end + 1;
  }
  return capability_names();
}

std::optional<ContainerPosture> posture_from_oci_config(const std::string& config_json,
                                                        const std::vector<std::string>& host_capabilities) {
  try {
    auto config = json::parse_object(config_json);
    if (!config) return std::nullopt;
    ContainerPosture p;
    auto process = json::object(config, "process");
    auto caps = json::object(process, "capabilities");
    for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"}) {
      auto list = json::array(caps, set);
      for (unsigned i = 0; list && i < list->size(); ++i) {
        std::string c = json::string_at(list, i);
        if (!c.empty() && !contains(p.capabilities, c)) p.capabilities.push_back(std::move(c));
      }
    }
    p.all_capabilities = !host_capabilities.empty() &&
                         std::all_of(host_capabilities.begin(), host_capabilities.end(),
                                     [&](const std::string& c) { return contains(p.capabilities, c); });
    p.no_new_privileges = bool_field(process, "noNewPrivileges");

    auto linux_ = json::object(config, "linux");
    p.seccomp = confining_seccomp(json::object(linux_, "seccomp"));
    p.masked_paths = non_empty_array(linux_, "maskedPaths") || non_empty_array(linux_, "readonlyPaths");
    p.devices_unrestricted = devices_unrestricted(json::object(linux_, "resources"));
    auto namespaces = json::array(linux_, "namespaces");
    for (unsigned i = 0; namespaces && i < namespaces->size(); ++i)
      if (json::string(json::object_at(namespaces, i), "type") == "user") p.user_namespace = true;

    auto mounts = json::array(config, "mounts");
    for (unsigned i = 0; mounts && i < mounts->size(); ++i) {
      auto m = json::object_at(mounts, i);
      const std::string source = json::string(m, "source");
      if (!is_bind(m) || source.empty() || source.front() != '/') continue;
      p.host_mounts.push_back({source, json::string(m, "destination")});
    }
    return p;
  } catch (...) {
    return std::nullopt;
  }
}

bool apply_docker_host_config(const std::string& host_config_json, ContainerPosture& posture) {
  try {
    auto host_config = json::parse_object(host_config_json);
    if (!host_config || !host_config->has("Privileged") || !host_config->get("Privileged").isBoolean())
      return false;
    posture.runtime_privileged = host_config->getValue<bool>("Privileged");
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace cshield
