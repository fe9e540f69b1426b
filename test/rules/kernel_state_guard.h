// A Boost.Test fixture for privileged tests: records the kernel's audit
// status and rules first, and at scope exit (also when the test failed)
// deletes every rule with a test or cshield key, restores enabled,
// backlog_limit and backlog_wait_time, and checks that the rules and the
// registered pid are back to what they were.
#pragma once

#include <boost/test/unit_test.hpp>

#include <vector>

#include "rules/libaudit_control.h"
#include "rules/rule_manager.h"

namespace cshield::testing {

// Keys of rules the tests add that cshield itself would not touch.
inline constexpr const char* kForeignTestKeyPrefix = "cshieldtest.";

struct KernelStateGuard {
  LibauditControl control;
  AuditStatusGuard status_guard{control};
  AuditStatus before;
  std::vector<AuditRule> rules_before;

  KernelStateGuard() {
    auto saved = status_guard.save();
    BOOST_REQUIRE_MESSAGE(saved.ok(), saved.error());
    before = status_guard.saved();
    BOOST_REQUIRE_MESSAGE(before.pid == 0, "an audit daemon is registered (pid " << before.pid
                                                                                << "); these tests need it unregistered");
    auto listed = control.list_rules(rules_before);
    BOOST_REQUIRE_MESSAGE(listed.ok(), listed.error());
  }

  ~KernelStateGuard() {
    auto removed = control.delete_rules_with_key_prefix(kRuleKeyPrefix);
    BOOST_TEST(removed.ok(), removed.error());
    removed = control.delete_rules_with_key_prefix(kForeignTestKeyPrefix);
    BOOST_TEST(removed.ok(), removed.error());
    auto restored = status_guard.restore();
    BOOST_TEST(restored.ok(), restored.error());
    AuditStatus after;
    auto read = control.status(after);
    BOOST_TEST(read.ok(), read.error());
    BOOST_TEST(after.pid == 0u);
    BOOST_TEST(after.enabled == before.enabled);
    BOOST_TEST(after.backlog_limit == before.backlog_limit);
    BOOST_TEST(after.backlog_wait_time == before.backlog_wait_time);
    std::vector<AuditRule> rules_after;
    BOOST_TEST(control.list_rules(rules_after).ok());
    BOOST_TEST((rules_after == rules_before));
  }
};

}  // namespace cshield::testing
