// The REST API and web pages over a store of generated alarms, without the
// audit pipeline: for the page-load benchmark (tools/bench/ui-page-load) and
// for working on the pages without root or kernel audit (it never touches
// audit). Serves the same ApiServer code as cshieldd.
//
//   ui_bench_server DB ALARMS PORT TOKEN [EXTRA.sql ...]
// Fills DB (created when missing) up to ALARMS alarms spread over 100
// containers, the 7 types, 4 severities and the last 30 days, then serves
// 127.0.0.1:PORT with TOKEN until stdin closes. PORT 0: a free port the
// kernel picks (what the bench scripts use: a port chosen by the script may
// be taken). Prints "ready <alarms> <port>" as one line when serving;
// errors go to stderr and never start with "ready".
// EXTRA.sql files (schema/next/: migrations not yet numbered in) are run
// on DB after filling; they must be idempotent (IF NOT EXISTS).
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "api/api_server.h"
#include "store/sqlite_reader_pool.h"
#include "store/sqlite_store.h"

using namespace cshield;

namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::cerr << "sqlite: " << (err ? err : "?") << "\n";
    std::exit(1);
  }
}

std::vector<std::string> column_texts(sqlite3* db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    std::cerr << "sqlite: " << sqlite3_errmsg(db) << "\n";
    std::exit(1);
  }
  while (sqlite3_step(st) == SQLITE_ROW)
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  return out;
}

// One INSERT ... SELECT over a recursive counter, with the indexes of
// alarms dropped meanwhile and made again from their own SQL afterwards
// (sorting each once, rather than inserting row by row into each: 10M
// alarms in minutes rather than hours), without WAL (no second copy of
// every page) and with a large page cache. The schema's triggers still
// fire per row.
void fill(const std::string& path, long long want) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::exit(1);
  const long long have = std::stoll(column_texts(db, "SELECT count(*) FROM alarms").at(0));
  if (have < want) {
    const long long now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string n = std::to_string(want - have), now = std::to_string(now_ms);
    exec(db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000");
    exec(db, "BEGIN");
    const auto names =
        column_texts(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alarms' AND sql IS NOT NULL");
    const auto indexes =
        column_texts(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alarms' AND sql IS NOT NULL");
    for (const auto& name : names) exec(db, "DROP INDEX \"" + name + "\"");
    exec(db,
         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < " + n + "), "
         "t(k, type, subtype, category, name, severity) AS (VALUES "
         "(0,'vulnerability_escape','shocker','exploit','Vulnerability escape: shocker','critical'),"
         "(1,'file_escape','read','exploit','File escape: read','high'),"
         "(2,'high_risk_syscall','ptrace','abnormal_system_behavior','High-risk system call: ptrace','high'),"
         "(3,'malicious_program','miner','abnormal_system_behavior','Malicious container program: miner','critical'),"
         "(4,'abnormal_process','not_whitelisted','abnormal_system_behavior','Abnormal container process','medium'),"
         "(5,'sensitive_file_access','write','abnormal_system_behavior','Sensitive file access: write','high'),"
         "(6,'abnormal_startup','startup','abnormal_system_behavior','Abnormal container startup','medium')) "
         "INSERT INTO alarms (type, subtype, category, name, severity, status, first_seen_ms, last_seen_ms, count, "
         "container_id, container_name, container_image, container_runtime, pid, ppid, exe, comm, cmdline, uid, euid, "
         "auid, syscall, path, evidence, audit_serial, audit_time_ms, description, fold_key) "
         "SELECT t.type, t.subtype, t.category, t.name, "
         "CASE WHEN c.i % 11 = 0 THEN 'low' ELSE t.severity END, "
         "CASE WHEN c.i % 5 = 0 THEN 'handled' WHEN c.i % 13 = 0 THEN 'ignored' ELSE 'unhandled' END, "
         "ts, ts, 1 + c.i % 3, printf('%064x', c.i % 100), 'bench-' || (c.i % 100), 'bench/image:' || (c.i % 10), "
         "'runc', 1000 + c.i % 30000, 1, '/usr/bin/tool' || (c.i % 50), 'tool', 'tool --run ' || c.i, 0, 0, "
         "4294967295, 'ptrace', NULL, '{\"findings\":[\"seccomp=unconfined\"]}', c.i, ts, 'generated', "
         "'bench:' || c.i "
         "FROM (SELECT i, " + now + " - (" + n + " - i) * (2592000000 / " + n + ") AS ts FROM c) AS c "
         "JOIN t ON t.k = c.i % 7 ORDER BY c.i");
    exec(db,
         "INSERT OR IGNORE INTO containers (id, runtime, name, image, first_seen_ms, last_seen_ms) "
         "SELECT DISTINCT container_id, 'runc', container_name, container_image, 0, 0 FROM alarms "
         "WHERE container_name LIKE 'bench-%'");
    for (const auto& sql : indexes) exec(db, sql);
    exec(db, "COMMIT");
    exec(db, "PRAGMA journal_mode = WAL");
  }
  sqlite3_close(db);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: ui_bench_server DB ALARMS PORT TOKEN [EXTRA.sql ...]\n";
    return 2;
  }
  const std::string path = argv[1];
  {
    StoreOptions o;
    o.retention_days = 0;
    o.max_alarms = 0;
    SqliteStore schema(path, o);  // creates the schema
  }
  fill(path, std::atoll(argv[2]));
  for (int i = 5; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::stringstream sql;
    sql << in.rdbuf();
    sqlite3* db = nullptr;
    if (!in || sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
      std::cerr << argv[i] << ": cannot apply\n";
      return 1;
    }
    exec(db, sql.str());
    sqlite3_close(db);
  }
  StoreOptions o;
  o.retention_days = 0;
  o.max_alarms = 0;
  ApiOptions api;
  // As cshieldd: read-only connections for as many requests as a listener serves at once.
  SqliteReaderPool store(path, o, static_cast<std::size_t>(api.threads));
  ApiContext ctx{store, nullptr, [] { return true; }, nullptr};
  api.listen = std::string("127.0.0.1:") + argv[3];
  api.token = argv[4];
  ApiServer server(ctx, api);
  std::string error;
  if (!server.start(error)) {
    std::cerr << error << "\n";
    return 1;
  }
  std::cout << "ready " << store.alarm_count() << " " << server.tcp_port() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  server.stop();
  return 0;
}
