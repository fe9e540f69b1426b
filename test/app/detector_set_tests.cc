#include <boost/test/unit_test.hpp>
#include <algorithm>

#include "app/config.h"
#include "app/detector_set.h"
#include "detect/abnormal_startup.h"
#include "detect/event_facts.h"

namespace cshield {

BOOST_AUTO_TEST_SUITE(detector_set)

// The kernel keys an event by the first rule it matches: the catch-all
// execution rule must come after the specific execve rules.
BOOST_AUTO_TEST_CASE(the_execution_rule_comes_after_every_specific_execve_rule) {
  const auto rules = build_detectors(Config{})->rules();
  std::size_t first_exec = rules.size(), last_specific_execve = 0, exec_rules = 0;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    const bool execve = std::find(r.syscalls.begin(), r.syscalls.end(), "execve") != r.syscalls.end();
    if (r.key == kExecKey) {
      first_exec = std::min(first_exec, i);
      ++exec_rules;
    } else if (execve) {
      last_specific_execve = i;
    }
  }
  BOOST_TEST(exec_rules == 1u);
  BOOST_TEST(last_specific_execve > 0u);  // set-uid gains at least
  BOOST_TEST(first_exec > last_specific_execve);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace cshield
