#include "policy/policy_parse.h"

#include <set>

#include "core/json_text.h"
#include "core/time_format.h"
#include "policy/glob.h"
#include "policy/json_tree.h"

namespace cshield {

std::string PolicyError::to_string() const {
  std::string where = file;
  if (line > 0) where += (where.empty() ? "line " : ":") + std::to_string(line);
  return where.empty() ? message : where + ": " + message;
}

bool valid_group_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

namespace {

class GroupReader {
 public:
  GroupReader(const std::string& file, std::vector<PolicyError>& errors) : file_(file), errors_(errors) {}

  PolicyGroup read(const JsonNode& node) {
    PolicyGroup g;
    g.source = file_.empty() ? "api" : file_;
    g.line = node.line;
    if (node.kind != JsonNode::Kind::kObject) {
      error(node.line, std::string("a policy group must be a JSON object, not ") + node.kind_name());
      return g;
    }
    std::set<std::string> seen;
    bool has_name = false, has_selectors = false;
    for (std::size_t i = 0; i < node.members.size(); ++i) {
      const auto& [key, value] = node.members[i];
      const int line = node.member_lines[i];
      if (!seen.insert(key).second) {
        error(line, "key '" + key + "' given twice");
        continue;
      }
      if (key == "name") {
        has_name = true;
        if (value.kind != JsonNode::Kind::kString) {
          error(value.line, std::string("'name' must be a string, not ") + value.kind_name());
        } else if (value.text.empty()) {
          error(value.line, "empty group name");
        } else if (!valid_group_name(value.text)) {
          error(value.line, "group name '" + value.text +
                                "' is not 1 to 64 letters, digits, '.', '_' or '-' (not starting with '.' or '-')");
        } else {
          g.name = value.text;
        }
      } else if (key == "selectors") {
        has_selectors = true;
        const std::size_t before = errors_.size();
        read_selectors(value, g.selectors);
        if (errors_.size() != before) selectors_well_typed_ = false;  // no follow-on "empty" error
      } else if (key == "process_whitelist") {
        read_globs(value, "process_whitelist", true, g.process_whitelist);
      } else if (key == "protected_files") {
        read_globs(value, "protected_files", true, g.protected_files);
      } else if (key == "source" || key == "learning_until") {
        // State that GET shows; ignored on input so that its output can be applied again.
      } else {
        error(line, "unknown key '" + key + "' (the keys are name, selectors, process_whitelist, protected_files)");
      }
    }
    if (!has_name) error(node.line, "the group has no 'name'");
    if (!has_selectors)
      error(node.line, "the group has no 'selectors': it would apply to no container");
    else if (g.selectors.empty() && selectors_well_typed_)
      error(selectors_line_, "'selectors' is empty: the group would apply to no container");
    return g;
  }

 private:
  void error(int line, std::string message) { errors_.push_back(PolicyError{file_, line, std::move(message)}); }

  void read_selectors(const JsonNode& node, PolicySelectors& s) {
    selectors_line_ = node.line;
    if (node.kind != JsonNode::Kind::kObject) {
      error(node.line, std::string("'selectors' must be an object, not ") + node.kind_name());
      selectors_well_typed_ = false;
      return;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < node.members.size(); ++i) {
      const auto& [key, value] = node.members[i];
      const int line = node.member_lines[i];
      if (!seen.insert(key).second) {
        error(line, "conflicting selectors: 'selectors." + key + "' given twice");
        continue;
      }
      if (key == "images") {
        read_globs(value, "selectors.images", false, s.images);
      } else if (key == "names") {
        read_globs(value, "selectors.names", false, s.names);
      } else if (key == "namespaces") {
        read_strings(value, "selectors.namespaces", s.namespaces);
      } else if (key == "labels") {
        read_labels(value, s.labels);
      } else {
        error(line, "unknown key 'selectors." + key + "' (the selectors are images, names, namespaces, labels)");
      }
    }
  }

  void read_labels(const JsonNode& node, std::map<std::string, std::string>& labels) {
    if (node.kind != JsonNode::Kind::kObject) {
      error(node.line, std::string("'selectors.labels' must be an object of strings, not ") + node.kind_name());
      return;
    }
    for (std::size_t i = 0; i < node.members.size(); ++i) {
      const auto& [key, value] = node.members[i];
      const int line = node.member_lines[i];
      if (key.empty()) {
        error(line, "empty label name in 'selectors.labels'");
        continue;
      }
      if (value.kind != JsonNode::Kind::kString) {
        error(value.line, "label '" + key + "' must be a string, not " + value.kind_name());
        continue;
      }
      auto [it, inserted] = labels.emplace(key, value.text);
      if (!inserted && it->second != value.text)
        error(line, "conflicting selectors: label '" + key + "' is both '" + it->second + "' and '" + value.text + "'");
    }
  }

  bool read_array(const JsonNode& node, const std::string& what) {
    if (node.kind == JsonNode::Kind::kArray) return true;
    error(node.line, "'" + what + "' must be an array of strings, not " + node.kind_name());
    return false;
  }

  void read_strings(const JsonNode& node, const std::string& what, std::vector<std::string>& out) {
    if (!read_array(node, what)) return;
    for (const auto& item : node.items) {
      if (item.kind != JsonNode::Kind::kString) {
        error(item.line, "an entry of '" + what + "' must be a string, not " + item.kind_name());
      } else if (item.text.empty()) {
        error(item.line, "empty entry in '" + what + "'");
      } else {
        out.push_back(item.text);
      }
    }
  }

  void read_globs(const JsonNode& node, const std::string& what, bool path, std::vector<std::string>& out) {
    if (!read_array(node, what)) return;
    for (const auto& item : node.items) {
      if (item.kind != JsonNode::Kind::kString) {
        error(item.line, "an entry of '" + what + "' must be a string, not " + item.kind_name());
        continue;
      }
      if (auto problem = glob_problem(item.text, path)) {
        error(item.line, "bad glob '" + item.text + "' in '" + what + "': " + *problem);
        continue;
      }
      out.push_back(item.text);
    }
  }

  const std::string& file_;
  std::vector<PolicyError>& errors_;
  int selectors_line_ = 1;
  bool selectors_well_typed_ = true;
};

std::string string_array(const std::vector<std::string>& v) {
  std::string out = "[";
  for (const auto& s : v) out += (out.size() > 1 ? "," : "") + json_string(s);
  return out + "]";
}

}  // namespace

PolicyParse parse_policy_document(const std::string& text, const std::string& file) {
  PolicyParse result;
  JsonParseError syntax;
  auto doc = parse_json_tree(text, syntax);
  if (!doc) {
    result.errors.push_back(PolicyError{file, syntax.line, "invalid JSON: " + syntax.message});
    return result;
  }
  std::vector<PolicyGroup> groups;
  if (doc->kind == JsonNode::Kind::kArray) {
    if (doc->items.empty()) result.errors.push_back(PolicyError{file, doc->line, "empty array: no policy group"});
    for (const auto& item : doc->items) groups.push_back(GroupReader(file, result.errors).read(item));
  } else {
    groups.push_back(GroupReader(file, result.errors).read(*doc));
  }
  if (result.errors.empty()) {
    auto more = policy_set_problems(groups);
    result.errors.insert(result.errors.end(), more.begin(), more.end());
  }
  if (result.errors.empty()) result.groups = std::move(groups);
  return result;
}

std::vector<PolicyError> policy_set_problems(const std::vector<PolicyGroup>& groups) {
  std::vector<PolicyError> errors;
  auto where = [](const PolicyGroup& g) {
    return g.source == "api" ? std::string("the API") : g.source + ":" + std::to_string(g.line);
  };
  for (std::size_t i = 0; i < groups.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const PolicyGroup& a = groups[j];
      const PolicyGroup& b = groups[i];
      const std::string file = b.source == "api" ? "" : b.source;
      if (a.name == b.name) {
        errors.push_back(PolicyError{file, b.line, "group '" + b.name + "' is also defined in " + where(a)});
      } else if (a.selectors == b.selectors) {
        errors.push_back(PolicyError{file, b.line, "conflicting selectors: groups '" + a.name + "' (" + where(a) +
                                                       ") and '" + b.name + "' select the same containers"});
      }
    }
  }
  return errors;
}

std::string policy_group_json(const PolicyGroup& g, bool state) {
  std::string labels = "{";
  for (const auto& [k, v] : g.selectors.labels) labels += (labels.size() > 1 ? "," : "") + json_string(k) + ":" + json_string(v);
  labels += "}";
  std::string out = "{\"name\":" + json_string(g.name) + ",\"selectors\":{\"images\":" + string_array(g.selectors.images) +
                    ",\"names\":" + string_array(g.selectors.names) +
                    ",\"namespaces\":" + string_array(g.selectors.namespaces) + ",\"labels\":" + labels +
                    "},\"process_whitelist\":" + string_array(g.process_whitelist) +
                    ",\"protected_files\":" + string_array(g.protected_files);
  if (state) {
    out += ",\"source\":" + json_string(g.source) + ",\"learning_until\":" +
           (g.learning_until_ms ? json_string(format_rfc3339_ms(*g.learning_until_ms)) : std::string("null"));
  }
  return out + "}";
}

}  // namespace cshield
