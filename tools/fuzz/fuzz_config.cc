// Arbitrary bytes as a cshieldd configuration file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto load = cshield::parse_config(text, "fuzz.conf");
  for (const auto& e : load.errors) (void)e.to_string();
  return 0;
}
