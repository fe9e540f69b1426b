#include "audit/event_assembler.h"

#include "audit/field_text.h"
#include "core/time_format.h"

#include <auparse.h>

#include <libaudit.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>

namespace cshield {

namespace {

// A serial this far below the highest seen means the counter restarted
// (reboot, replay of another log): start afresh instead of counting a gap.
constexpr std::uint64_t kSerialRestart = 1000000;

constexpr const char* kLateRecordsHelp =
    "records that arrived after their event had ended (the kernel resends records out of order after the netlink "
    "socket was full); each is delivered as an event of its own";

}  // namespace

EventAssembler::EventAssembler(Handler handler, Counters* counters, Interest interest, RecordDemand demand)
    : handler_(std::move(handler)),
      interest_(std::move(interest)),
      demand_(interest_ ? std::move(demand) : nullptr),
      grouper_([this](std::string_view event) { auparse_feed(au_, event.data(), event.size()); },
               counters ? &counters->counter("audit.late_records", kLateRecordsHelp) : nullptr) {
  au_ = auparse_init(AUSOURCE_FEED, nullptr);
  if (!au_) throw std::runtime_error("auparse_init failed");
  auparse_set_escape_mode(au_, AUPARSE_ESC_RAW);
  auparse_add_callback(au_, &EventAssembler::on_event, this, nullptr);
  if (counters) {
    events_counter_ = &counters->counter("audit.events", "audit events assembled");
    records_counter_ = &counters->counter("audit.records", "audit records in assembled events");
    malformed_ = &counters->counter("audit.malformed", "text that could not be read as an audit record");
    handler_errors_ = &counters->counter("audit.handler_errors", "events whose processing threw");
    gaps_counter_ = &counters->counter("audit.serial_gaps", "audit serials skipped between assembled events: an upper bound on loss, since the kernel also skips serials of events it does not log (kernel.lost is the loss count)");
  }
}

EventAssembler::EventAssembler(ReadOnly, Reader reader, Counters* counters, Interest interest, RecordDemand demand)
    : EventAssembler([read = std::move(reader)](AuditEvent&& e) { read(e); }, counters, std::move(interest),
                     std::move(demand)) {
  field_views_ = true;
}

EventAssembler::~EventAssembler() {
  if (au_) auparse_destroy(au_);
}

namespace {

// Is this line an audit record ("type=..." or, from a multi-host log, "node=... type=...")?
bool record_start(std::string_view line) {
  return line.substr(0, 5) == "type=" || line.substr(0, 5) == "node=";
}

}  // namespace

void EventAssembler::feed(std::string_view text) {
  if (text.empty()) return;
  // Only whole lines go on: a partial last line waits for the rest.
  std::string joined;
  if (!partial_line_.empty()) {
    joined = std::move(partial_line_) + std::string(text);
    partial_line_.clear();
    text = joined;
  }
  const std::size_t last_newline = text.rfind('\n');
  if (last_newline == std::string_view::npos) {
    partial_line_.assign(text);
    return;
  }
  partial_line_.assign(text.substr(last_newline + 1));
  feed_lines(text.substr(0, last_newline + 1));
}

// Hands the grouper whole record lines; lines that are not records
// (comments, blank lines, garbage) never reach auparse (libauparse 3.0.9
// leaks on some of them).
void EventAssembler::feed_lines(std::string_view lines) {
  // Before any of these lines' events is read (see name_text()).
  if (!interpretations_seen_ && std::memchr(lines.data(), AUDIT_INTERP_SEPARATOR, lines.size()))
    interpretations_seen_ = true;
  for (std::size_t pos = 0; pos < lines.size();) {
    const std::size_t end = lines.find('\n', pos) + 1;
    const std::string_view line = lines.substr(pos, end - pos);
    if (record_start(line))
      grouper_.line(line);
    else if (line.find_first_not_of(" \t\r\n") != std::string_view::npos && malformed_)
      malformed_->add();
    pos = end;
  }
  emit_ready();
}

// libauparse 3.0.9 marks an event ready at its EOE but hands it out only at
// the next feed: without this, the last event of a burst would wait for the
// next record or the age-out (hundreds of milliseconds), long enough for a
// short-lived process to be gone before its container is looked up.
void EventAssembler::emit_ready() {
  if (auparse_feed_has_ready_event(au_)) auparse_feed(au_, "", 0);
}

void EventAssembler::age_out() {
  grouper_.age_out(static_cast<std::int64_t>(std::time(nullptr)));
  emit_ready();
  auparse_feed_age_events(au_);
}

void EventAssembler::flush() {
  if (!partial_line_.empty()) feed("\n");  // a last record without its newline is still a record
  grouper_.flush();
  auparse_flush_feed(au_);
}

void EventAssembler::on_event(auparse_state_t* au, auparse_cb_event_t cb_type, void* self) {
  if (cb_type != AUPARSE_CB_EVENT_READY) return;
  static_cast<EventAssembler*>(self)->deliver(au);
}

void EventAssembler::account_serial(std::uint64_t serial) {
  std::uint64_t gaps_before = gaps_;
  if (highest_serial_ == 0 || serial + kSerialRestart < highest_serial_) {
    highest_serial_ = serial;
  } else if (serial > highest_serial_) {
    gaps_ += serial - highest_serial_ - 1;
    highest_serial_ = serial;
  } else if (serial < highest_serial_ && gaps_ > 0) {
    --gaps_;  // a late event filled a gap counted before
  }
  if (gaps_counter_ && gaps_ != gaps_before) gaps_counter_->set(gaps_);
}

namespace {

// The records whose fields the first pass reads: what a skeleton carries.
bool skeleton_record(int type) { return type == rec::kSyscall || type == rec::kSeccomp; }

}  // namespace

void EventAssembler::set_type_demand(RecordDemand ever_read) {
  grouper_.set_bare_types(
      [read = std::move(ever_read)](int type) { return !skeleton_record(type) && !read(type); });
}

void EventAssembler::set_unread_fields(UnreadFields unread) { grouper_.set_cut_fields(std::move(unread)); }

// Appends the current auparse record's fields, copied into the record's
// storage, or, for a Reader, as views of auparse's text (which lives while
// auparse is on this event, so until the handler has returned). Values that
// read as written (most of them) are kept once, quoted ones as a view of
// their raw value without the quotes; see AuditField.
void EventAssembler::read_fields(auparse_state_t* au, AuditRecord& record) {
  record.fields.reserve(auparse_get_num_fields(au));
  if (auparse_first_field(au) <= 0) return;
  do {
    const char* name = auparse_get_field_name(au);
    if (!name) continue;
    const char* raw = auparse_get_field_str(au);
    AuditField& f = field_views_ ? record.add_field_view(name, raw) : record.add_field(name, raw);
    const std::string_view n = f.name;
    if (n == "syscall" || n == "arch") {
      // Names from the arch-specific tables: auparse's.
      if (const char* text = name_text(au, record, record.fields.size() - 1)) record.set_text(f, text);
      continue;
    }
    switch (field_text_kind(record.type, n, f.raw)) {
      case FieldTextKind::kQuoted: record.set_text(f, f.raw.substr(1, f.raw.size() - 2)); break;
      case FieldTextKind::kHex:
        if (decode_field_hex(record.type, f.raw, decoded_)) record.set_text(f, decoded_);
        break;
      case FieldTextKind::kRaw: break;
    }
  } while (auparse_next_field(au) > 0);
}

// auparse_interpret_field() of a SYSCALL record's arch and syscall costs
// more than reading the rest of the record; a log has a few distinct ones.
// What auparse makes of them depends on (libauparse 3.0.9, interpret.c):
// - arch: its value alone (print_arch());
// - syscall: the values of arch and syscall when they are the record's
//   first fields after its type (the machine and number auparse takes from
//   those places), the first argument for socketcall and ipc (whose names
//   are never remembered), and the host's machine otherwise;
// - both: auditd's interpretations when the record carries them (then
//   nothing is remembered or looked up any more).
// So SYSCALL records laid out as the kernel writes them ("type=SYSCALL
// msg=... arch=... syscall=...") are answered from what auparse said for
// the same values before; every other record asks auparse.
const char* EventAssembler::name_text(auparse_state_t* au, const AuditRecord& record, std::size_t index) {
  static constexpr std::size_t kRemembered = 64;
  const auto& fields = record.fields;
  const bool kernel_layout = !interpretations_seen_ && record.type == rec::kSyscall && (index == 1 || index == 2) &&
                             fields[0].name == "type" && fields[1].name == "arch" &&
                             fields[index].name == (index == 1 ? "arch" : "syscall");
  if (!kernel_layout) return auparse_interpret_field(au);
  const std::string_view arch = fields[1].raw, syscall = index == 2 ? fields[2].raw : std::string_view();
  if (arch.size() > 8 || syscall.size() > 8) return auparse_interpret_field(au);
  NameText key;
  if (!arch.empty()) std::memcpy(&key.arch, arch.data(), arch.size());
  if (!syscall.empty()) std::memcpy(&key.syscall, syscall.data(), syscall.size());
  key.sizes = arch.size() | syscall.size() << 8;
  std::vector<NameText>& known = index == 1 ? arch_names_ : syscall_names_;
  for (const NameText& k : known)
    if (k.arch == key.arch && k.syscall == key.syscall && k.sizes == key.sizes) return k.text.c_str();
  const char* text = auparse_interpret_field(au);
  if (!text || known.size() >= kRemembered) return text;
  const std::string_view t = text;
  if (index == 2 && (t.substr(0, 10) == "socketcall" || t.substr(0, 3) == "ipc")) return text;  // by a0 too
  key.text = t;
  known.push_back(std::move(key));
  return text;
}

// The first pass over the current auparse event: every record's type, and
// the fields of its SYSCALL and SECCOMP records. EOE records (terminators)
// and text auparse could not read as a record are left out, here and in
// read_rest(), so that both passes see the same records in the same order.
// Returns the number of records.
std::size_t EventAssembler::read_skeleton(auparse_state_t* au, AuditEvent& ev) {
  std::size_t used = 0;
  if (auparse_first_record(au) > 0) {
    ev.records.reserve(auparse_get_num_records(au));
    do {
      const int type = auparse_get_type(au);
      if (type == rec::kEoe) continue;
      if (type <= 0) {
        if (malformed_) malformed_->add();
        continue;
      }
      AuditRecord& record = record_at(ev, used++);
      if (record.type != type || record.type_name.empty()) {  // else it is the name of this type already
        record.type = type;
        const char* n = auparse_get_type_name(au);
        record.type_name.assign(n ? n : "");
      }
      record.clear_fields();
      if (skeleton_record(type)) read_fields(au, record);
    } while (auparse_next_record(au) > 0);
  }
  // The records of the last event beyond this one's wait for later ones.
  while (ev.records.size() > used) {
    spare_records_.push_back(std::move(ev.records.back()));
    ev.records.pop_back();
  }
  return used;
}

// The second pass: the fields of the records the first one left without.
void EventAssembler::read_rest(auparse_state_t* au, AuditEvent& ev) {
  if (auparse_first_record(au) <= 0) return;
  std::size_t next = 0;
  do {
    const int type = auparse_get_type(au);
    if (type == rec::kEoe || type <= 0) continue;
    if (next >= ev.records.size()) return;
    AuditRecord& record = ev.records[next++];
    if (!skeleton_record(type) && (!demand_ || demand_(type))) read_fields(au, record);
  } while (auparse_next_record(au) > 0);
}

// The records of the last event the handler left in event_ (it did not move
// it away) are read into again, and what is left over kept as spares: their
// storage and field vectors are reused instead of allocated again.
AuditRecord& EventAssembler::record_at(AuditEvent& ev, std::size_t index) {
  if (index < ev.records.size()) return ev.records[index];
  if (spare_records_.empty()) return ev.records.emplace_back();
  ev.records.push_back(std::move(spare_records_.back()));
  spare_records_.pop_back();
  return ev.records.back();
}

void EventAssembler::deliver(auparse_state_t* au) {
  AuditEvent& ev = event_;  // see record_at()
  ev.serial = 0;
  ev.time_ms = 0;
  if (const au_event_t* ts = auparse_get_timestamp(au)) {
    ev.serial = ts->serial;
    // A record's own timestamp, bounded: a forged or corrupt one cannot overflow.
    const auto sec = static_cast<std::int64_t>(ts->sec);
    ev.time_ms = sec < 0 || sec > kMaxTimeMs / 1000 ? clamp_time_ms(sec < 0 ? 0 : kMaxTimeMs)
                                                    : sec * 1000 + static_cast<std::int64_t>(ts->milli % 1000);
  }
  // Most events concern no detector: decide on a skeleton before paying
  // for every field.
  if (read_skeleton(au, ev) == 0) return;
  const bool wanted = !interest_ || interest_(ev);
  if (wanted) read_rest(au, ev);
  ++events_;
  records_ += ev.records.size();
  if (events_counter_) events_counter_->add();
  if (records_counter_) records_counter_->add(ev.records.size());
  // auditd numbers its own DAEMON_* records from a counter of its own: in a
  // log they are no gap in the kernel's serials.
  const int first_type = ev.records.front().type;
  if (first_type < rec::kFirstDaemon || first_type > rec::kLastDaemon) account_serial(ev.serial);
  if (!wanted) return;
  try {
    // The handler may take the event (move it away) or only read it.
    handler_(std::move(ev));
  } catch (...) {
    // The handler is the pipeline's; it must not throw through auparse's C
    // callback. Count it rather than lose the process.
    if (handler_errors_) handler_errors_->add();
  }
}


}  // namespace cshield
