#include "audit/record_grouper.h"

#include <libaudit.h>

#include <algorithm>
#include <utility>

namespace cshield {

namespace {

// The seconds of a stamp "SEC.MS:SERIAL" (0 when it does not start with digits).
std::int64_t stamp_seconds(std::string_view stamp) {
  std::int64_t sec = 0;
  for (const char c : stamp) {
    if (c < '0' || c > '9') break;
    if (sec > (INT64_MAX - 9) / 10) break;  // a forged stamp cannot overflow
    sec = sec * 10 + (c - '0');
  }
  return sec;
}

// Appends the EOE record that ends the event of `stamp`.
void append_eoe(std::string& text, std::string_view stamp) {
  text.append("type=EOE msg=audit(").append(stamp).append("): \n");
}

}  // namespace

RecordGrouper::RecordGrouper(std::function<void(std::string_view event)> sink, Counter* late_records)
    : sink_(std::move(sink)), late_records_(late_records) {}

void RecordGrouper::line(std::string_view line) {
  const std::size_t open_at = line.find("msg=audit(");
  const std::size_t type_at = line.find("type=");
  const std::size_t close_at = open_at == std::string_view::npos ? open_at : line.find(')', open_at);
  if (type_at == std::string_view::npos || close_at == std::string_view::npos || type_at > open_at) {
    sink_(line);
    return;
  }
  const std::string_view stamp = line.substr(open_at + 10, close_at - open_at - 10);
  const std::string_view type = line.substr(type_at + 5, line.find(' ', type_at) - type_at - 5);
  const std::size_t hash = std::hash<std::string_view>{}(stamp);
  const std::int64_t sec = stamp_seconds(stamp);
  if (sec > newest_sec_) {
    newest_sec_ = sec;
    age_out(sec);
  }

  std::size_t at = 0;  // index into open_, or its size for none
  while (at < open_.size() && !(open_[at].hash == hash && open_[at].stamp == stamp)) ++at;
  const bool eoe = type == "EOE";
  if (at == open_.size()) {
    if (eoe) return;  // its event has ended already, or had no record
    if (ended_recently(hash)) {
      if (late_records_) late_records_->add();
      scratch_.clear();
      append_record(scratch_, line, close_at + 2, type_facts(type));
      append_eoe(scratch_, stamp);
      sink_(scratch_);
      return;
    }
  }
  // A record of another event ends the open events that have shown no
  // SYSCALL record (kept to the end: records of several CPUs interleave).
  // `at` moves down with an erase before it, whether an index or the size.
  for (std::size_t i = 0; i < open_.size();) {
    if (i != at && !open_[i].syscall) {
      end(i, Ending::kSupplyEoe);
      if (at > i) --at;
    } else {
      ++i;
    }
  }
  if (at == open_.size()) {
    open_.emplace_back();
    Open& fresh = open_.back();
    if (!spare_.empty()) {
      fresh.text = std::move(spare_.back());
      spare_.pop_back();
    }
    fresh.stamp.assign(stamp);
    fresh.hash = hash;
    fresh.sec = sec;
  }
  Open& event = open_[at];
  static const TypeFacts kEoe;
  const TypeFacts& facts = eoe ? kEoe : type_facts(type);
  append_record(event.text, line, close_at + 2, facts);
  if (eoe) {
    end(at, Ending::kHasEoe);
  } else if (facts.ends) {
    end(at, Ending::kAsIs);
  } else {
    if (type == "SYSCALL") event.syscall = true;
    if (open_.size() > kMaxOpen) end(0, Ending::kSupplyEoe);
  }
}

const RecordGrouper::TypeFacts& RecordGrouper::type_facts(std::string_view type) {
  for (const auto& known : types_)
    if (known.name == type) return known;
  TypeFacts& facts = types_.size() < kRememberedTypes ? types_.emplace_back() : unremembered_;
  facts = TypeFacts{};
  facts.name.assign(type);
  char name[64];
  if (type.size() < sizeof(name)) {
    type.copy(name, type.size());
    name[type.size()] = '\0';
    const int number = audit_name_to_msg_type(name);
    facts.ends = number > 0 && type_ends_auparse_event(number);
    facts.bare = number > 0 && bare_ && bare_(number);
    if (number > 0 && cut_ && !facts.bare) {
      auto cut = std::make_unique<CutNames>();
      for (auto& field : cut_(number)) {
        if (field.empty() || cut->names.size() == 64) continue;
        cut->by_first[static_cast<unsigned char>(field[0])] |= std::uint64_t{1} << cut->names.size();
        cut->names.push_back(std::move(field));
      }
      if (!cut->empty()) facts.cut = std::move(cut);
    }
  }
  return facts;
}

void RecordGrouper::append_record(std::string& out, std::string_view line, std::size_t fields_at,
                                  const TypeFacts& facts) {
  if (facts.bare)
    out.append(line.substr(0, fields_at)).append(" \n");
  else if (facts.cut)
    append_cut(out, line, fields_at, *facts.cut);
  else
    out.append(line);
}

bool RecordGrouper::CutNames::contains(std::string_view name) const {
  if (name.empty()) return false;
  for (std::uint64_t candidates = by_first[static_cast<unsigned char>(name[0])]; candidates;
       candidates &= candidates - 1) {
    if (names[static_cast<std::size_t>(__builtin_ctzll(candidates))] == name) return true;
  }
  return false;
}

void RecordGrouper::append_cut(std::string& out, std::string_view line, std::size_t fields_at, const CutNames& cut) {
  std::size_t end = line.size();
  if (end > fields_at && line[end - 1] == '\n') --end;
  // The kernel's fields end at auditd's enrichment separator, if any; the
  // enrichment after it is kept whole.
  const std::size_t limit = std::min(line.find('\x1d', fields_at), end);
  std::size_t run = 0;  // start of the text kept since the last cut field
  // The first token (empty when a space follows the stamp, as it should) is kept.
  for (std::size_t space = line.find(' ', fields_at); space < limit;) {
    const std::size_t token = space + 1;
    const std::size_t next = std::min(line.find(' ', token), limit);
    // Only a token whose first byte starts a cut name is looked at further.
    if (token < next && cut.by_first[static_cast<unsigned char>(line[token])]) {
      const std::string_view field = line.substr(token, next - token);
      const std::size_t equals = field.find('=');
      if (equals != std::string_view::npos && cut.contains(field.substr(0, equals))) {
        out.append(line.substr(run, space - run));
        run = next;
      }
    }
    space = next;
  }
  out.append(line.substr(run));
}

// libauparse's own rule (3.0.9, au_check_events): an event whose latest
// record is of one of these types is complete, and a later record of its
// serial starts another event.
bool RecordGrouper::type_ends_auparse_event(int n) {
  return n == AUDIT_PROCTITLE || n < AUDIT_FIRST_EVENT || n >= AUDIT_FIRST_ANOM_MSG || n == AUDIT_KERNEL ||
         (n >= AUDIT_MAC_UNLBL_ALLOW && n <= AUDIT_MAC_CALIPSO_DEL);
}

void RecordGrouper::age_out(std::int64_t now_sec) {
  for (std::size_t i = 0; i < open_.size();) {
    if (open_[i].sec <= now_sec - kTimeoutSeconds)
      end(i, Ending::kSupplyEoe);
    else
      ++i;
  }
}

void RecordGrouper::flush() {
  while (!open_.empty()) end(0, Ending::kSupplyEoe);
}

void RecordGrouper::end(std::size_t index, Ending ending) {
  Open event = std::move(open_[index]);
  open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(index));
  if (ending == Ending::kSupplyEoe) append_eoe(event.text, event.stamp);
  if (ending != Ending::kAsIs) remember_ended(event.hash);
  sink_(event.text);
  event.text.clear();
  spare_.push_back(std::move(event.text));
}

void RecordGrouper::remember_ended(std::size_t hash) {
  if (ended_[(ended_next_ + kRememberedEnded - 1) % kRememberedEnded] == hash) return;
  ended_[ended_next_] = hash;
  ended_next_ = (ended_next_ + 1) % kRememberedEnded;
}

bool RecordGrouper::ended_recently(std::size_t hash) const {
  return std::find(ended_.begin(), ended_.end(), hash) != ended_.end();
}

}  // namespace cshield
