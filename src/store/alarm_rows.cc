#include "store/alarm_rows.h"

namespace cshield {

// Parameter i of the INSERT is column i of the SELECT (column 0 is the id).
#define CSHIELD_ALARM_COLUMNS                                                            \
  "type, subtype, category, name, severity, status, note, first_seen_ms, last_seen_ms, " \
  "count, container_id, container_name, container_image, container_runtime, "           \
  "container_pod, container_namespace, pid, ppid, exe, comm, cmdline, uid, euid, auid, " \
  "syscall, path, evidence, audit_serial, audit_time_ms, description, fold_key, host"

const char kSelectAlarmsSql[] = "SELECT id, " CSHIELD_ALARM_COLUMNS " FROM alarms";
const char kInsertAlarmSql[] =
    "INSERT INTO alarms (" CSHIELD_ALARM_COLUMNS ") VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)";

#undef CSHIELD_ALARM_COLUMNS

std::int64_t alarm_first_seen(const Alarm& a) {
  return a.first_seen_ms != 0 ? a.first_seen_ms : a.last_seen_ms;
}

std::int64_t alarm_last_seen(const Alarm& a) {
  return a.last_seen_ms != 0 ? a.last_seen_ms : a.first_seen_ms;
}

void bind_alarm_row(SqliteStatement& st, const Alarm& a) {
  st.bind_text(1, a.type);
  st.bind_text(2, a.subtype);
  st.bind_text(3, a.category);
  st.bind_text(4, a.name);
  st.bind_text(5, a.severity);
  st.bind_text(6, a.status);
  st.bind_text(7, a.note);
  st.bind_int(8, alarm_first_seen(a));
  st.bind_int(9, alarm_last_seen(a));
  st.bind_int(10, a.count);
  if (a.container) {
    st.bind_text(11, a.container->id);
    st.bind_text(12, a.container->name);
    st.bind_text(13, a.container->image);
    st.bind_text(14, a.container->runtime);
    st.bind_optional_text(15, a.container->pod);
    st.bind_optional_text(16, a.container->namespace_);
  } else {
    for (int i = 11; i <= 16; ++i) st.bind_null(i);
  }
  st.bind_int(17, a.process.pid);
  st.bind_int(18, a.process.ppid);
  st.bind_text(19, a.process.exe);
  st.bind_text(20, a.process.comm);
  st.bind_text(21, a.process.cmdline);
  st.bind_int(22, a.process.uid);
  st.bind_int(23, a.process.euid);
  st.bind_int(24, a.process.auid);
  st.bind_text(25, a.syscall);
  st.bind_optional_text(26, a.path);
  st.bind_text(27, a.evidence_json);
  st.bind_int(28, static_cast<std::int64_t>(a.audit_serial));
  st.bind_int(29, a.audit_time_ms);
  st.bind_text(30, a.description);
  st.bind_text(31, a.fold_key());
  st.bind_text(32, a.host);
}

Alarm read_alarm_row(const SqliteStatement& st) {
  Alarm a;
  a.id = st.column_int(0);
  a.type = st.column_text(1);
  a.subtype = st.column_text(2);
  a.category = st.column_text(3);
  a.name = st.column_text(4);
  a.severity = st.column_text(5);
  a.status = st.column_text(6);
  a.note = st.column_text(7);
  a.first_seen_ms = st.column_int(8);
  a.last_seen_ms = st.column_int(9);
  a.count = st.column_int(10);
  if (!st.is_null(11)) {
    ContainerInfo c;
    c.id = st.column_text(11);
    c.name = st.column_text(12);
    c.image = st.column_text(13);
    c.runtime = st.column_text(14);
    c.pod = st.column_optional_text(15);
    c.namespace_ = st.column_optional_text(16);
    a.container = std::move(c);
  }
  a.process.pid = static_cast<int>(st.column_int(17));
  a.process.ppid = static_cast<int>(st.column_int(18));
  a.process.exe = st.column_text(19);
  a.process.comm = st.column_text(20);
  a.process.cmdline = st.column_text(21);
  a.process.uid = st.column_int(22);
  a.process.euid = st.column_int(23);
  a.process.auid = st.column_int(24);
  a.syscall = st.column_text(25);
  a.path = st.column_optional_text(26);
  a.evidence_json = st.column_text(27);
  a.audit_serial = static_cast<std::uint64_t>(st.column_int(28));
  a.audit_time_ms = st.column_int(29);
  a.description = st.column_text(30);
  a.host = st.column_text(32);  // column 31 is the fold key
  return a;
}

}  // namespace cshield
