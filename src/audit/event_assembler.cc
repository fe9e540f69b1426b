#include "audit/event_assembler.h"

#include "audit/field_text.h"
#include "core/time_format.h"

#include <auparse.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cshield {

namespace {

// A serial this far below the highest seen means the counter restarted
// (reboot, replay of another log): start afresh instead of counting a gap.
constexpr std::uint64_t kSerialRestart = 1000000;

}  // namespace

EventAssembler::EventAssembler(Handler handler, Counters* counters, Interest interest)
    : handler_(std::move(handler)), interest_(std::move(interest)) {
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

EventAssembler::~EventAssembler() {
  if (au_) auparse_destroy(au_);
}

namespace {

// Could this be the start of an audit record line? A line cut off by the end
// of a chunk is given the benefit of the doubt.
bool record_start(std::string_view rest) {
  for (std::string_view prefix : {std::string_view("type="), std::string_view("node=")}) {
    const std::size_t n = std::min(rest.size(), prefix.size());
    if (rest.substr(0, n) == prefix.substr(0, n) && (n == prefix.size() || rest.find('\n') == std::string_view::npos))
      return true;
  }
  return false;
}

}  // namespace

void EventAssembler::feed(std::string_view text) {
  if (text.empty()) return;
  // Lines that are not records (comments, blank lines, garbage) never reach
  // auparse: libauparse 3.0.9 leaks on some of them. Checking line starts is
  // one memchr a line; the common all-records chunk is fed as it is.
  bool clean = !dropping_line_;
  for (std::size_t pos = 0, start = at_line_start_ ? 0 : std::string_view::npos; clean && pos < text.size();) {
    if (start == pos && !record_start(text.substr(pos))) clean = false;
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = start = nl + 1;
  }
  if (clean) {
    auparse_feed(au_, text.data(), text.size());
    at_line_start_ = text.back() == '\n';
    return;
  }
  std::string kept;
  kept.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    const std::string_view segment = text.substr(pos, end - pos);
    if (at_line_start_) {
      dropping_line_ = !record_start(segment);
      if (dropping_line_ && segment.find_first_not_of(" \t\r\n") != std::string_view::npos && malformed_)
        malformed_->add();
    }
    if (!dropping_line_) kept.append(segment);
    at_line_start_ = nl != std::string_view::npos;
    if (at_line_start_) dropping_line_ = false;
    pos = end;
  }
  if (!kept.empty()) auparse_feed(au_, kept.data(), kept.size());
}

void EventAssembler::age_out() { auparse_feed_age_events(au_); }

void EventAssembler::flush() {
  if (!at_line_start_) feed("\n");  // a last record without its newline is still a record
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

// The fields of SYSCALL and SECCOMP records that a skeleton carries.
bool skeleton_field(std::string_view name) {
  return name == "syscall" || name == "arch" || name == "key" || name == "exe" || name == "comm" ||
         name == "success" || name == "exit";
}

}  // namespace

// Reads the current auparse event into `ev`. With `skeleton`, only record
// types and the skeleton fields of SYSCALL/SECCOMP records (see the header).
// Returns the number of records.
std::size_t EventAssembler::read_event(auparse_state_t* au, AuditEvent& ev, bool skeleton) {
  if (auparse_first_record(au) <= 0) return 0;
  do {
    AuditRecord record;
    record.type = auparse_get_type(au);
    if (record.type == rec::kEoe) continue;  // a terminator, not content
    if (record.type <= 0) {                  // text auparse could not read as a record
      if (!skeleton && malformed_) malformed_->add();
      continue;
    }
    const bool with_fields = !skeleton || record.type == rec::kSyscall || record.type == rec::kSeccomp;
    if (with_fields) {
      if (const char* n = auparse_get_type_name(au)) record.type_name = n;
      if (!skeleton) record.fields.reserve(auparse_get_num_fields(au));
      if (auparse_first_field(au) > 0) {
        do {
          const char* name = auparse_get_field_name(au);
          if (!name || (skeleton && !skeleton_field(name))) continue;
          const char* raw = auparse_get_field_str(au);
          AuditField f{name, raw ? raw : "", {}};
          if (f.name == "syscall" || f.name == "arch") {
            // Names from the arch-specific tables: auparse's.
            const char* text = auparse_interpret_field(au);
            f.text = text ? text : f.raw;
          } else {
            f.text = field_text(record.type, f.name, f.raw);
          }
          record.fields.push_back(std::move(f));
        } while (auparse_next_field(au) > 0);
      }
    }
    ev.records.push_back(std::move(record));
  } while (auparse_next_record(au) > 0);
  return ev.records.size();
}

void EventAssembler::deliver(auparse_state_t* au) {
  AuditEvent ev;
  if (const au_event_t* ts = auparse_get_timestamp(au)) {
    ev.serial = ts->serial;
    // A record's own timestamp, bounded: a forged or corrupt one cannot overflow.
    const auto sec = static_cast<std::int64_t>(ts->sec);
    ev.time_ms = sec < 0 || sec > kMaxTimeMs / 1000 ? clamp_time_ms(sec < 0 ? 0 : kMaxTimeMs)
                                                    : sec * 1000 + static_cast<std::int64_t>(ts->milli % 1000);
  }
  bool wanted = true;
  if (interest_) {
    // Most events concern no detector: decide on a skeleton before paying
    // for every field.
    if (read_event(au, ev, true) == 0) return;
    wanted = interest_(ev);
    if (wanted) {
      ev.records.clear();
      read_event(au, ev, false);
    }
  } else if (read_event(au, ev, false) == 0) {
    return;
  }
  ++events_;
  records_ += ev.records.size();
  if (events_counter_) events_counter_->add();
  if (records_counter_) records_counter_->add(ev.records.size());
  account_serial(ev.serial);
  if (!wanted) return;
  try {
    handler_(std::move(ev));
  } catch (...) {
    // The handler is the pipeline's; it must not throw through auparse's C
    // callback. Count it rather than lose the process.
    if (handler_errors_) handler_errors_->add();
  }
}


}  // namespace cshield
