#include "api/alarm_query_params.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <sstream>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>

#include "core/alarm.h"
#include "core/time_format.h"

namespace cshield {

namespace {

constexpr std::string_view kCursorPrefix = "v1:";
constexpr std::array<std::string_view, 3> kStatuses{"unhandled", "handled", "ignored"};
constexpr std::array<std::string_view, 4> kSeverities{"critical", "high", "medium", "low"};

template <typename Container>
bool contains(const Container& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

template <typename Container>
std::string joined(const Container& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::optional<ApiError> parse_time(const std::string& name, const std::string& value,
                                   std::optional<std::int64_t>& out) {
  out = parse_time_ms(value);
  if (out) return std::nullopt;
  return api_error(400, "parameter '" + name + "': expected an RFC 3339 time (2026-11-26T16:50:01Z) or epoch seconds, got '" + value + "'");
}

std::optional<ApiError> parse_limit(const std::string& value, int& out) {
  auto n = parse_int(value);
  if (!n || *n < 1)
    return api_error(400, "parameter 'limit': expected a whole number from 1 to " +
                              std::to_string(kMaxAlarmLimit) + ", got '" + value + "'");
  out = static_cast<int>(std::min<std::int64_t>(*n, kMaxAlarmLimit));
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> check_query_params(const QueryParams& params,
                                           const std::vector<std::string_view>& allowed) {
  std::set<std::string> seen;
  for (const auto& [name, value] : params) {
    if (!contains(allowed, name)) {
      std::string msg = "unknown query parameter '" + name + "'";
      msg += allowed.empty() ? "; this endpoint takes none" : "; known: " + joined(allowed);
      return api_error(400, msg);
    }
    if (!seen.insert(name).second)
      return api_error(400, "query parameter '" + name + "' is given more than once");
    if (value.empty()) return api_error(400, "query parameter '" + name + "' has no value");
  }
  return std::nullopt;
}

std::variant<AlarmQuery, ApiError> parse_alarm_query(const QueryParams& params) {
  if (auto e = check_query_params(params, {"type", "subtype", "severity", "status", "container",
                                           "image", "since", "until", "limit", "cursor", "wait"}))
    return *e;
  AlarmQuery q;
  q.limit = kDefaultAlarmLimit;
  for (const auto& [name, value] : params) {
    std::optional<ApiError> e;
    if (name == "type") {
      if (!alarm_type_info(value)) e = api_error(400, "parameter 'type': unknown alarm type '" + value + "'");
      q.type = value;
    } else if (name == "subtype") {
      q.subtype = value;
    } else if (name == "severity") {
      if (!contains(kSeverities, value))
        e = api_error(400, "parameter 'severity': expected one of " + joined(kSeverities) + ", got '" + value + "'");
      q.severity = value;
    } else if (name == "status") {
      if (!contains(kStatuses, value))
        e = api_error(400, "parameter 'status': expected one of " + joined(kStatuses) + ", got '" + value + "'");
      q.status = value;
    } else if (name == "container") {
      q.container = value;
    } else if (name == "image") {
      q.image = value;
    } else if (name == "since") {
      e = parse_time(name, value, q.since_ms);
    } else if (name == "until") {
      e = parse_time(name, value, q.until_ms);
    } else if (name == "limit") {
      e = parse_limit(value, q.limit);
    } else if (name == "cursor") {
      q.before_id = decode_cursor(value);
      if (!q.before_id)
        e = api_error(400, "parameter 'cursor': not a cursor this server issued; use next_cursor of a previous page");
    }  // wait: parse_alarm_wait
    if (e) return *e;
  }
  return q;
}

std::variant<int, ApiError> parse_alarm_wait(const QueryParams& params) {
  const auto wait = std::find_if(params.begin(), params.end(), [](const auto& p) { return p.first == "wait"; });
  if (wait == params.end()) return 0;
  const auto n = parse_int(wait->second);
  if (!n || *n < 0 || *n > kMaxAlarmWaitSeconds)
    return api_error(400, "parameter 'wait': expected whole seconds from 0 to " +
                              std::to_string(kMaxAlarmWaitSeconds) + ", got '" + wait->second + "'");
  const bool cursor = std::any_of(params.begin(), params.end(), [](const auto& p) { return p.first == "cursor"; });
  if (*n > 0 && cursor)
    return api_error(400, "parameter 'wait' cannot go with 'cursor': a cursor's page holds only older alarms and "
                          "never gains new ones; to wait for new alarms, ask for alarms seen since a time (since=...)");
  return static_cast<int>(*n);
}

std::variant<TimeRange, ApiError> parse_time_range(const QueryParams& params) {
  if (auto e = check_query_params(params, {"since", "until"})) return *e;
  TimeRange r;
  for (const auto& [name, value] : params)
    if (auto e = parse_time(name, value, name == "since" ? r.since_ms : r.until_ms)) return *e;
  return r;
}

std::string encode_cursor(std::int64_t before_id) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  enc << kCursorPrefix << before_id;
  enc.close();
  return out.str();
}

std::optional<std::int64_t> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 64 ||
      cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
          std::string_view::npos)
    return std::nullopt;
  std::string plain;
  try {
    std::istringstream in{std::string(cursor)};
    Poco::Base64Decoder dec(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    plain.assign(std::istreambuf_iterator<char>(dec), std::istreambuf_iterator<char>());
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  if (plain.compare(0, kCursorPrefix.size(), kCursorPrefix) != 0) return std::nullopt;
  auto id = parse_int(std::string_view(plain).substr(kCursorPrefix.size()));
  if (!id || *id < 1) return std::nullopt;
  return id;
}

}  // namespace cshield
