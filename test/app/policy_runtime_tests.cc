// The daemon's policy: PolicyRuntime over a real store (persistence, files,
// REST changes refused whole, learning), the REST routes over it (422
// bodies with every reason, PUT, DELETE), cshieldctl policy against a live
// API server, and the protected-file watches of running containers.
#define BOOST_TEST_MODULE policy_runtime
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <Poco/JSON/Parser.h>

#include "api/api_router.h"
#include "api/api_server.h"
#include "api/ctl_commands.h"
#include "app/policy_runtime.h"
#include "app/protected_file_watches.h"
#include "app/root_path.h"
#include "core/counters.h"
#include "rules/fake_audit_control.h"
#include "store/container_inventory.h"
#include "store/policy_store.h"
#include "store/sqlite_store.h"

using namespace cshield;
using Poco::JSON::Object;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/cshield-policy-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path).c_str()); }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
}

constexpr std::int64_t kNow = 1764175801000;

// A database made by SqliteStore, a policy directory, and a runtime over them
// whose applied sets are recorded.
struct World {
  TempDir dir;
  std::string db = dir.file("alarms.db");
  std::string policy_dir = dir.file("policy.d");
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<PolicyStore> policies;
  std::vector<std::shared_ptr<const PolicySet>> applied;
  std::int64_t now = kNow;
  std::unique_ptr<PolicyRuntime> runtime;

  World() {
    ::mkdir(policy_dir.c_str(), 0755);
    store = std::make_unique<SqliteStore>(db, StoreOptions{});
    policies = std::make_unique<PolicyStore>(db);
    make_runtime();
  }
  void make_runtime() {
    runtime = std::make_unique<PolicyRuntime>(
        *policies, policy_dir, [this](std::shared_ptr<const PolicySet> s) { applied.push_back(std::move(s)); },
        [this] { return now; });
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& g : runtime->current()->groups()) out.push_back(g.name);
    return out;
  }
};

const std::string kWeb = R"({"name": "web", "selectors": {"names": ["web-*"]}, "process_whitelist": ["/bin/sh"]})";

}  // namespace

BOOST_AUTO_TEST_CASE(files_load_at_start_and_persist_across_restarts) {
  World w;
  write_file(w.policy_dir + "/web.json", kWeb);
  BOOST_TEST(w.runtime->start().empty());
  BOOST_TEST(w.names() == std::vector<std::string>{"web"});
  BOOST_TEST(w.runtime->put("api-made", R"({"name": "api-made", "selectors": {"images": ["x:*"]}})").status == 201);
  BOOST_TEST(!w.applied.empty());

  // A restart with a broken policy file: the stored groups stay in force.
  write_file(w.policy_dir + "/web.json", "{\"name\": \"web\",\n \"selectors\": {}}");
  w.make_runtime();
  const auto errors = w.runtime->start();
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].to_string() == w.policy_dir + "/web.json:2: 'selectors' is empty: the group would apply to no container");
  BOOST_TEST((w.names() == std::vector<std::string>{"api-made", "web"}));
  BOOST_TEST(w.runtime->current()->find("web")->source == w.policy_dir + "/web.json");

  // A file removed on reload takes its group away; API groups stay.
  ::unlink((w.policy_dir + "/web.json").c_str());
  BOOST_TEST(w.runtime->reload_files(w.policy_dir).empty());
  BOOST_TEST(w.names() == std::vector<std::string>{"api-made"});
}

BOOST_AUTO_TEST_CASE(a_reload_with_any_error_changes_nothing) {
  World w;
  write_file(w.policy_dir + "/a.json", kWeb);
  BOOST_TEST(w.runtime->start().empty());
  const auto before = w.runtime->current();
  write_file(w.policy_dir + "/a.json", R"({"name": "web", "selectors": {"names": ["web-*", "api-*"]}})");
  write_file(w.policy_dir + "/b.json", "{\"name\": \"b\",\n \"selectors\": {\"names\": [\"x\"]}, \"oops\": 1}");
  const auto errors = w.runtime->reload_files(w.policy_dir);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].to_string().find("b.json:2: unknown key 'oops'") != std::string::npos);
  BOOST_TEST(w.runtime->current() == before);
}

BOOST_AUTO_TEST_CASE(rest_changes_are_validated_whole_and_file_groups_are_the_files) {
  World w;
  write_file(w.policy_dir + "/web.json", kWeb);
  BOOST_TEST(w.runtime->start().empty());
  ApiContext ctx{*w.store, nullptr, nullptr, nullptr, w.runtime.get()};
  ApiRouter router(ctx);

  auto r = router.handle({"PUT", "/api/v1/policy-groups/batch",
                          "{\"name\": \"batch\",\n \"selectors\": {\"names\": [\"batch-*\"]},\n"
                          " \"process_whitelist\": [\"sh\", \"/bin/[x\"],\n \"colour\": \"blue\"}"});
  BOOST_TEST(r.status == 422);
  auto error = parse(r.body)->getObject("error");
  BOOST_TEST(error->getValue<std::string>("code") == "unprocessable_entity");
  auto reasons = error->getArray("reasons");
  BOOST_REQUIRE_EQUAL(reasons->size(), 3u);
  BOOST_TEST(reasons->getObject(0)->getValue<int>("line") == 3);
  BOOST_TEST(reasons->getObject(0)->isNull("file"));
  BOOST_TEST(reasons->getObject(0)->getValue<std::string>("message").find("bad glob 'sh'") == 0u);
  BOOST_TEST(reasons->getObject(1)->getValue<std::string>("message").find("bad glob '/bin/[x'") == 0u);
  BOOST_TEST(reasons->getObject(2)->getValue<int>("line") == 4);
  BOOST_TEST(error->getValue<std::string>("message").find("line 4: unknown key 'colour'") != std::string::npos);
  BOOST_TEST(w.names() == std::vector<std::string>{"web"});  // unchanged

  r = router.handle({"PUT", "/api/v1/policy-groups/batch", R"({"name": "other", "selectors": {"names": ["b"]}})"});
  BOOST_TEST(r.status == 422);
  r = router.handle({"PUT", "/api/v1/policy-groups/copy", R"({"name": "copy", "selectors": {"names": ["web-*"]}})"});
  BOOST_TEST(r.status == 422);
  BOOST_TEST(r.body.find("conflicting selectors: groups 'web'") != std::string::npos);
  r = router.handle({"PUT", "/api/v1/policy-groups/web", kWeb});
  BOOST_TEST(r.status == 409);
  r = router.handle({"DELETE", "/api/v1/policy-groups/web", ""});
  BOOST_TEST(r.status == 409);

  const std::string batch = R"({"name": "batch", "selectors": {"names": ["batch-*"]}, "protected_files": ["/etc/passwd"]})";
  r = router.handle({"PUT", "/api/v1/policy-groups/batch", batch});
  BOOST_TEST(r.status == 201);
  BOOST_TEST(parse(r.body)->getValue<std::string>("source") == "api");
  BOOST_TEST(w.applied.back()->find("batch"));  // applied at once
  r = router.handle({"PUT", "/api/v1/policy-groups/batch", batch});
  BOOST_TEST(r.status == 200);
  r = router.handle({"GET", "/api/v1/policy-groups", ""});
  BOOST_TEST(parse(r.body)->getArray("items")->size() == 2u);
  r = router.handle({"GET", "/api/v1/policy-groups/batch", ""});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(parse(r.body)->getArray("protected_files")->getElement<std::string>(0) == "/etc/passwd");
  r = router.handle({"PATCH", "/api/v1/policy-groups/batch", "{}"});
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.allow == "GET, PUT, DELETE");
  r = router.handle({"DELETE", "/api/v1/policy-groups/batch", ""});
  BOOST_TEST(r.status == 200);
  r = router.handle({"DELETE", "/api/v1/policy-groups/batch", ""});
  BOOST_TEST(r.status == 404);
  BOOST_TEST(!w.applied.back()->find("batch"));

  // The store keeps what the API did.
  PolicyStore again(w.db);
  BOOST_TEST(again.load().size() == 1u);
}

BOOST_AUTO_TEST_CASE(learning_proposes_a_whitelist) {
  World w;
  BOOST_TEST(w.runtime->start().empty());
  ApiContext ctx{*w.store, nullptr, nullptr, nullptr, w.runtime.get()};
  ApiRouter router(ctx);
  BOOST_TEST(router.handle({"PUT", "/api/v1/policy-groups/web", kWeb}).status == 201);
  BOOST_TEST(router.handle({"POST", "/api/v1/policy-groups/web/learn", R"({"minutes": 0})"}).status == 422);
  BOOST_TEST(router.handle({"POST", "/api/v1/policy-groups/nope/learn", R"({"minutes": 5})"}).status == 404);
  auto r = router.handle({"POST", "/api/v1/policy-groups/web/learn", R"({"minutes": 30})"});
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  BOOST_TEST(parse(r.body)->getValue<std::string>("learning_until") == "2025-11-26T17:20:01.000Z");
  BOOST_TEST(*w.applied.back()->find("web")->learning_until_ms == kNow + 30 * 60000);

  w.runtime->learned("web", "/usr/bin/python3", kNow + 1000);
  w.runtime->learned("web", "/usr/bin/python3", kNow + 2000);
  w.runtime->learned("web", "/bin/sh", kNow + 3000);  // already whitelisted
  r = router.handle({"GET", "/api/v1/policy-groups/web/proposal", ""});
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  auto p = parse(r.body);
  BOOST_TEST(p->getValue<bool>("learning"));
  auto wl = p->getObject("group")->getArray("process_whitelist");
  BOOST_REQUIRE_EQUAL(wl->size(), 2u);
  BOOST_TEST(wl->getElement<std::string>(0) == "/bin/sh");
  BOOST_TEST(wl->getElement<std::string>(1) == "/usr/bin/python3");
  BOOST_TEST(p->getArray("learned")->size() == 2u);
  // The proposal applies as it is.
  std::ostringstream group;
  p->getObject("group")->stringify(group);
  BOOST_TEST(router.handle({"PUT", "/api/v1/policy-groups/web", group.str()}).status == 200);
  BOOST_TEST(w.runtime->current()->find("web")->process_whitelist.size() == 2u);
}

BOOST_AUTO_TEST_CASE(cshieldctl_policy_commands) {
  World w;
  BOOST_TEST(w.runtime->start().empty());
  ApiContext ctx{*w.store, nullptr, nullptr, nullptr, w.runtime.get()};
  ApiOptions options;
  options.socket_path = w.dir.file("api.sock");
  ApiServer server(ctx, options);
  std::string error;
  BOOST_REQUIRE_MESSAGE(server.start(error), error);
  auto ctl = [&](std::vector<std::string> args, std::string& out, std::string& err) {
    args.insert(args.begin(), {"--socket", options.socket_path});
    std::ostringstream o, e;
    const int rc = run_client_command(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
  };
  std::string out, err;
  BOOST_TEST(ctl({"policy", "list"}, out, err) == 0);
  BOOST_TEST(out == "No policy groups.\n");

  const std::string bad = w.dir.file("bad.json");
  write_file(bad, "{\"name\": \"web\",\n \"selectors\": {\"names\": []},\n \"process_whitelist\": [\"bin/sh\"]}\n");
  BOOST_TEST(ctl({"policy", "apply", bad}, out, err) == 1);
  BOOST_TEST(err.find(bad + ":2: 'selectors' is empty") != std::string::npos, err);
  BOOST_TEST(err.find(bad + ":3: bad glob 'bin/sh'") != std::string::npos, err);
  BOOST_TEST(err.find("the running policy is unchanged") != std::string::npos, err);

  const std::string good = w.dir.file("web.json");
  write_file(good, kWeb);
  BOOST_TEST(ctl({"policy", "apply", good}, out, err) == 0, err);
  BOOST_TEST(out.find("Policy group web created") == 0u, out);
  BOOST_TEST(ctl({"policy", "list"}, out, err) == 0);
  BOOST_TEST(out.find("web ") != std::string::npos);
  BOOST_TEST(out.find("name=web-*") != std::string::npos, out);
  BOOST_TEST(ctl({"policy", "show", "web"}, out, err) == 0);
  BOOST_TEST(parse(out)->getValue<std::string>("name") == "web");
  BOOST_TEST(ctl({"policy", "learn", "web"}, out, err) == 2);  // --minutes missing
  BOOST_TEST(ctl({"policy", "learn", "web", "--minutes", "10"}, out, err) == 0, err);
  BOOST_TEST(out.find("learns until") != std::string::npos);
  w.runtime->learned("web", "/usr/bin/env", kNow);
  BOOST_TEST(ctl({"policy", "propose", "web"}, out, err) == 0, err);
  BOOST_TEST(parse(out)->getArray("process_whitelist")->size() == 2u);
  write_file(good, out);  // the proposal applies as it is
  BOOST_TEST(ctl({"policy", "apply", good}, out, err) == 0, err);
  BOOST_TEST(out.find("Policy group web replaced") == 0u, out);
  BOOST_TEST(ctl({"policy", "delete", "web"}, out, err) == 0, err);
  BOOST_TEST(ctl({"policy", "delete", "web"}, out, err) == 1);
  BOOST_TEST(err.find("no policy group named 'web'") != std::string::npos);
  BOOST_TEST(ctl({"policy", "frobnicate"}, out, err) == 2);
  server.stop();
}

BOOST_AUTO_TEST_CASE(container_paths_resolve_inside_the_root) {
  TempDir root;
  std::system(("mkdir -p " + root.path + "/etc/real " + root.path + "/usr").c_str());
  ::symlink("/etc/real", (root.path + "/etc/abs").c_str());
  ::symlink("../../../../../../etc", (root.path + "/usr/escape").c_str());
  ::symlink("/etc/shadow", (root.path + "/etc/passwd").c_str());
  BOOST_TEST(*host_path_in_root(root.path, "/etc/abs/x", false) == root.path + "/etc/real/x");
  BOOST_TEST(*host_path_in_root(root.path, "/usr/escape/shadow", false) == root.path + "/etc/shadow");
  // The last component is the watched name itself, not what it points to.
  BOOST_TEST(*host_path_in_root(root.path, "/etc/passwd", false) == root.path + "/etc/passwd");
  BOOST_TEST(*host_path_in_root(root.path, "/etc/passwd", true) == root.path + "/etc/shadow");
  ::symlink("loop", (root.path + "/loop").c_str());
  BOOST_TEST(!host_path_in_root(root.path, "/loop/x", false));
}

BOOST_AUTO_TEST_CASE(watches_follow_starts_stops_and_policy_changes) {
  TempDir root;
  std::system(("mkdir -p " + root.path + "/etc/nginx").c_str());
  testing::FakeAuditControl control;
  std::mutex control_mu;
  Counters counters;
  std::map<std::string, std::string> groups;
  ProtectedFileWatches watches(control, control_mu, counters,
                               [&](const std::string& id, const std::string& g) { groups[id] = g; });
  PolicyGroup web;
  web.name = "web";
  web.selectors.names = {"web-*"};
  web.protected_files = {"/etc/passwd", "/etc/nginx/*"};
  ContainerInfo c;
  c.id = std::string(64, 'a');
  c.name = "web-1";
  c.rootfs = root.path;
  ContainerInfo other = c;
  other.id = std::string(64, 'b');
  other.name = "db-1";

  watches.started(c);  // no policy yet
  BOOST_TEST(control.rules.empty());
  BOOST_TEST(groups[c.id] == "");
  watches.set_policy(std::make_shared<const PolicySet>(std::vector<PolicyGroup>{web}));
  watches.started(other);
  BOOST_REQUIRE_EQUAL(control.rules.size(), 2u);
  BOOST_TEST(control.rules[0].to_auditctl() ==
             "-w " + root.path + "/etc/passwd -p wa -k cshield.sensitive_file_access:" + c.id);
  BOOST_TEST(control.rules[1].path == root.path + "/etc/nginx");
  BOOST_TEST(groups[c.id] == "web");
  BOOST_TEST(groups[other.id] == "");

  // A reload wiped the kernel's cshield rules: replace_all puts them back.
  control.rules.clear();
  watches.replace_all();
  BOOST_TEST(control.rules.size() == 2u);

  web.protected_files = {"/etc/passwd"};
  watches.set_policy(std::make_shared<const PolicySet>(std::vector<PolicyGroup>{web}));
  BOOST_TEST(control.rules.size() == 1u);
  watches.stopped(c.id);
  BOOST_TEST(control.rules.empty());
  BOOST_TEST(groups[c.id] == "");
  BOOST_TEST(watches.placed() == 0u);
}
