#include "store/container_rows.h"

namespace cshield {

void upsert_container_row(SqliteConnection& conn, const ContainerInfo& c, std::int64_t seen_ms) {
  auto st = conn.prepared(
      "INSERT INTO containers (id, runtime, name, image, pod, namespace, bundle, first_seen_ms, "
      "last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
      "ON CONFLICT (id) DO UPDATE SET "
      "runtime = CASE WHEN excluded.runtime <> '' THEN excluded.runtime ELSE runtime END, "
      "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
      "image = CASE WHEN excluded.image <> '' THEN excluded.image ELSE image END, "
      "bundle = CASE WHEN excluded.bundle <> '' THEN excluded.bundle ELSE bundle END, "
      "pod = coalesce(excluded.pod, pod), namespace = coalesce(excluded.namespace, namespace), "
      "first_seen_ms = min(first_seen_ms, excluded.first_seen_ms), "
      "last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)");
  st->bind_text(1, c.id);
  st->bind_text(2, c.runtime);
  st->bind_text(3, c.name);
  st->bind_text(4, c.image);
  st->bind_optional_text(5, c.pod);
  st->bind_optional_text(6, c.namespace_);
  st->bind_text(7, c.bundle);
  st->bind_int(8, seen_ms);
  st->step();
}

}  // namespace cshield
