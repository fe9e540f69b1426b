// RFC 3339 UTC timestamps with milliseconds, the API's time format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cshield {

std::int64_t now_ms();
// 2026-11-26T16:50:01.123Z
std::string format_rfc3339_ms(std::int64_t epoch_ms);
// Accepts RFC 3339 (with or without fraction, Z or ±hh:mm) or epoch seconds
// (integer or fractional). nullopt when it is neither.
std::optional<std::int64_t> parse_time_ms(std::string_view text);

}  // namespace cshield
