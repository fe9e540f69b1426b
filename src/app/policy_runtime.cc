#include "app/policy_runtime.h"

#include <algorithm>
#include <map>

#include "app/log.h"
#include "core/time_format.h"
#include "detect/event_facts.h"
#include "policy/policy_directory.h"
#include "policy/policy_parse.h"

namespace cshield {

namespace {

PolicyOutcome failure(int status, std::string message, std::vector<PolicyError> errors = {}) {
  PolicyOutcome o;
  o.status = status;
  o.message = std::move(message);
  o.errors = std::move(errors);
  return o;
}

PolicyOutcome success(int status, std::string json) {
  PolicyOutcome o;
  o.status = status;
  o.json = std::move(json);
  return o;
}

std::string reasons_text(const std::vector<PolicyError>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e.to_string();
  return out;
}

}  // namespace

PolicyRuntime::PolicyRuntime(PolicyStore& store, std::string directory, Apply apply, Clock clock)
    : store_(store),
      directory_(std::move(directory)),
      apply_(std::move(apply)),
      clock_(std::move(clock)),
      current_(std::make_shared<const PolicySet>()) {}

std::shared_ptr<const PolicySet> PolicyRuntime::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void PolicyRuntime::publish_locked(std::vector<PolicyGroup> groups) {
  current_ = std::make_shared<const PolicySet>(std::move(groups));
  if (apply_) apply_(current_);
}

std::vector<PolicyError> PolicyRuntime::start() {
  std::vector<PolicyError> errors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      std::vector<std::string> problems;
      auto stored = store_.load(&problems);
      for (const auto& p : problems) log_warn("policy: " + p);
      publish_locked(std::move(stored));
    } catch (const std::exception& e) {
      log_error(std::string("policy: cannot read the stored policy groups: ") + e.what());
    }
  }
  errors = reload_files(directory_);
  return errors;
}

std::vector<PolicyError> PolicyRuntime::reload_files(const std::string& directory) {
  PolicyParse files = load_policy_directory(directory);
  if (!files.ok()) return files.errors;
  std::lock_guard<std::mutex> lock(mu_);
  directory_ = directory;
  std::set<std::string> file_names;
  for (const auto& g : files.groups) file_names.insert(g.name);
  // Groups the API made stay, unless a file now defines the name.
  std::vector<PolicyGroup> next = files.groups;
  for (const auto& g : current_->groups())
    if (g.source == "api" && !file_names.count(g.name)) next.push_back(g);
  // Learning state carries over to the reloaded definition.
  for (auto& g : next)
    if (const PolicyGroup* old = current_->find(g.name); old && !g.learning_until_ms)
      g.learning_until_ms = old->learning_until_ms;
  if (auto problems = policy_set_problems(next); !problems.empty()) return problems;
  try {
    std::vector<PolicyGroup> from_files;
    for (const auto& g : next)
      if (g.source != "api") from_files.push_back(g);
    for (const auto& name : file_names) {
      const PolicyGroup* old = current_->find(name);
      if (old && old->source == "api") store_.remove(name);
    }
    store_.replace_file_groups(from_files, clock_());
  } catch (const std::exception& e) {
    return {PolicyError{directory, 0, std::string("cannot store the policy groups: ") + e.what()}};
  }
  publish_locked(std::move(next));
  log_info("policy: " + std::to_string(files.groups.size()) + " group(s) from " + directory + ", " +
           std::to_string(current_->groups().size()) + " in force");
  return {};
}

std::string PolicyRuntime::list_json() {
  const auto set = current();
  std::string out = "{\"items\":[";
  bool first = true;
  for (const auto& g : set->groups()) {
    out += (first ? "" : ",") + policy_group_json(g, true);
    first = false;
  }
  return out + "]}";
}

PolicyOutcome PolicyRuntime::get(const std::string& name) {
  const auto set = current();
  const PolicyGroup* g = set->find(name);
  if (!g) return failure(404, "no policy group named '" + name + "'");
  return success(200, policy_group_json(*g, true));
}

PolicyOutcome PolicyRuntime::put(const std::string& name, const std::string& body) {
  try {
    if (!valid_group_name(name))
      return failure(422, "policy group refused: the name in the path is not a valid group name",
                     {PolicyError{"", 0, "group name '" + name +
                                             "' is not 1 to 64 letters, digits, '.', '_' or '-' (not starting with "
                                             "'.' or '-')"}});
    PolicyParse parsed = parse_policy_document(body, "");
    if (parsed.ok() && parsed.groups.size() != 1)
      parsed.errors.push_back(PolicyError{"", 1, "the body must hold one policy group, not an array of them"});
    if (parsed.ok() && parsed.groups.front().name != name)
      parsed.errors.push_back(PolicyError{"", parsed.groups.front().line,
                                          "the body names the group '" + parsed.groups.front().name +
                                              "' but the path names '" + name + "'"});
    if (!parsed.ok()) {
      parsed.groups.clear();
      return failure(422, "policy group refused: " + reasons_text(parsed.errors), parsed.errors);
    }
    PolicyGroup group = std::move(parsed.groups.front());
    group.source = "api";
    std::lock_guard<std::mutex> lock(mu_);
    const PolicyGroup* old = current_->find(name);
    if (old && old->source != "api")
      return failure(409, "policy group '" + name + "' is defined by the policy file " + old->source +
                              ": change it there and reload (SIGHUP)");
    if (old) group.learning_until_ms = old->learning_until_ms;
    std::vector<PolicyGroup> next;
    for (const auto& g : current_->groups())
      if (g.name != name) next.push_back(g);
    next.push_back(group);
    // Conflicts are reported against the new group, which comes last.
    if (auto problems = policy_set_problems(next); !problems.empty())
      return failure(422, "policy group refused: " + reasons_text(problems), problems);
    store_.put(group, clock_());
    publish_locked(std::move(next));
    return success(old ? 200 : 201, policy_group_json(group, true));
  } catch (const std::exception& e) {
    return failure(500, std::string("cannot store the policy group: ") + e.what());
  }
}

PolicyOutcome PolicyRuntime::remove(const std::string& name) {
  try {
    std::lock_guard<std::mutex> lock(mu_);
    const PolicyGroup* old = current_->find(name);
    if (!old) return failure(404, "no policy group named '" + name + "'");
    if (old->source != "api")
      return failure(409, "policy group '" + name + "' is defined by the policy file " + old->source +
                              ": remove the file and reload (SIGHUP)");
    store_.remove(name);
    std::vector<PolicyGroup> next;
    for (const auto& g : current_->groups())
      if (g.name != name) next.push_back(g);
    publish_locked(std::move(next));
    return success(200, "{\"deleted\":" + json_quote(name) + "}");
  } catch (const std::exception& e) {
    return failure(500, std::string("cannot delete the policy group: ") + e.what());
  }
}

PolicyOutcome PolicyRuntime::learn(const std::string& name, int minutes) {
  try {
    std::lock_guard<std::mutex> lock(mu_);
    const PolicyGroup* old = current_->find(name);
    if (!old) return failure(404, "no policy group named '" + name + "'");
    PolicyGroup group = *old;
    group.learning_until_ms = clock_() + static_cast<std::int64_t>(minutes) * 60000;
    store_.clear_learned(name);
    {
      std::lock_guard<std::mutex> l(learned_mu_);
      for (auto it = learned_seen_.begin(); it != learned_seen_.end();)
        it = it->first == name ? learned_seen_.erase(it) : std::next(it);
    }
    store_.put(group, clock_());
    std::vector<PolicyGroup> next;
    for (const auto& g : current_->groups()) next.push_back(g.name == name ? group : g);
    publish_locked(std::move(next));
    return success(200, policy_group_json(group, true));
  } catch (const std::exception& e) {
    return failure(500, std::string("cannot start learning: ") + e.what());
  }
}

PolicyOutcome PolicyRuntime::proposal(const std::string& name) {
  try {
    const auto set = current();
    const PolicyGroup* g = set->find(name);
    if (!g) return failure(404, "no policy group named '" + name + "'");
    PolicyGroup proposed = *g;
    const auto learned = store_.learned(name);
    for (const auto& l : learned)
      if (!process_whitelisted(proposed, l.path)) proposed.process_whitelist.push_back(l.path);
    std::sort(proposed.process_whitelist.begin(), proposed.process_whitelist.end());
    proposed.process_whitelist.erase(std::unique(proposed.process_whitelist.begin(), proposed.process_whitelist.end()),
                                     proposed.process_whitelist.end());
    std::string items = "[";
    for (const auto& l : learned)
      items += (items.size() > 1 ? "," : "") + std::string("{\"path\":") + json_quote(l.path) +
               ",\"count\":" + std::to_string(l.count) + ",\"first_seen\":" +
               json_quote(format_rfc3339_ms(l.first_seen_ms)) + ",\"last_seen\":" +
               json_quote(format_rfc3339_ms(l.last_seen_ms)) + "}";
    items += "]";
    const bool learning = g->learning_until_ms && *g->learning_until_ms > clock_();
    return success(200, "{\"group\":" + policy_group_json(proposed, false) + ",\"learned\":" + items +
                            ",\"learning\":" + (learning ? "true" : "false") + ",\"learning_until\":" +
                            (g->learning_until_ms ? json_quote(format_rfc3339_ms(*g->learning_until_ms))
                                                  : std::string("null")) +
                            "}");
  } catch (const std::exception& e) {
    return failure(500, std::string("cannot read what was learned: ") + e.what());
  }
}

void PolicyRuntime::learned(const std::string& group, const std::string& path, std::int64_t time_ms) noexcept {
  try {
    {
      std::lock_guard<std::mutex> lock(learned_mu_);
      if (learned_seen_.size() > 100000) learned_seen_.clear();
      if (!learned_seen_.emplace(group, path).second) return;
    }
    store_.add_learned(group, path, time_ms);
  } catch (const std::exception& e) {
    log_warn(std::string("policy learning: ") + e.what());
  } catch (...) {
  }
}

}  // namespace cshield
