// Groups audit text records into events by their stamp
// ("msg=audit(SEC.MS:SERIAL)") and hands each event's records out together
// once the event has ended, in the order events end:
// - at its EOE record;
// - at a record that libauparse takes for an event's last (PROCTITLE, and
//   types that make events of one record: USER_*, LOGIN, 2100 and up, ...);
//   a later record of that serial starts another event, as in libauparse;
// - an event that has shown no SYSCALL record, when a record of another
//   event arrives (records the kernel or a program emits on their own:
//   CONFIG_CHANGE, USER_*, ...; they have no EOE);
// - an event still open kTimeoutSeconds after its stamp, by the newest
//   record's time or the clock given to age_out(), or at flush();
// - the oldest open event, when kMaxOpen are open.
// A record of an event that has already ended (the kernel resends records
// out of order after the netlink socket was full) is handed out as an event
// of its own. Every event handed out ends with an EOE record, supplied when
// the stream had none. A line without a stamp is handed out alone.
// Why: libauparse hands out events in timestamp order, so one open event (its
// task waiting mid-event for kernel backlog room, which in a storm lasts up
// to seconds) holds back every later one; and the array of events it scans
// for every record fed grows to the most it ever held and never shrinks.
// Fed whole events, it holds about one.
// Single-threaded.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/counters.h"

namespace cshield {

class RecordGrouper {
 public:
  static constexpr std::int64_t kTimeoutSeconds = 2;  // libauparse's default EOE timeout
  static constexpr std::size_t kMaxOpen = 256;

  // `sink` gets each ended event's lines (each ending in '\n'), valid during
  // the call. `late_records` (may be null) counts records of ended events.
  RecordGrouper(std::function<void(std::string_view event)> sink, Counter* late_records);

  // Records of a type (AUDIT_* number) for which it returns true are handed
  // out bare: the line cut after its stamp ("type=X msg=audit(...): "), so
  // that libauparse does not parse fields no one reads; the record keeps
  // its place and type. Asked once per type name; set before the first line().
  using BareType = std::function<bool(int record_type)>;
  void set_bare_types(BareType bare) { bare_ = std::move(bare); }
  // The names of the fields to cut from records of a type (AUDIT_* number),
  // so that libauparse does not parse them; the record keeps its other
  // fields, in their order. A field is a space-separated "name=value" token
  // after the stamp, as libauparse splits them, up to auditd's enrichment
  // separator (0x1d) if any; the enrichment after it is kept whole, and so
  // is a first token stuck to the stamp. At most 64 names a type (those
  // beyond are kept). Asked once per type name; set before the first line().
  using CutFields = std::function<std::vector<std::string>(int record_type)>;
  void set_cut_fields(CutFields cut) { cut_ = std::move(cut); }

  // One whole record line, its '\n' included.
  void line(std::string_view line);
  // Ends the events open since before `now_sec` - kTimeoutSeconds (seconds since the epoch).
  void age_out(std::int64_t now_sec);
  // Ends every open event.
  void flush();

  std::size_t open_events() const { return open_.size(); }

 private:
  struct Open {
    std::string stamp;
    std::size_t hash = 0;
    std::int64_t sec = 0;
    bool syscall = false;  // has shown a SYSCALL record: ends at its EOE
    std::string text;
  };

  // kHasEoe: its EOE was read; kSupplyEoe: one is added; kAsIs: auparse ends
  // it by its last record's type (TypeFacts::ends), and a later record of
  // its serial is another event, not a late one.
  enum class Ending { kHasEoe, kSupplyEoe, kAsIs };
  // Hands open_[index] out and forgets it.
  void end(std::size_t index, Ending ending);
  // The fields cut from a type's records: their names (the first 64), and
  // for every first byte of a name, which of them start with it.
  struct CutNames {
    std::vector<std::string> names;
    std::array<std::uint64_t, 256> by_first{};
    bool empty() const { return names.empty(); }
    bool contains(std::string_view name) const;
  };
  // What a record's type name says, worked out once per name (a log has a
  // few dozen; libaudit's lookup by name costs more than the rest of a
  // record's grouping).
  struct TypeFacts {
    std::string name;
    bool ends = false;  // libauparse ends an event at it (see type_ends_auparse_event())
    bool bare = false;  // handed out without its fields (set_bare_types())
    std::unique_ptr<const CutNames> cut;  // fields cut from its records (set_cut_fields()), or none
  };
  // Appends `line` to `out` as its type's facts say: bare, cut, or whole;
  // `fields_at` is where its fields start (after "msg=audit(...):").
  static void append_record(std::string& out, std::string_view line, std::size_t fields_at, const TypeFacts& facts);
  // Appends `line` to `out` without the fields of `cut`.
  static void append_cut(std::string& out, std::string_view line, std::size_t fields_at, const CutNames& cut);
  const TypeFacts& type_facts(std::string_view type);
  static bool type_ends_auparse_event(int type);
  void remember_ended(std::size_t hash);
  bool ended_recently(std::size_t hash) const;

  std::function<void(std::string_view)> sink_;
  Counter* late_records_;
  std::vector<Open> open_;  // in order of their first record
  std::int64_t newest_sec_ = 0;
  static constexpr std::size_t kRememberedEnded = 64;
  std::array<std::size_t, kRememberedEnded> ended_{};  // stamp hashes of recently ended events (a ring)
  std::size_t ended_next_ = 0;
  std::string scratch_;
  std::vector<std::string> spare_;  // emptied texts of ended events, reused
  static constexpr std::size_t kRememberedTypes = 64;
  std::vector<TypeFacts> types_;  // type_facts() remembered
  TypeFacts unremembered_;        // type_facts() of a name beyond those
  BareType bare_;
  CutFields cut_;
};

}  // namespace cshield
