#include "alarm/repeat_folder.h"

#include <algorithm>
#include <string_view>

#include "store/alarm_rows.h"

namespace cshield {

RepeatFolder::RepeatFolder(AlarmSink& next, std::int64_t window_ms, std::size_t max_held, Counter* folded)
    : next_(next), window_ms_(window_ms), max_held_(std::max<std::size_t>(max_held, 1)),
      folded_(folded ? *folded : own_folded_) {}

bool RepeatFolder::within(std::int64_t t, std::int64_t of) const { return t >= of - window_ms_ && t <= of + window_ms_; }

std::size_t RepeatFolder::fold_target(const Alarm& alarm, std::size_t hash, bool& outside) const {
  outside = false;
  const std::int64_t last_seen = alarm_last_seen(alarm);
  const auto [from, to] = index_.equal_range(hash);
  for (auto it = from; it != to; ++it) {
    const Held& h = held_[it->second];
    if (!h.anchor.same_fold_key(alarm)) continue;
    // The store folds an alarm into a row whose last_seen is within the
    // window of its own: the row's is the latest of the anchor and the
    // repeats held. Within the window of the anchor too, the held repeats
    // still fold into the anchor's row when they go on.
    const std::int64_t anchor = alarm_last_seen(h.anchor);
    const std::int64_t row_last = h.count ? std::max(anchor, h.last_seen) : anchor;
    if (!within(last_seen, anchor) || !within(last_seen, row_last)) {
      outside = true;
      return kNone;
    }
    return it->second;
  }
  return kNone;
}

bool RepeatFolder::reads_details(const Alarm& alarm) const {
  bool outside = false;
  return alarm.status != "unhandled" || fold_target(alarm, alarm.fold_key_hash(), outside) == kNone;
}

void RepeatFolder::publish(const Alarm& alarm) {
  if (alarm.status != "unhandled") {
    flush();
    next_.publish(alarm);
    return;
  }
  const std::size_t hash = alarm.fold_key_hash();
  bool outside = false;
  const std::size_t into = fold_target(alarm, hash, outside);
  if (into != kNone) {
    Held& h = held_[into];
    const std::int64_t first_seen = alarm_first_seen(alarm), last_seen = alarm_last_seen(alarm);
    h.first_seen = h.count ? std::min(h.first_seen, first_seen) : first_seen;
    h.last_seen = h.count ? std::max(h.last_seen, last_seen) : last_seen;
    h.count += alarm.count;
    folded_.add();
    return;
  }
  if (outside) flush();  // the store decides on this one itself, after what is held
  if (held_.size() >= max_held_) flush();
  next_.publish(alarm);
  index_.emplace(hash, held_.size());
  held_.push_back(Held{alarm, 0, 0, 0});
}

void RepeatFolder::flush() {
  // Taken first: a sink that throws loses what it was handed, nothing is sent twice.
  std::vector<Held> out;
  out.swap(held_);
  index_.clear();
  for (Held& h : out) {
    if (h.count == 0) continue;
    Alarm& a = h.anchor;
    a.count = h.count;
    a.first_seen_ms = h.first_seen;
    a.last_seen_ms = h.last_seen;
    next_.publish(a);
  }
}

}  // namespace cshield
