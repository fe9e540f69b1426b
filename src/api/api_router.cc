#include "api/api_router.h"

#include <charconv>
#include <chrono>
#include <exception>
#include <optional>
#include <variant>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include "api/alarm_json.h"
#include "api/alarm_query_params.h"
#include "api/api_error.h"

namespace cshield {

namespace {

using Poco::JSON::Object;

enum class Route {
  kNone, kHealthz, kStatus, kMetrics, kAlarms, kAlarmSummary, kAlarm, kContainers, kContainer,
  kPolicyGroups, kPolicyGroup, kPolicyLearn, kPolicyProposal
};

struct Match {
  Route route = Route::kNone;
  std::string arg;  // the {id} of the path
};

Match match(const std::string& path) {
  static const std::string kAlarms = "/api/v1/alarms", kContainers = "/api/v1/containers",
                           kPolicy = "/api/v1/policy-groups";
  if (path == "/healthz") return {Route::kHealthz, {}};
  if (path == "/metrics") return {Route::kMetrics, {}};
  if (path == "/api/v1/status") return {Route::kStatus, {}};
  if (path == kAlarms) return {Route::kAlarms, {}};
  if (path == kAlarms + "/summary") return {Route::kAlarmSummary, {}};
  if (path == kContainers) return {Route::kContainers, {}};
  if (path == kPolicy) return {Route::kPolicyGroups, {}};
  if (path.compare(0, kPolicy.size() + 1, kPolicy + "/") == 0) {
    std::string tail = path.substr(kPolicy.size() + 1);
    const auto slash = tail.find('/');
    if (slash == std::string::npos) return tail.empty() ? Match{} : Match{Route::kPolicyGroup, tail};
    const std::string name = tail.substr(0, slash), rest = tail.substr(slash + 1);
    if (name.empty()) return {};
    if (rest == "learn") return {Route::kPolicyLearn, name};
    if (rest == "proposal") return {Route::kPolicyProposal, name};
    return {};
  }
  auto tail_of = [&path](const std::string& base) -> std::optional<std::string> {
    if (path.size() <= base.size() + 1 || path.compare(0, base.size() + 1, base + "/") != 0)
      return std::nullopt;
    std::string tail = path.substr(base.size() + 1);
    if (tail.find('/') != std::string::npos) return std::nullopt;
    return tail;
  };
  if (auto id = tail_of(kAlarms)) return {Route::kAlarm, *id};
  if (auto id = tail_of(kContainers)) return {Route::kContainer, *id};
  return {};
}

const char* allowed_methods(Route r) {
  switch (r) {
    case Route::kAlarm: return "GET, PATCH";
    case Route::kPolicyGroup: return "GET, PUT, DELETE";
    case Route::kPolicyLearn: return "POST";
    default: return "GET";
  }
}

bool method_allowed(Route r, const std::string& method) {
  const std::string allowed = allowed_methods(r);
  std::size_t start = 0;
  while (start <= allowed.size()) {
    std::size_t end = allowed.find(", ", start);
    if (end == std::string::npos) end = allowed.size();
    if (allowed.compare(start, end - start, method) == 0) return true;
    start = end + 2;
  }
  return false;
}

ApiResponse json_response(int status, const Object::Ptr& body) {
  ApiResponse r;
  r.status = status;
  r.body = to_json_text(body);
  return r;
}

ApiResponse error_response(const ApiError& e) {
  ApiResponse r;
  r.status = e.status;
  r.body = error_body(e);
  return r;
}

Object::Ptr status_object(const char* status) {
  Object::Ptr o = new Object;
  o->set("status", status);
  return o;
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

// A PolicyService outcome as the answer: its JSON, or the error body; a 422
// lists every reason under error.reasons ({"file","line","message"}).
ApiResponse policy_response(const PolicyOutcome& o) {
  ApiResponse r;
  r.status = o.status;
  if (o.status < 300) {
    r.body = o.json;
    return r;
  }
  const ApiError e = api_error(o.status, o.message);
  Object::Ptr inner = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  inner->set("code", e.code);
  inner->set("message", e.message);
  if (!o.errors.empty()) {
    Poco::JSON::Array::Ptr reasons = new Poco::JSON::Array;
    for (const auto& pe : o.errors) {
      Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      x->set("file", pe.file.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(pe.file));
      x->set("line", pe.line > 0 ? Poco::Dynamic::Var(pe.line) : Poco::Dynamic::Var());
      x->set("message", pe.message);
      reasons->add(x);
    }
    inner->set("reasons", reasons);
  }
  Object::Ptr outer = new Object;
  outer->set("error", inner);
  r.body = to_json_text(outer);
  return r;
}

ApiError no_alarm(const std::string& id) { return api_error(404, "no alarm with id '" + id + "'"); }

class Handlers {
 public:
  Handlers(const ApiContext& ctx, const QueryParams& params, LongPollGate& waits)
      : ctx_(ctx), params_(params), waits_(waits) {}

  ApiResponse healthz() const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    bool ok = ctx_.healthy && ctx_.healthy();
    if (!ok) return json_response(503, status_object("unavailable"));
    const auto reasons = ctx_.degraded ? ctx_.degraded() : std::vector<std::string>{};
    if (reasons.empty()) return json_response(200, status_object("ok"));
    // Still detecting and serving, so still 200; monitors read the status.
    Object::Ptr o = status_object("degraded");
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& r : reasons) list->add(r);
    o->set("reasons", list);
    return json_response(200, o);
  }

  ApiResponse status() const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    if (!ctx_.status) return error_response(api_error(503, "status is not available"));
    return json_response(200, ctx_.status());
  }

  ApiResponse metrics() const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    if (!ctx_.metrics) return error_response(api_error(503, "metrics are not available"));
    ApiResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = ctx_.metrics();
    return r;
  }

  ApiResponse alarms() const {
    auto parsed = parse_alarm_query(params_);
    if (auto* e = std::get_if<ApiError>(&parsed)) return error_response(*e);
    auto wait = parse_alarm_wait(params_);
    if (auto* e = std::get_if<ApiError>(&wait)) return error_response(*e);
    const AlarmQuery& query = std::get<AlarmQuery>(parsed);
    const int wait_seconds = std::get<int>(wait);
    if (wait_seconds > 0 && !ctx_.alarm_writes)
      return error_response(api_error(503, "waiting for new alarms is not available; ask without wait"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    // Noted before the query: a batch stored between the query and the wait still wakes it.
    std::uint64_t seen = wait_seconds > 0 ? ctx_.alarm_writes->generation() : 0;
    AlarmPage page = ctx_.repo.list(query);
    if (page.items.empty() && wait_seconds > 0) {
      auto slot = waits_.enter();
      if (!slot && waits_.closed()) return error_response(api_error(503, "the API is stopping"));
      if (!slot)
        return error_response(api_error(
            503, "too many requests are waiting for new alarms (at most " + std::to_string(waits_.max_waiters()) +
                     " at once); retry later, or ask without wait"));
      // Each stored batch wakes this thread once to run the query again; a
      // batch that holds nothing for this page sends it back to wait.
      while (page.items.empty()) {
        const auto next = ctx_.alarm_writes->wait_past(seen, deadline, [this] { return waits_.closed(); });
        if (!next) break;  // timed out, or the server stops: the empty page
        seen = *next;
        page = ctx_.repo.list(query);
      }
    }
    Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
    for (const Alarm& a : page.items) items->add(alarm_to_json(a));
    Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    body->set("items", items);
    body->set("next_cursor", page.next_before_id ? Poco::Dynamic::Var(encode_cursor(*page.next_before_id))
                                                 : Poco::Dynamic::Var());
    return json_response(200, body);
  }

  ApiResponse summary() const {
    auto parsed = parse_time_range(params_);
    if (auto* e = std::get_if<ApiError>(&parsed)) return error_response(*e);
    const auto& range = std::get<TimeRange>(parsed);
    return json_response(200, summary_to_json(ctx_.repo.summary(range.since_ms, range.until_ms)));
  }

  ApiResponse alarm(const std::string& id_text) const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    auto id = parse_id(id_text);
    std::optional<Alarm> a = id ? ctx_.repo.get(*id) : std::nullopt;
    if (!a) return error_response(no_alarm(id_text));
    return json_response(200, alarm_to_json(*a));
  }

  ApiResponse patch_alarm(const std::string& id_text, const std::string& body) const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    Object::Ptr fields;
    if (auto refused = object_body(body, R"({"status":"handled","note":"..."})", fields)) return *refused;
    std::optional<std::string> status, note;
    for (const auto& [key, value] : *fields) {
      if (key != "status" && key != "note")
        return error_response(api_error(422, "unknown field '" + key + "'; the fields are status and note"));
      if (!value.isString())
        return error_response(api_error(422, "field '" + key + "' must be a string"));
      (key == "status" ? status : note) = value.extract<std::string>();
    }
    if (status && *status != "unhandled" && *status != "handled" && *status != "ignored")
      return error_response(api_error(422, "status must be one of unhandled, handled, ignored; got '" + *status + "'"));
    if (!status && !note)
      return error_response(api_error(422, "nothing to change: give status, note or both"));
    auto id = parse_id(id_text);
    if (!id) return error_response(no_alarm(id_text));
    if (!status) {
      auto current = ctx_.repo.get(*id);
      if (!current) return error_response(no_alarm(id_text));
      status = current->status;
    }
    auto updated = ctx_.repo.update_status(*id, *status, note);
    if (!updated) return error_response(no_alarm(id_text));
    if (ctx_.alarm_writes) ctx_.alarm_writes->notify();  // a page filtered by status may change
    return json_response(200, alarm_to_json(*updated));
  }

  ApiResponse containers() const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
    for (const ContainerRecord& c : ctx_.repo.containers()) items->add(container_to_json(c));
    Object::Ptr body = new Object;
    body->set("items", items);
    return json_response(200, body);
  }

  ApiResponse policy_groups() const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    if (!ctx_.policy) return error_response(api_error(503, "policy groups are not available"));
    ApiResponse r;
    r.body = ctx_.policy->list_json();
    return r;
  }

  ApiResponse policy_group(const std::string& method, const std::string& name, const std::string& body) const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    if (!ctx_.policy) return error_response(api_error(503, "policy groups are not available"));
    if (method == "PUT") {
      if (auto refused = too_large(body)) return *refused;
      return policy_response(ctx_.policy->put(name, body));
    }
    if (method == "DELETE") return policy_response(ctx_.policy->remove(name));
    return policy_response(ctx_.policy->get(name));
  }

  ApiResponse policy_learn(const std::string& name, const std::string& body) const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    if (!ctx_.policy) return error_response(api_error(503, "policy groups are not available"));
    Object::Ptr fields;
    if (auto refused = object_body(body, R"({"minutes":30})", fields)) return *refused;
    std::optional<int> minutes;
    for (const auto& [key, value] : *fields) {
      if (key != "minutes") return error_response(api_error(422, "unknown field '" + key + "'; the field is minutes"));
      if (!value.isInteger()) return error_response(api_error(422, "minutes must be a whole number"));
      const auto m = value.convert<Poco::Int64>();
      if (m < 1 || m > 10080) return error_response(api_error(422, "minutes must lie between 1 and 10080 (a week)"));
      minutes = static_cast<int>(m);
    }
    if (!minutes) return error_response(api_error(422, R"(give the learning period: {"minutes":N})"));
    return policy_response(ctx_.policy->learn(name, *minutes));
  }

  ApiResponse policy_proposal(const std::string& name) const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    if (!ctx_.policy) return error_response(api_error(503, "policy groups are not available"));
    return policy_response(ctx_.policy->proposal(name));
  }

  ApiResponse container(const std::string& id_or_name) const {
    if (auto e = check_query_params(params_, {})) return error_response(*e);
    auto c = ctx_.repo.container(id_or_name);
    if (!c)
      return error_response(api_error(404, "no container with id, id prefix (12+ characters) or name '" + id_or_name + "'"));
    return json_response(200, container_to_json(*c));
  }

 private:
  static std::optional<ApiResponse> too_large(const std::string& body) {
    if (body.size() <= kMaxRequestBody) return std::nullopt;
    return error_response(api_error(413, "request body is larger than 64 KiB"));
  }

  // A request body that must be one JSON object (`example` shows one): the
  // refusal to send (413, 400), or nullopt with `out` set.
  static std::optional<ApiResponse> object_body(const std::string& body, const std::string& example,
                                                Object::Ptr& out) {
    if (auto refused = too_large(body)) return refused;
    Poco::Dynamic::Var parsed;
    try {
      parsed = Poco::JSON::Parser().parse(body);
    } catch (const Poco::Exception& e) {
      return error_response(api_error(400, "request body is not valid JSON: " + e.message()));
    }
    if (parsed.type() != typeid(Object::Ptr))
      return error_response(api_error(400, "request body must be a JSON object such as " + example));
    out = parsed.extract<Object::Ptr>();
    return std::nullopt;
  }

  const ApiContext& ctx_;
  const QueryParams& params_;
  LongPollGate& waits_;
};

ApiResponse dispatch(const ApiContext& ctx, LongPollGate& waits, const ApiRequest& request) {
  Poco::URI uri;
  QueryParams params;
  try {
    uri = Poco::URI(request.target);
    params = uri.getQueryParameters();
  } catch (const Poco::Exception& e) {
    return error_response(api_error(400, "malformed request target: " + e.message()));
  }
  Match m = match(uri.getPath());
  if (m.route == Route::kNone)
    return error_response(api_error(404, "no such endpoint: " + uri.getPath()));
  bool patch = request.method == "PATCH";
  if (!method_allowed(m.route, request.method)) {
    ApiResponse r = error_response(api_error(405, "method " + request.method + " is not allowed on " + uri.getPath()));
    r.allow = allowed_methods(m.route);
    return r;
  }
  Handlers h(ctx, params, waits);
  switch (m.route) {
    case Route::kHealthz: return h.healthz();
    case Route::kStatus: return h.status();
    case Route::kMetrics: return h.metrics();
    case Route::kAlarms: return h.alarms();
    case Route::kAlarmSummary: return h.summary();
    case Route::kAlarm: return patch ? h.patch_alarm(m.arg, request.body) : h.alarm(m.arg);
    case Route::kContainers: return h.containers();
    case Route::kContainer: return h.container(m.arg);
    case Route::kPolicyGroups: return h.policy_groups();
    case Route::kPolicyGroup: return h.policy_group(request.method, m.arg, request.body);
    case Route::kPolicyLearn: return h.policy_learn(m.arg, request.body);
    case Route::kPolicyProposal: return h.policy_proposal(m.arg);
    case Route::kNone: break;
  }
  return error_response(api_error(404, "no such endpoint: " + uri.getPath()));
}

}  // namespace

ApiResponse ApiRouter::handle(const ApiRequest& request) const noexcept {
  try {
    try {
      return dispatch(ctx_, *waits_, request);
    } catch (const Poco::Exception& e) {
      return error_response(api_error(500, "internal error: " + e.displayText()));
    } catch (const std::exception& e) {
      return error_response(api_error(500, std::string("internal error: ") + e.what()));
    } catch (...) {
      return error_response(api_error(500, "internal error"));
    }
  } catch (...) {  // building the error body itself failed (out of memory)
    ApiResponse r;
    r.status = 500;
    r.body = R"({"error":{"code":"internal_error","message":"internal error"}})";
    return r;
  }
}

}  // namespace cshield
