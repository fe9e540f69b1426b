#include "store/container_inventory.h"

namespace cshield {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

const char* boolean(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string posture_json(const ContainerPosture& p) {
  std::string caps, mounts;
  for (const auto& c : p.capabilities) caps += (caps.empty() ? "" : ",") + quote(c);
  for (const auto& m : p.host_mounts)
    mounts += (mounts.empty() ? "" : ",") + std::string("{\"source\":") + quote(m.source) +
              ",\"destination\":" + quote(m.destination) + "}";
  return std::string("{\"privileged\":") + boolean(p.privileged()) + ",\"capabilities\":[" + caps +
         "],\"seccomp\":" + boolean(p.seccomp) + ",\"masked_paths\":" + boolean(p.masked_paths) +
         ",\"devices_unrestricted\":" + boolean(p.devices_unrestricted) +
         ",\"no_new_privileges\":" + boolean(p.no_new_privileges) +
         ",\"user_namespace\":" + boolean(p.user_namespace) + ",\"host_mounts\":[" + mounts + "]}";
}

ContainerInventory::ContainerInventory(const std::string& path) : conn_(path, false) {}

void ContainerInventory::record_start(const ContainerStart& start, std::int64_t judged_ms) {
  const ContainerInfo& c = start.container;
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::write);
  {
    auto st = conn_.prepared(
        "INSERT INTO containers (id, runtime, name, image, pod, namespace, bundle, first_seen_ms, "
        "last_seen_ms, started_ms, posture) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8, ?9) "
        "ON CONFLICT (id) DO UPDATE SET "
        "runtime = CASE WHEN excluded.runtime <> '' THEN excluded.runtime ELSE runtime END, "
        "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
        "image = CASE WHEN excluded.image <> '' THEN excluded.image ELSE image END, "
        "bundle = CASE WHEN excluded.bundle <> '' THEN excluded.bundle ELSE bundle END, "
        "pod = coalesce(excluded.pod, pod), namespace = coalesce(excluded.namespace, namespace), "
        "first_seen_ms = min(first_seen_ms, excluded.first_seen_ms), "
        "last_seen_ms = max(last_seen_ms, excluded.last_seen_ms), "
        "started_ms = excluded.started_ms, posture = excluded.posture, stopped_ms = NULL");
    st->bind_text(1, c.id);
    st->bind_text(2, c.runtime);
    st->bind_text(3, c.name);
    st->bind_text(4, c.image);
    st->bind_optional_text(5, c.pod);
    st->bind_optional_text(6, c.namespace_);
    st->bind_text(7, c.bundle);
    st->bind_int(8, start.started_ms);
    st->bind_text(9, posture_json(start.posture));
    st->step();
  }
  {
    auto st = conn_.prepared(
        "INSERT OR REPLACE INTO startup_judged (container_id, started_ms, judged_ms) VALUES (?1, ?2, ?3)");
    st->bind_text(1, c.id);
    st->bind_int(2, start.started_ms);
    st->bind_int(3, judged_ms);
    st->step();
  }
  tx.commit();
}

bool ContainerInventory::record_stop(const std::string& id, std::int64_t stopped_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared(
      "UPDATE containers SET stopped_ms = ?2, last_seen_ms = max(last_seen_ms, ?2) "
      "WHERE id = ?1 AND stopped_ms IS NULL");
  st->bind_text(1, id);
  st->bind_int(2, stopped_ms);
  st->step();
  return conn_.changes() > 0;
}

bool ContainerInventory::judged(const std::string& id, std::int64_t from_ms, std::int64_t to_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared(
      "SELECT 1 FROM startup_judged WHERE container_id = ?1 AND started_ms BETWEEN ?2 AND ?3 LIMIT 1");
  st->bind_text(1, id);
  st->bind_int(2, from_ms);
  st->bind_int(3, to_ms);
  return st->step();
}

std::vector<std::string> ContainerInventory::running() {
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared("SELECT id FROM containers WHERE stopped_ms IS NULL AND started_ms IS NOT NULL");
  while (st->step()) out.push_back(st->column_text(0));
  return out;
}

}  // namespace cshield
