// RFC 3339 UTC timestamps with milliseconds, the API's time format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cshield {

// 9999-12-31T23:59:59.999Z: the last time RFC 3339 can write.
inline constexpr std::int64_t kMaxTimeMs = 253402300799999;

std::int64_t now_ms();
// `ms` limited to [0, kMaxTimeMs].
std::int64_t clamp_time_ms(std::int64_t ms);
// 2026-11-26T16:50:01.123Z; times outside [0, kMaxTimeMs] are clamped.
std::string format_rfc3339_ms(std::int64_t epoch_ms);
// Accepts RFC 3339 (with or without fraction, Z or ±hh:mm) or epoch seconds
// (integer or fractional). nullopt when it is neither or out of range.
std::optional<std::int64_t> parse_time_ms(std::string_view text);

}  // namespace cshield
