// Folds repeats before they reach a sink that pays per alarm (the store
// writer of `cshieldctl replay --store`, where a log's alarm storm is
// replayed within a second), so that the store ends up with the rows and
// counts it would have had from every alarm one by one:
// - An alarm of a fold key (Alarm::fold_key) not held goes on at once, and
//   its key is held, anchored at its last_seen: the store decides on it as
//   it always does (a new row, or a fold into a row it has).
// - A repeat whose last_seen lies within `window_ms` (the store's fold
//   window) of its key's anchor and of the latest last_seen held for the key
//   (the row's, once the store has it all) folds into the key's held
//   repeats: counts add up, first_seen is the earliest, last_seen the latest. They go on as one alarm (the
//   anchor's alarm with those count and times) at the next flush, and fold
//   into the anchor's row as the store folds rows.
// - A repeat outside the window flushes what is held, then goes on at once
//   as a new anchor, so the store again decides on it itself.
// For a log whose times do not run backwards by more than the window
// (within one key), the rows, their order, counts and first/last seen are
// exactly those of publishing every alarm to the store; a row keeps the
// process, evidence and audit serial of the alarm that created it, as the
// store does.
// A repeat that folds into held repeats is read for its fold key, status,
// count and times only: reads_details() is false for it.
// Alarms that are not `unhandled` (the store folds only those) pass at once,
// after what is held. More than `max_held` held keys flush what is held.
// `next` is not owned and must outlive this object. Not thread-safe: one
// thread (the pipeline's) publishes and flushes. Call flush() at the end of
// input: held repeats are not downstream until then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "alarm/alarm_sink.h"
#include "core/counters.h"

namespace cshield {

class RepeatFolder : public AlarmSink {
 public:
  static constexpr std::size_t kDefaultMaxHeld = 4096;
  // `folded` (may be null: one of its own; must outlive this) counts the
  // alarms folded into held repeats; folded() reads it.
  RepeatFolder(AlarmSink& next, std::int64_t window_ms, std::size_t max_held = kDefaultMaxHeld,
               Counter* folded = nullptr);

  void publish(const Alarm& alarm) override;
  // False when publish() would fold `alarm` into held repeats.
  bool reads_details(const Alarm& alarm) const override;
  // Sends the held repeats on (one alarm per key that has any), in the order
  // of their keys' anchors, and forgets the anchors.
  void flush();

  // Alarms folded into held repeats so far (each counted once, whatever its count).
  std::uint64_t folded() const { return folded_.get(); }
  std::size_t held_keys() const { return held_.size(); }

 private:
  struct Held {
    Alarm anchor;                 // as sent on; its last_seen is the anchor
    std::int64_t count = 0;       // of the repeats folded since (0: none)
    std::int64_t first_seen = 0;  // of those repeats
    std::int64_t last_seen = 0;
  };

  bool within(std::int64_t t, std::int64_t of) const;  // |t - of| <= window_ms_
  // Where an unhandled `alarm` (of fold key hash `hash`) goes: the index in
  // held_ of the key it folds into, or kNone; `outside` is set when its key
  // is held but it falls outside the window (then what is held goes first).
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t fold_target(const Alarm& alarm, std::size_t hash, bool& outside) const;

  AlarmSink& next_;
  const std::int64_t window_ms_;
  const std::size_t max_held_;
  std::vector<Held> held_;  // in order of their anchors
  // Alarm::fold_key_hash -> index into held_ (equal hashes are compared whole).
  std::unordered_multimap<std::size_t, std::size_t> index_;
  Counter own_folded_;
  Counter& folded_;
};

}  // namespace cshield
