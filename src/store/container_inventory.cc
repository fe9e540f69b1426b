#include "store/container_inventory.h"

#include "core/json_text.h"
#include "store/container_rows.h"

namespace cshield {
namespace {

const char* boolean(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string posture_json(const ContainerPosture& p) {
  std::string caps, mounts;
  for (const auto& c : p.capabilities) caps += (caps.empty() ? "" : ",") + json_string(c);
  for (const auto& m : p.host_mounts)
    mounts += (mounts.empty() ? "" : ",") + std::string("{\"source\":") + json_string(m.source) +
              ",\"destination\":" + json_string(m.destination) + "}";
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
  upsert_container_row(conn_, c, start.started_ms);
  {
    auto st = conn_.prepared("UPDATE containers SET started_ms = ?2, posture = ?3, stopped_ms = NULL WHERE id = ?1");
    st->bind_text(1, c.id);
    st->bind_int(2, start.started_ms);
    st->bind_text(3, posture_json(start.posture));
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
