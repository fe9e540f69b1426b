#include "store/policy_store.h"

#include "policy/policy_parse.h"

namespace cshield {

PolicyStore::PolicyStore(const std::string& path) : conn_(path, false) {}

std::vector<PolicyGroup> PolicyStore::load(std::vector<std::string>* problems) {
  std::vector<PolicyGroup> out;
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared("SELECT name, definition, source, learning_until_ms FROM policy_groups ORDER BY name");
  while (st->step()) {
    const std::string name = st->column_text(0);
    PolicyParse p = parse_policy_document(st->column_text(1), "");
    if (!p.ok() || p.groups.size() != 1) {
      if (problems)
        problems->push_back("stored policy group '" + name + "' no longer parses: " +
                            (p.errors.empty() ? std::string("not one group") : p.errors.front().to_string()));
      continue;
    }
    PolicyGroup g = std::move(p.groups.front());
    g.source = st->column_text(2);
    g.learning_until_ms = st->column_optional_int(3);
    out.push_back(std::move(g));
  }
  return out;
}

void PolicyStore::put_locked(const PolicyGroup& g, std::int64_t now_ms) {
  auto st = conn_.prepared(
      "INSERT OR REPLACE INTO policy_groups (name, definition, source, learning_until_ms, updated_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  st->bind_text(1, g.name);
  st->bind_text(2, policy_group_json(g, false));
  st->bind_text(3, g.source);
  st->bind_optional_int(4, g.learning_until_ms);
  st->bind_int(5, now_ms);
  st->step();
}

void PolicyStore::put(const PolicyGroup& g, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  put_locked(g, now_ms);
}

bool PolicyStore::remove(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::write);
  bool removed = false;
  {
    auto st = conn_.prepared("DELETE FROM policy_groups WHERE name = ?1");
    st->bind_text(1, name);
    st->step();
    removed = conn_.changes() > 0;
  }
  {
    auto st = conn_.prepared("DELETE FROM policy_learned WHERE group_name = ?1");
    st->bind_text(1, name);
    st->step();
  }
  tx.commit();
  return removed;
}

void PolicyStore::replace_file_groups(const std::vector<PolicyGroup>& file_groups, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::write);
  // Learning state survives a reload of the same group.
  std::vector<std::pair<std::string, std::int64_t>> learning;
  {
    auto st = conn_.prepared(
        "SELECT name, learning_until_ms FROM policy_groups WHERE source <> 'api' AND learning_until_ms IS NOT NULL");
    while (st->step()) learning.emplace_back(st->column_text(0), st->column_int(1));
  }
  conn_.exec("DELETE FROM policy_groups WHERE source <> 'api'");
  for (PolicyGroup g : file_groups) {
    for (const auto& [name, until] : learning)
      if (name == g.name && !g.learning_until_ms) g.learning_until_ms = until;
    put_locked(g, now_ms);
  }
  tx.commit();
}

void PolicyStore::add_learned(const std::string& group, const std::string& path, std::int64_t seen_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared(
      "INSERT INTO policy_learned (group_name, path, first_seen_ms, last_seen_ms, count) VALUES (?1, ?2, ?3, ?3, 1) "
      "ON CONFLICT (group_name, path) DO UPDATE SET count = count + 1, "
      "last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)");
  st->bind_text(1, group);
  st->bind_text(2, path);
  st->bind_int(3, seen_ms);
  st->step();
}

std::vector<LearnedExecutable> PolicyStore::learned(const std::string& group) {
  std::vector<LearnedExecutable> out;
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared(
      "SELECT path, first_seen_ms, last_seen_ms, count FROM policy_learned WHERE group_name = ?1 ORDER BY path");
  st->bind_text(1, group);
  while (st->step())
    out.push_back(LearnedExecutable{st->column_text(0), st->column_int(1), st->column_int(2), st->column_int(3)});
  return out;
}

void PolicyStore::clear_learned(const std::string& group) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared("DELETE FROM policy_learned WHERE group_name = ?1");
  st->bind_text(1, group);
  st->step();
}

void PolicyStore::set_container_group(const std::string& container_id, const std::string& group) {
  std::lock_guard<std::mutex> lock(mu_);
  if (group.empty()) {
    auto st = conn_.prepared("DELETE FROM container_policy_groups WHERE container_id = ?1");
    st->bind_text(1, container_id);
    st->step();
    return;
  }
  auto st = conn_.prepared("INSERT OR REPLACE INTO container_policy_groups (container_id, policy_group) VALUES (?1, ?2)");
  st->bind_text(1, container_id);
  st->bind_text(2, group);
  st->step();
}

}  // namespace cshield
