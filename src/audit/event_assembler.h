// Groups raw audit text records into events (audit/record_grouper.h) and
// reads each with libauparse's feed interface. Records of one serial are
// delivered together once the event has ended: its EOE record arrived, a
// record of another event followed a record-only event, or it was aged out
// (age_out(): open for longer than 2 s) or flushed (flush(): end of input).
// Events are delivered in the order they end. A record that arrives after
// its event's EOE (the kernel resends records out of order after the
// netlink socket was full) is delivered as an event of its own at once, and
// counted: audit.late_records.
// Loss accounting: serial gaps between delivered events (out-of-order
// arrivals that fill a gap are credited back), resets on a serial restart.
// A gap is not proof of loss: the kernel also skips serials of events its
// rules end up not logging; its own lost counter is the authority.
// Single-threaded: one assembler belongs to the pipeline thread.
#pragma once

#include <cstdint>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/record_grouper.h"
#include "core/audit_event.h"
#include "core/counters.h"

#include <auparse-defs.h>

typedef struct opaque auparse_state_t;

namespace cshield {

class EventAssembler {
 public:
  using Handler = std::function<void(AuditEvent&&)>;
  // Decides from a skeleton whether an event is worth reading whole. The
  // skeleton has every record's type and name, and every field of its
  // SYSCALL and SECCOMP records; the other records have no fields yet.
  using Interest = std::function<bool(const AuditEvent& skeleton)>;
  // Given an event the Interest wanted, whether the fields of its records
  // of a type (AUDIT_* number) are read; asked right after the Interest,
  // about the same event. A record of a type it declines is delivered with
  // its type and type name but no field.
  using RecordDemand = std::function<bool(int record_type)>;

  // `handler` is called synchronously from feed()/age_out()/flush() with
  // every event, or, given `interest`, with the events it wants (the others
  // are still counted). It may move the event away; if it does not, the
  // assembler reuses the event's memory for the next one once the handler
  // has returned, so it must not keep pointers or views into it (a copy is
  // fine). `counters` may be null.
  // `demand` (needs `interest`) may leave records' fields unread, see
  // RecordDemand; without it every record of a wanted event is read whole.
  EventAssembler(Handler handler, Counters* counters, Interest interest = nullptr, RecordDemand demand = nullptr);
  // A handler that only reads each event, during the call (it cannot take
  // it away): the event's fields then view auparse's own text of the event
  // instead of copies of it (AuditRecord::add_field_view()), which lives
  // until the handler returns. A copy of the event made in the handler
  // copies that text and is whole. The daemon's and replay's pipeline.
  using Reader = std::function<void(const AuditEvent&)>;
  struct ReadOnly {};
  EventAssembler(ReadOnly, Reader reader, Counters* counters, Interest interest = nullptr,
                 RecordDemand demand = nullptr);
  ~EventAssembler();
  EventAssembler(const EventAssembler&) = delete;
  EventAssembler& operator=(const EventAssembler&) = delete;

  // Whether any event may need the fields of its records of a type (fit:
  // Pipeline::may_read_record()). With it, the records of a type it declines
  // reach libauparse without their fields (RecordGrouper::set_bare_types()),
  // sparing their parse, and are delivered as RecordDemand's declined ones
  // are: type and name, no field. Never asked about SYSCALL and SECCOMP
  // records (the skeleton's). Asked once per type name, so for a detector
  // set that does not change (replay). Set before the first feed().
  void set_type_demand(RecordDemand ever_read);
  // The names of the fields of a record type (AUDIT_* number) no event ever
  // needs (fit: fields_nothing_reads()). They reach libauparse cut from
  // their records (RecordGrouper::set_cut_fields()), sparing their parse,
  // and the records are delivered without them. Asked once per type name.
  // Set before the first feed().
  using UnreadFields = std::function<std::vector<std::string>(int record_type)>;
  void set_unread_fields(UnreadFields unread);

  // Any amount of text; records may be split across calls.
  void feed(std::string_view text);
  // Delivers events that have waited longer than the EOE timeout.
  void age_out();
  // Delivers every pending event (end of input).
  void flush();

  std::uint64_t events() const { return events_; }
  std::uint64_t records() const { return records_; }
  std::uint64_t serial_gaps() const { return gaps_; }

 private:
  static void on_event(auparse_state_t* au, auparse_cb_event_t cb_type, void* self);
  void deliver(auparse_state_t* au);
  void feed_lines(std::string_view lines);
  void emit_ready();
  std::size_t read_skeleton(auparse_state_t* au, AuditEvent& ev);
  void read_rest(auparse_state_t* au, AuditEvent& ev);
  void read_fields(auparse_state_t* au, AuditRecord& record);
  // auparse's name of the syscall or arch field at `index` of `record` (the
  // auparse cursor on it); null when it has none.
  const char* name_text(auparse_state_t* au, const AuditRecord& record, std::size_t index);
  // The record at `index` of `ev`, appended (a spare one if there is one)
  // if there is none: not cleared.
  AuditRecord& record_at(AuditEvent& ev, std::size_t index);
  void account_serial(std::uint64_t serial);

  Handler handler_;
  Interest interest_;
  RecordDemand demand_;
  bool field_views_ = false;  // a Reader's: fields view auparse's text (see ReadOnly)
  auparse_state_t* au_ = nullptr;
  std::uint64_t events_ = 0, records_ = 0, gaps_ = 0;
  std::uint64_t highest_serial_ = 0;
  Counter* events_counter_ = nullptr;
  Counter* records_counter_ = nullptr;
  Counter* gaps_counter_ = nullptr;
  Counter* handler_errors_ = nullptr;
  Counter* malformed_ = nullptr;
  // Hands auparse whole events only (record_grouper.h says why).
  RecordGrouper grouper_;
  AuditEvent event_;                       // the event being read, reused (see record_at())
  std::vector<AuditRecord> spare_records_;  // emptied records of earlier events, for reuse
  std::string decoded_;                     // scratch for hex-decoded values
  // auparse's syscall and arch names of SYSCALL records, remembered (see
  // name_text()): by arch value, and by arch and syscall values, each of up
  // to 8 bytes packed into a word (with their sizes).
  struct NameText {
    std::uint64_t arch = 0, syscall = 0, sizes = 0;
    std::string text;
  };
  std::vector<NameText> arch_names_, syscall_names_;
  // A record carried auditd's own interpretations (its enriched format),
  // which auparse prefers: from then on every name is auparse's.
  bool interpretations_seen_ = false;
  std::string partial_line_;  // the start of a line whose end has not been fed yet
};

}  // namespace cshield
