#include "store/sqlite_store.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <variant>

#include "store/alarm_rows.h"
#include "store/alarm_summary.h"
#include "store/container_rows.h"
#include "store/schema_setup.h"

namespace cshield {

namespace {

constexpr std::int64_t kMsPerHour = 60 * 60 * 1000;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
// Times beyond +-2^60 ms are left to the plain time range (no hour arithmetic).
constexpr std::int64_t kFarMs = std::int64_t{1} << 60;
constexpr int kMaxPageSize = 1000;
// Up to this many rows last seen since a time are looked up by the
// last_seen index (a covering index walk of at most this many entries).
constexpr int kFewSeenSince = 1000;
constexpr std::size_t kMinIdPrefix = 12;

// A WHERE clause assembled from optional filters, with its parameters.
class Filter {
 public:
  void add(const std::string& clause, std::vector<std::variant<std::int64_t, std::string>> params) {
    sql_ += sql_.empty() ? " WHERE " : " AND ";
    sql_ += clause;
    for (auto& p : params) params_.push_back(std::move(p));
  }
  void add_text(const std::string& column, const std::optional<std::string>& value) {
    if (value) add(column + " = ?", {*value});
  }
  void add_time_range(std::optional<std::int64_t> since_ms, std::optional<std::int64_t> until_ms) {
    if (since_ms) add("last_seen_ms >= ?", {*since_ms});
    if (until_ms) add("first_seen_ms <= ?", {*until_ms});
  }
  const std::string& sql() const { return sql_; }
  // Binds from parameter `first` on; returns the next free index.
  int bind(SqliteStatement& st, int first = 1) const {
    for (const auto& p : params_) {
      if (const auto* i = std::get_if<std::int64_t>(&p))
        st.bind_int(first++, *i);
      else
        st.bind_text(first++, std::get<std::string>(p));
    }
    return first;
  }

 private:
  std::string sql_;
  std::vector<std::variant<std::int64_t, std::string>> params_;
};

// Upper bound of the ids that start with `prefix`: text compares bytewise
// and valid UTF-8 never holds 0xFF, so [prefix, prefix + 0xFF) is exactly
// the strings with that prefix, and the range can use an index.
std::string prefix_upper_bound(const std::string& prefix) { return prefix + '\xff'; }

constexpr char kContainerColumns[] =
    "SELECT id, runtime, name, image, pod, namespace, bundle, first_seen_ms, last_seen_ms, "
    "stopped_ms, findings, started_ms, posture, "
    "(SELECT policy_group FROM container_policy_groups WHERE container_id = containers.id) FROM containers";

ContainerRecord read_container_row(const SqliteStatement& st) {
  ContainerRecord r;
  r.info.id = st.column_text(0);
  r.info.runtime = st.column_text(1);
  r.info.name = st.column_text(2);
  r.info.image = st.column_text(3);
  r.info.pod = st.column_optional_text(4);
  r.info.namespace_ = st.column_optional_text(5);
  r.info.bundle = st.column_text(6);
  r.first_seen_ms = st.column_int(7);
  r.last_seen_ms = st.column_int(8);
  r.stopped_ms = st.column_optional_int(9);
  r.findings_json = st.column_text(10);
  r.started_ms = st.column_optional_int(11);
  r.posture_json = st.column_optional_text(12);
  r.policy_group = st.column_optional_text(13);
  return r;
}

// Appends the newest `n` alarms that pass `f` and q's container filter, by
// id descending.
void select_page(SqliteConnection& conn, const Filter& f, const AlarmQuery& q, int n, std::vector<Alarm>& out) {
  // The container matches by id or by name: a UNION of the two, so that
  // SQLite merges two index walks already in id order and stops at the
  // page's end. An OR would gather every row of the container from both
  // indexes and sort them whole before the first one is returned (10k rows
  // of a container in 1M alarms: 40 ms a page). An id prefix walks its
  // range of ids and sorts only their ids.
  Filter a = f, b = f;
  if (q.container) {
    const std::string& c = *q.container;
    if (c.size() >= kMinIdPrefix) {
      a.add("container_name = ?", {c});
      b.add("container_id >= ? AND container_id < ?", {c, prefix_upper_bound(c)});
    } else {
      a.add("container_id = ?", {c});
      b.add("container_name = ?", {c});
    }
  }
  const std::string sql =
      q.container ? std::string(kSelectAlarmsSql) + " WHERE id IN (SELECT id FROM alarms" + a.sql() +
                        " UNION SELECT id FROM alarms" + b.sql() + " ORDER BY id DESC LIMIT ?) ORDER BY id DESC LIMIT ?"
                  : std::string(kSelectAlarmsSql) + f.sql() + " ORDER BY id DESC LIMIT ?";
  auto st = conn.prepared(sql);
  if (q.container) {
    const int next = b.bind(*st, a.bind(*st));
    st->bind_int(next, n);
    st->bind_int(next + 1, n);
  } else {
    st->bind_int(f.bind(*st), n);
  }
  while (st->step()) out.push_back(read_alarm_row(*st));
}

bool is_valid_status(const std::string& s) {
  return s == "unhandled" || s == "handled" || s == "ignored";
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, StoreOptions opts)
    : opts_(opts), conn_(path, opts.read_only) {
  if (!setup_schema(conn_, opts.read_only, opts.check_at_open_bytes) && !opts.read_only)
    background_check_ = std::make_unique<BackgroundIntegrityCheck>(path);
  // The count triggers of schema/006 make every alarm write a statement of
  // several tables, which SQLite backs with a statement journal: in a temp
  // file by default (spilled on each batch: 4x the write syscalls, -25% of
  // the writer's rate), in memory with this (a few KB per statement).
  conn_.exec("PRAGMA temp_store = MEMORY");
}

void SqliteStore::refuse_writes_if_damaged() const {
  if (!background_check_) return;
  if (auto damage = background_check_->damage()) throw StoreError(*damage);
}

std::vector<std::int64_t> SqliteStore::write(const std::vector<Alarm>& alarms) {
  std::vector<std::int64_t> ids;
  ids.reserve(alarms.size());
  if (alarms.empty()) return ids;
  refuse_writes_if_damaged();
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::write);
  for (const Alarm& a : alarms) ids.push_back(write_one(a));
  tx.commit();
  return ids;
}

std::int64_t SqliteStore::write_one(const Alarm& a) {
  const std::int64_t last_seen = alarm_last_seen(a);
  if (a.container && !a.container->id.empty()) {
    upsert_container_row(conn_, *a.container, last_seen);
    if (a.type == "abnormal_startup" && a.subtype == "startup") {
      auto st = conn_.prepared(
          "UPDATE containers SET findings = json_extract(?2, '$.findings') "
          "WHERE id = ?1 AND json_valid(?2) AND json_type(?2, '$.findings') = 'array'");
      st->bind_text(1, a.container->id);
      st->bind_text(2, a.evidence_json);
      st->step();
    }
  }

  if (a.status == "unhandled") {
    std::optional<std::int64_t> fold_into;
    {
      auto st = conn_.prepared(
          "SELECT id FROM alarms WHERE fold_key = ?1 AND status = 'unhandled' "
          "AND last_seen_ms BETWEEN ?2 AND ?3 ORDER BY last_seen_ms DESC, id DESC LIMIT 1");
      st->bind_text(1, a.fold_key());
      st->bind_int(2, last_seen - opts_.fold_window_ms);
      st->bind_int(3, last_seen + opts_.fold_window_ms);
      if (st->step()) fold_into = st->column_int(0);
    }
    if (fold_into) {
      auto st = conn_.prepared(
          "UPDATE alarms SET count = count + ?2, last_seen_ms = max(last_seen_ms, ?3), "
          "first_seen_ms = min(first_seen_ms, ?4) WHERE id = ?1");
      st->bind_int(1, *fold_into);
      st->bind_int(2, a.count);
      st->bind_int(3, last_seen);
      st->bind_int(4, alarm_first_seen(a));
      st->step();
      return *fold_into;
    }
  }

  auto st = conn_.prepared(kInsertAlarmSql);
  bind_alarm_row(*st, a);
  st->step();
  return conn_.last_insert_rowid();
}

void SqliteStore::upsert_container(const ContainerInfo& c, std::int64_t seen_ms) {
  refuse_writes_if_damaged();
  std::lock_guard<std::mutex> lock(mu_);
  upsert_container_row(conn_, c, seen_ms);
}

std::int64_t SqliteStore::apply_retention(std::int64_t now_ms) {
  refuse_writes_if_damaged();
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::write);
  std::int64_t deleted = 0;
  if (opts_.retention_days > 0) {
    auto st = conn_.prepared("DELETE FROM alarms WHERE last_seen_ms < ?");
    st->bind_int(1, now_ms - opts_.retention_days * kMsPerDay);
    st->step();
    deleted += conn_.changes();
  }
  if (opts_.max_alarms > 0) {
    auto st = conn_.prepared(
        "DELETE FROM alarms WHERE id <= (SELECT id FROM alarms ORDER BY id DESC LIMIT 1 OFFSET ?)");
    st->bind_int(1, opts_.max_alarms);
    st->step();
    deleted += conn_.changes();
  }
  tx.commit();
  return deleted;
}

AlarmPage SqliteStore::list(const AlarmQuery& q) {
  Filter f;
  f.add_text("type", q.type);
  f.add_text("subtype", q.subtype);
  f.add_text("severity", q.severity);
  f.add_text("status", q.status);
  f.add_text("container_image", q.image);
  f.add_time_range(q.since_ms, q.until_ms);
  const std::int64_t until_hour = q.until_ms ? hour_of(*q.until_ms) : 0;
  const int limit = std::clamp(q.limit, 1, kMaxPageSize);
  AlarmPage page;
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::read);  // one snapshot for its several statements
  std::int64_t period_alarms = 0;
  if (q.since_ms && q.until_ms && *q.since_ms > -kFarMs && *q.since_ms < kFarMs && *q.until_ms > -kFarMs &&
      *q.until_ms < kFarMs && fewer_in_period_than_after(*q.since_ms, until_hour, period_alarms)) {
    // A closed period well back: rather than walking every newer alarm by
    // id down to it (a day four weeks back in 1M alarms: 0.2 s), the
    // candidates are the rows last seen from since to the end of until's
    // hour (one index range), and those last seen later but first seen by
    // until's hour, whose last hours alarm_hour_counts lists. Every row of
    // the period is one of them; the time range above still decides.
    // Candidates below an id (the cursor, or where the first walk ended): the
    // index range, and the rows of later hours first seen by until's hour.
    // "+id": the bound must not turn the walk into one over the ids.
    const std::string in_range = "SELECT id FROM alarms WHERE last_seen_ms BETWEEN ? AND ? AND +id < ?";
    const std::string in_later_hours =
        "SELECT a.id FROM (SELECT DISTINCT last_hour_ms AS h FROM alarm_hour_counts "
        "WHERE last_hour_ms > ? AND first_hour_ms <= ?) AS s "
        "JOIN alarms AS a ON a.last_seen_ms BETWEEN s.h AND s.h + " + std::to_string(kMsPerHour - 1) +
        " AND +a.id < ?";
    const std::string candidates = in_range + " UNION ALL " + in_later_hours;
    const auto candidate_params = [&](std::int64_t below_id) {
      return std::vector<std::variant<std::int64_t, std::string>>{
          *q.since_ms, until_hour + kMsPerHour - 1, below_id, until_hour, until_hour, below_id};
    };
    constexpr std::int64_t kMinId = std::numeric_limits<std::int64_t>::min();
    const std::int64_t below = q.before_id ? *q.before_id : std::numeric_limits<std::int64_t>::max();
    if (below == kMinId) return page;  // no id is smaller
    // An upper bound of the candidates' ids (below the cursor), from the
    // hour counts' max_id (schema/008): the hours from since's to until's,
    // and the later hours' rows first seen by until's hour. Newer rows are
    // not in the period, so the page walks down by id from there and stops
    // at its end; where ids follow time (alarms are stored as they are
    // seen) the period's rows lie right below it.
    std::optional<std::int64_t> newest;
    {
      auto st = conn_.prepared(
          "SELECT max(max_id) FROM alarm_hour_counts WHERE last_hour_ms >= ?1 "
          "AND (last_hour_ms <= ?2 OR first_hour_ms <= ?2)");
      st->bind_int(1, hour_of(*q.since_ms));
      st->bind_int(2, until_hour);
      if (st->step() && !st->is_null(0)) newest = std::min(st->column_int(0), below - 1);
    }
    if (!newest) return page;
    // First the ids from the newest candidate down by about as many as the
    // period has alarms: a page that fills there is the page (every row not
    // seen has a smaller id). A page that does not (few matches, or ids out
    // of time order: rows stored late, alarms folded for a long time) goes
    // on with the candidates below that, which are gathered and sorted (the
    // whole period's ids at worst, as before this walk existed).
    const std::int64_t span = std::max<std::int64_t>(period_alarms, limit);
    const std::int64_t floor_id = *newest < kMinId + span ? kMinId : *newest - span;
    Filter near = f;
    near.add("id BETWEEN ? AND ?", {floor_id, *newest});
    select_page(conn_, near, q, limit + 1, page.items);
    if (page.items.size() <= static_cast<std::size_t>(limit)) {
      Filter rest = f;
      rest.add("id < ?", {std::min(floor_id, below)});
      rest.add("id IN (" + candidates + ")", candidate_params(std::min(floor_id, below)));
      select_page(conn_, rest, q, limit + 1 - static_cast<int>(page.items.size()), page.items);
    }
  } else {
    if (q.since_ms && !q.until_ms && few_seen_since(*q.since_ms)) {
      // A recent since ("newer than what I have", the long-poll's question):
      // its few rows come from the last_seen index. Walking ids backwards
      // would pass every older alarm of the filters when none is that new (an
      // empty page, which a held long-poll asks again after every commit).
      f.add("id IN (SELECT id FROM alarms WHERE last_seen_ms >= ?)", {*q.since_ms});
    }
    if (q.before_id) f.add("id < ?", {*q.before_id});
    select_page(conn_, f, q, limit + 1, page.items);
  }
  if (page.items.size() > static_cast<std::size_t>(limit)) {
    page.items.resize(static_cast<std::size_t>(limit));
    page.next_before_id = page.items.back().id;
  }
  tx.commit();
  return page;
}

bool SqliteStore::few_seen_since(std::int64_t since_ms) {
  auto st = conn_.prepared("SELECT count(*) FROM (SELECT 1 FROM alarms WHERE last_seen_ms >= ? LIMIT ?)");
  st->bind_int(1, since_ms);
  st->bind_int(2, kFewSeenSince);
  return st->step() && st->column_int(0) < kFewSeenSince;
}

bool SqliteStore::fewer_in_period_than_after(std::int64_t since_ms, std::int64_t until_hour,
                                             std::int64_t& in_period) {
  auto st = conn_.prepared(
      "SELECT total(CASE WHEN last_hour_ms <= ?2 THEN alarms END), "
      "total(CASE WHEN last_hour_ms > ?2 THEN alarms END) "
      "FROM alarm_hour_counts WHERE last_hour_ms >= ?1");
  st->bind_int(1, hour_of(since_ms));
  st->bind_int(2, until_hour);
  if (!st->step()) return false;
  in_period = st->column_int(0);
  return in_period < st->column_int(1);
}

std::optional<Alarm> SqliteStore::get(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return get_locked(id);
}

std::optional<Alarm> SqliteStore::get_locked(std::int64_t id) {
  auto st = conn_.prepared(std::string(kSelectAlarmsSql) + " WHERE id = ?");
  st->bind_int(1, id);
  if (!st->step()) return std::nullopt;
  return read_alarm_row(*st);
}

std::optional<Alarm> SqliteStore::update_status(std::int64_t id, const std::string& status,
                                                const std::optional<std::string>& note) {
  if (!is_valid_status(status))
    throw std::invalid_argument("invalid alarm status \"" + status +
                                "\" (expected unhandled, handled or ignored)");
  refuse_writes_if_damaged();
  std::lock_guard<std::mutex> lock(mu_);
  {
    auto st = conn_.prepared("UPDATE alarms SET status = ?2, note = coalesce(?3, note) WHERE id = ?1");
    st->bind_int(1, id);
    st->bind_text(2, status);
    st->bind_optional_text(3, note);
    st->step();
  }
  if (conn_.changes() == 0) return std::nullopt;
  return get_locked(id);
}

AlarmSummary SqliteStore::summary(std::optional<std::int64_t> since_ms,
                                  std::optional<std::int64_t> until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::read);
  AlarmSummary s = summarize_alarms(conn_, since_ms, until_ms);
  tx.commit();
  return s;
}

std::vector<ContainerRecord> SqliteStore::containers() {
  std::vector<ContainerRecord> out;
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::read);
  std::unordered_map<std::string, std::size_t> index;
  {
    auto st = conn_.prepared(std::string(kContainerColumns) + " ORDER BY last_seen_ms DESC, id");
    while (st->step()) {
      out.push_back(read_container_row(*st));
      index.emplace(out.back().info.id, out.size() - 1);
    }
  }
  {
    // Kept by the triggers of schema/006: as many rows as containers x types.
    auto st = conn_.prepared("SELECT container_id, type, alarms FROM alarm_container_counts");
    while (st->step()) {
      const auto it = index.find(st->column_text(0));
      if (it != index.end()) out[it->second].alarm_counts[st->column_text(1)] = st->column_int(2);
    }
  }
  tx.commit();
  return out;
}

std::optional<ContainerRecord> SqliteStore::container(const std::string& id_or_name) {
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(conn_, SqliteTransaction::Mode::read);
  auto found = find_container("id = ?", {id_or_name});
  if (!found) found = find_container("name = ?", {id_or_name});
  if (!found && id_or_name.size() >= kMinIdPrefix)
    found = find_container("id >= ? AND id < ?", {id_or_name, prefix_upper_bound(id_or_name)});
  if (found) {
    auto st = conn_.prepared("SELECT type, alarms FROM alarm_container_counts WHERE container_id = ?");
    st->bind_text(1, found->info.id);
    while (st->step()) found->alarm_counts[st->column_text(0)] = st->column_int(1);
  }
  tx.commit();
  return found;
}

std::optional<ContainerRecord> SqliteStore::find_container(const std::string& where,
                                                           const std::vector<std::string>& params) {
  auto st = conn_.prepared(std::string(kContainerColumns) + " WHERE " + where +
                           " ORDER BY last_seen_ms DESC LIMIT 1");
  for (std::size_t i = 0; i < params.size(); ++i) st->bind_text(static_cast<int>(i) + 1, params[i]);
  if (!st->step()) return std::nullopt;
  return read_container_row(*st);
}

std::int64_t SqliteStore::alarm_count() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = conn_.prepared("SELECT count(*) FROM alarms");
  return st->step() ? st->column_int(0) : 0;
}

}  // namespace cshield
