// Query parameters of the alarm endpoints, checked strictly: an unknown or
// repeated parameter, an empty value or a malformed one is a 400 naming the
// parameter, so a typo in a filter never silently returns everything.
// Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/api_error.h"
#include "store/alarm_repository.h"

namespace cshield {

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded, in order

constexpr int kDefaultAlarmLimit = 50;
constexpr int kMaxAlarmLimit = 1000;  // larger limits are clamped to it

// nullopt when every parameter is one of `allowed`, given once, with a value.
std::optional<ApiError> check_query_params(const QueryParams& params,
                                           const std::vector<std::string_view>& allowed);

constexpr int kMaxAlarmWaitSeconds = 30;

// GET /api/v1/alarms: type, subtype, severity, status, container, image,
// since, until, limit, cursor; and wait, which only parse_alarm_wait reads.
std::variant<AlarmQuery, ApiError> parse_alarm_query(const QueryParams& params);

// The long-poll of GET /api/v1/alarms: wait=N, whole seconds from 0 to
// kMaxAlarmWaitSeconds (0 when absent: answer at once). Refused beside a
// cursor: a cursor's page holds only older alarms and never gains any.
std::variant<int, ApiError> parse_alarm_wait(const QueryParams& params);

struct TimeRange {
  std::optional<std::int64_t> since_ms, until_ms;
};
// GET /api/v1/alarms/summary: since, until.
std::variant<TimeRange, ApiError> parse_time_range(const QueryParams& params);

// The opaque paging cursor: encodes "ids below before_id".
std::string encode_cursor(std::int64_t before_id);
std::optional<std::int64_t> decode_cursor(std::string_view cursor);

}  // namespace cshield
