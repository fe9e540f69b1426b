// Arbitrary bytes as a policy-group document (a policy file or a REST body):
// its own JSON reader, validation, and the checks between groups.
#include <cstddef>
#include <cstdint>
#include <string>

#include "policy/policy_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parse = cshield::parse_policy_document(text, "fuzz.json");
  if (parse.ok()) (void)cshield::policy_set_problems(parse.groups);
  return 0;
}
