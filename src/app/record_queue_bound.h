// How many chunks of records (up to 512 records each) the reader may queue
// for the pipeline before it waits for room.
// - While the pipeline takes chunks steadily: kSteadyChunks. A flood then
//   waits in the kernel's audit backlog, which throttles its callers, rather
//   than in cshieldd, and a record of another container queued behind it
//   waits for a thousand records here instead of a hundred thousand (2
//   chunks: the alarm-storm probe's p50 was 7 ms lower than with 4 in 5 of
//   6 alternated runs, the storm no slower).
// - Once the pipeline has taken nothing for kStalledAfter (a slow lookup, a
//   CPU shortage): kStalledChunks. As the audit daemon, a reader that stops
//   draining its socket makes the kernel's sender wait 100 ms for room on
//   every record it sends (then queue it for a retry, out of order), which
//   would slow every audited process on the host. This bound caps memory
//   (a few tens of MiB) more than it buffers.
// - A source that must be read empty at once (an overflowed audit socket,
//   RecordSource::must_drain): no bound; the queue's capacity keeps
//   kDrainChunks of room past kStalledChunks for it (the audit daemon's
//   1 MiB socket buffer holds some 1 600 records, about three chunks; a
//   multicast source's 8 MiB some 13 000, about 26).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace cshield {

inline constexpr std::size_t kSteadyChunks = 2;
inline constexpr std::size_t kStalledChunks = 256;
inline constexpr std::size_t kDrainChunks = 64;
inline constexpr std::chrono::milliseconds kStalledAfter{20};

// The bound for a reader with `queued` chunks waiting, the pipeline having
// last taken one `since_taken` ago. `must_drain` costs a poll: it is asked
// only when the queue is at its steady bound.
std::size_t record_queue_bound(std::size_t queued, std::chrono::steady_clock::duration since_taken,
                               const std::function<bool()>& must_drain);

}  // namespace cshield
