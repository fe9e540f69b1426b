// Arbitrary first bytes of a connection through the request gate's framing
// (api/request_framing.h): any client can send them. Besides not crashing,
// the verdict must not depend on bytes past a whole request: a request that
// is complete stays complete whatever follows it (pipelined data).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/request_framing.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const cshield::FramingLimits limits : {cshield::FramingLimits{}, cshield::FramingLimits{64, 32}}) {
    const cshield::Framing verdict = cshield::frame_request(bytes, limits);
    if (verdict == cshield::Framing::complete) {
      const std::string more = std::string(bytes) + "GET / HTTP/1.1\r\n\r\n";
      if (cshield::frame_request(more, limits) != cshield::Framing::complete) std::abort();
    }
  }
  return 0;
}
