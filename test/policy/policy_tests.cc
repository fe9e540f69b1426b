// Policy groups: parsing and whole validation (every kind of error, with
// file and line), globs, association of containers, the policy directory.
#define BOOST_TEST_MODULE policy
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "policy/glob.h"
#include "policy/json_tree.h"
#include "policy/policy_directory.h"
#include "policy/policy_parse.h"
#include "policy/policy_set.h"

using namespace cshield;

namespace {

const std::string kData = std::string(CSHIELD_SOURCE_DIR) + "/test/data/policy";

std::vector<std::string> texts(const std::vector<PolicyError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.to_string());
  return out;
}

bool has(const std::vector<std::string>& all, const std::string& wanted) {
  return std::any_of(all.begin(), all.end(), [&](const std::string& s) { return s.find(wanted) != std::string::npos; });
}

#define REQUIRE_ERROR(errors, text) BOOST_TEST(has(errors, text), "missing '" << text << "' in:\n" << joined(errors))

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

PolicyGroup group(const std::string& name, PolicySelectors s) {
  PolicyGroup g;
  g.name = name;
  g.selectors = std::move(s);
  return g;
}

ContainerInfo container(const std::string& name, const std::string& image) {
  ContainerInfo c;
  c.id = name;
  c.name = name;
  c.image = image;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(json_reader_keeps_lines_and_repeated_keys) {
  JsonParseError e;
  auto doc = parse_json_tree("{\n \"a\": [1, \"x\\u00e9\"],\n \"a\": true\n}", e);
  BOOST_REQUIRE(doc);
  BOOST_REQUIRE_EQUAL(doc->members.size(), 2u);
  BOOST_TEST(doc->member_lines[0] == 2);
  BOOST_TEST(doc->member_lines[1] == 3);
  BOOST_TEST(doc->members[0].second.items[1].text == "x\xc3\xa9");
  BOOST_TEST(!parse_json_tree("{\"a\": 1,\n\n}", e));
  BOOST_TEST(e.line == 3);
  BOOST_TEST(!parse_json_tree("[1] x", e));
  BOOST_TEST(!parse_json_tree(std::string(100, '['), e));  // nesting bounded
}

BOOST_AUTO_TEST_CASE(the_api_example_group_parses) {
  auto p = parse_policy_document(
      R"({"name": "web", "selectors": {"images": ["nginx:*"], "names": ["web-*"], "namespaces": ["prod"],
          "labels": {"app": "web"}}, "process_whitelist": ["/usr/sbin/nginx", "/bin/sh", "/usr/bin/*"],
          "protected_files": ["/etc/passwd", "/etc/nginx/*", "/usr/sbin/nginx"]})",
      "");
  BOOST_TEST_REQUIRE(p.ok(), joined(texts(p.errors)));
  BOOST_REQUIRE_EQUAL(p.groups.size(), 1u);
  const PolicyGroup& g = p.groups[0];
  BOOST_TEST(g.name == "web");
  BOOST_TEST(g.source == "api");
  BOOST_TEST(g.selectors.labels.at("app") == "web");
  BOOST_TEST(g.process_whitelist.size() == 3u);
  // What GET shows applies again unchanged (its state keys are ignored on input).
  auto again = parse_policy_document(policy_group_json(g, true), "");
  BOOST_TEST_REQUIRE(again.ok(), joined(texts(again.errors)));
  BOOST_TEST(policy_group_json(again.groups[0], false) == policy_group_json(g, false));
}

BOOST_AUTO_TEST_CASE(every_error_of_a_document_is_reported_with_its_line) {
  auto p = parse_policy_document(
      "{\n"                                                                // 1
      "  \"name\": \"\",\n"                                                // 2
      "  \"selectors\": {\"images\": [\"nginx:[1\"], \"imgs\": [\"x\"]},\n"  // 3
      "  \"process_whitelist\": [\"usr/bin/x\", \"/bin/../sh\", 7],\n"    // 4
      "  \"protected_files\": \"/etc/passwd\",\n"                          // 5
      "  \"proces_whitelist\": [],\n"                                      // 6
      "  \"name\": \"again\"\n"                                            // 7
      "}\n",
      "a.json");
  BOOST_TEST(p.groups.empty());  // refused whole
  const auto e = texts(p.errors);
  REQUIRE_ERROR(e, "a.json:2: empty group name");
  REQUIRE_ERROR(e, "a.json:3: bad glob 'nginx:[1' in 'selectors.images': '[' without a closing ']'");
  REQUIRE_ERROR(e, "a.json:3: unknown key 'selectors.imgs'");
  REQUIRE_ERROR(e, "a.json:4: bad glob 'usr/bin/x' in 'process_whitelist': not an absolute path");
  REQUIRE_ERROR(e, "a.json:4: bad glob '/bin/../sh' in 'process_whitelist': '..' path component");
  REQUIRE_ERROR(e, "a.json:4: an entry of 'process_whitelist' must be a string, not a number");
  REQUIRE_ERROR(e, "a.json:5: 'protected_files' must be an array of strings, not a string");
  REQUIRE_ERROR(e, "a.json:6: unknown key 'proces_whitelist'");
  REQUIRE_ERROR(e, "a.json:7: key 'name' given twice");
  BOOST_TEST(p.errors.size() == 9u, joined(e));
}

BOOST_AUTO_TEST_CASE(names_selectors_and_syntax_errors) {
  auto e = texts(parse_policy_document("{\"selectors\": {\"names\": [\"x\"]}}", "f").errors);
  REQUIRE_ERROR(e, "f:1: the group has no 'name'");
  e = texts(parse_policy_document("{\"name\": \"a b\", \"selectors\": {\"names\": [\"x\"]}}", "f").errors);
  REQUIRE_ERROR(e, "group name 'a b' is not");
  e = texts(parse_policy_document("{\"name\": \"x\"}", "f").errors);
  REQUIRE_ERROR(e, "f:1: the group has no 'selectors'");
  e = texts(parse_policy_document("{\"name\": \"x\",\n\"selectors\": {}}", "f").errors);
  REQUIRE_ERROR(e, "f:2: 'selectors' is empty");
  e = texts(parse_policy_document("{\"name\": \"x\", \"selectors\": {\"names\": [\"\"]}}", "f").errors);
  REQUIRE_ERROR(e, "bad glob '' in 'selectors.names': empty pattern");
  e = texts(parse_policy_document("{\"name\": \"x\", \"selectors\": {\"labels\": {\"t\": \"a\",\n\"t\": \"b\"}}}", "f").errors);
  REQUIRE_ERROR(e, "f:2: conflicting selectors: label 't' is both 'a' and 'b'");
  e = texts(parse_policy_document("{\"name\": \"x\", \"selectors\": {\"names\": [\"a\"],\n\"names\": [\"b\"]}}", "f").errors);
  REQUIRE_ERROR(e, "f:2: conflicting selectors: 'selectors.names' given twice");
  e = texts(parse_policy_document("{\"name\": \"x\",\n\"selectors\": {\"names\": [\"a\"]},,\n}", "f").errors);
  REQUIRE_ERROR(e, "f:2: invalid JSON: expected a quoted key");
  e = texts(parse_policy_document("[\"web\"]", "f").errors);
  REQUIRE_ERROR(e, "f:1: a policy group must be a JSON object, not a string");
  // REST bodies have no file: "line N".
  e = texts(parse_policy_document("{\"name\": \"x\",\n\"selectors\": {}}", "").errors);
  REQUIRE_ERROR(e, "line 2: 'selectors' is empty");
}

BOOST_AUTO_TEST_CASE(groups_that_collide_are_refused) {
  auto p = parse_policy_document(
      "[{\"name\": \"a\", \"selectors\": {\"names\": [\"app-*\"]}},\n"
      " {\"name\": \"b\", \"selectors\": {\"names\": [\"app-*\"]}},\n"
      " {\"name\": \"a\", \"selectors\": {\"names\": [\"other\"]}}]",
      "g.json");
  const auto e = texts(p.errors);
  REQUIRE_ERROR(e, "g.json:2: conflicting selectors: groups 'a' (g.json:1) and 'b' select the same containers");
  REQUIRE_ERROR(e, "g.json:3: group 'a' is also defined in g.json:1");
}

BOOST_AUTO_TEST_CASE(globs) {
  BOOST_TEST(glob_matches("/usr/bin/*", "/usr/bin/ls", true));
  BOOST_TEST(!glob_matches("/usr/bin/*", "/usr/bin/x/ls", true));  // '*' stays in one directory
  BOOST_TEST(!glob_matches("/bin/sh", "/bin/sh2", true));
  BOOST_TEST(glob_matches("/bin/[bd]ash", "/bin/dash", true));
  BOOST_TEST(glob_matches("nginx:*", "nginx:1.27", false));
  BOOST_TEST(glob_matches("registry/*", "registry/team/app:1", false));  // names: '*' crosses '/'
  BOOST_TEST(!glob_problem("/etc/nginx/*", true));
  BOOST_TEST(glob_problem("/etc//x", true).value_or("") == "empty path component ('//')");
  BOOST_TEST(glob_problem("/etc/", true).value_or("") == "trailing '/'");
  BOOST_TEST(glob_problem("/etc/x\\", true).value_or("") == "trailing backslash");
  BOOST_TEST(glob_problem("/e[]", true).value_or("") == "'[' without a closing ']'");
  BOOST_TEST(!glob_problem("/e[]]", true));
}

BOOST_AUTO_TEST_CASE(association_by_image_name_namespace_and_labels) {
  PolicySelectors web;
  web.images = {"nginx:*"};
  web.names = {"web-*"};
  PolicySelectors prod;
  prod.namespaces = {"prod"};
  PolicySelectors labelled;
  labelled.labels = {{"app", "api"}, {"tier", "front"}};
  PolicySet set({group("web", web), group("prod", prod), group("labelled", labelled)});

  BOOST_TEST(set.group_for(container("web-1", "nginx:1.27"))->name == "web");
  BOOST_TEST(!set.group_for(container("web-1", "httpd:2")));  // every kind given must match
  BOOST_TEST(!set.group_for(container("api-1", "nginx:1.27")));
  ContainerInfo in_prod = container("x", "y");
  in_prod.namespace_ = "prod";
  BOOST_TEST(set.group_for(in_prod)->name == "prod");
  in_prod.namespace_ = "production";
  BOOST_TEST(!set.group_for(in_prod));
  ContainerInfo lab = container("x", "y");
  lab.labels = {{"app", "api"}, {"tier", "front"}, {"other", "1"}};
  BOOST_TEST(set.group_for(lab)->name == "labelled");
  lab.labels["tier"] = "back";
  BOOST_TEST(!set.group_for(lab));
  // Overlap: the group giving more kinds of selector wins.
  ContainerInfo both = container("web-2", "nginx:1");
  both.namespace_ = "prod";
  BOOST_TEST(set.group_for(both)->name == "web");
  BOOST_TEST(!set.group_for(container("", "")));
}

BOOST_AUTO_TEST_CASE(whitelist_and_protected_patterns) {
  PolicyGroup g = group("g", {});
  g.process_whitelist = {"/bin/sh", "/usr/bin/*"};
  g.protected_files = {"/etc/passwd", "/etc/nginx/*"};
  BOOST_TEST(process_whitelisted(g, "/bin/sh"));
  BOOST_TEST(process_whitelisted(g, "/usr/bin/env"));
  BOOST_TEST(!process_whitelisted(g, "/bin/ls"));
  BOOST_TEST(!process_whitelisted(g, "/bin/sh.bak"));
  BOOST_TEST(*protected_pattern(g, "/etc/nginx/nginx.conf") == "/etc/nginx/*");
  BOOST_TEST(!protected_pattern(g, "/etc/passwd-"));
  BOOST_TEST(!protected_pattern(g, "/etc/nginx/conf.d/x.conf"));
}

BOOST_AUTO_TEST_CASE(a_directory_loads_whole) {
  auto good = load_policy_directory(kData + "/good");
  BOOST_TEST_REQUIRE(good.ok(), joined(texts(good.errors)));
  BOOST_TEST(good.groups.size() == 3u);  // README is not a policy file
  for (const auto& g : good.groups) BOOST_TEST(g.source.find(kData + "/good/") == 0u);
  BOOST_TEST(load_policy_directory(kData + "/absent").ok());

  auto bad = load_policy_directory(kData + "/bad");
  BOOST_TEST(bad.groups.empty());
  const auto e = texts(bad.errors);
  const std::string dir = kData + "/bad/";
  REQUIRE_ERROR(e, dir + "a.json:2: empty group name");
  REQUIRE_ERROR(e, dir + "a.json:6: unknown key 'proces_whitelist'");
  REQUIRE_ERROR(e, dir + "d.json:1: conflicting selectors: label 'tier' is both 'a' and 'b'");
  REQUIRE_ERROR(e, dir + "e.json:2: invalid JSON");
}

BOOST_AUTO_TEST_CASE(a_directory_refuses_groups_that_collide_across_files) {
  // b.json and c.json are each valid but select the same containers.
  auto p = parse_policy_document("{\"name\": \"one\", \"selectors\": {\"names\": [\"app-*\"]}}", kData + "/bad/b.json");
  auto q = parse_policy_document("{\"name\": \"two\",\n \"selectors\": {\"names\": [\"app-*\"]}}", kData + "/bad/c.json");
  BOOST_REQUIRE(p.ok() && q.ok());
  std::vector<PolicyGroup> both{p.groups[0], q.groups[0]};
  const auto e = texts(policy_set_problems(both));
  REQUIRE_ERROR(e, "c.json:1: conflicting selectors: groups 'one' (" + kData + "/bad/b.json:1) and 'two'");
  auto dir = texts(load_policy_directory(kData + "/bad").errors);
  BOOST_TEST(!has(dir, "c.json:1: conflicting"), "per-file errors come first; cross-file checks need valid files");
}
