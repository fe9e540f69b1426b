// Fixtures for end-to-end tests that own kernel audit while they run.
// Header-only (Boost.Test assertions); include after <boost/test/unit_test.hpp>.
#pragma once

#include <boost/test/unit_test.hpp>

#include "harness.h"

namespace e2e {

// Refuses to start a test while an audit daemon is registered or cshield
// rules are loaded: the test would measure someone else's state.
struct AuditFree {
  AuditState before = AuditState::read();
  AuditFree() {
    BOOST_REQUIRE_MESSAGE(before.pid == "0", "an audit daemon is registered (pid " << before.pid << ")");
    BOOST_REQUIRE_MESSAGE(before.cshield_rules().empty(), "cshield rules are loaded before the test");
  }
};

// ... and checks that the test left it so: no audit daemon, no cshield rule.
struct AuditFreeBeforeAndAfter : AuditFree {
  ~AuditFreeBeforeAndAfter() {
    const auto after = AuditState::read();
    BOOST_TEST(after.pid == "0");
    BOOST_TEST(after.cshield_rules().empty());
  }
};

}  // namespace e2e
