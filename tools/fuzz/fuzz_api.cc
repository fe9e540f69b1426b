// Arbitrary requests through the REST router over a real store: the input
// is "METHOD TARGET\nBODY" (split at the first space and newline).
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <string>

#include "api/api_router.h"
#include "store/sqlite_store.h"

namespace {

cshield::SqliteStore& store() {
  static std::unique_ptr<cshield::SqliteStore> s = [] {
    static const std::string path = "/tmp/cshield-fuzz-api-" + std::to_string(::getpid()) + ".db";
    ::unlink(path.c_str());
    std::atexit([] {
      for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    });
    auto st = std::make_unique<cshield::SqliteStore>(path, cshield::StoreOptions{});
    std::vector<cshield::Alarm> seed;
    for (int i = 0; i < 20; ++i) {
      auto a = cshield::make_alarm(i % 2 ? "file_escape" : "high_risk_syscall", i % 2 ? "read" : "ptrace", "x");
      a.first_seen_ms = a.last_seen_ms = 1764175801000 + i;
      cshield::ContainerInfo c;
      c.id = std::string(64, static_cast<char>('a' + i % 3));
      c.name = "c" + std::to_string(i % 3);
      a.container = c;
      a.process.exe = "/x" + std::to_string(i);
      seed.push_back(a);
    }
    st->write(seed);
    return st;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  cshield::ApiRequest req;
  const auto sp = in.find(' ');
  const auto nl = in.find('\n', sp == std::string::npos ? 0 : sp);
  req.method = in.substr(0, sp);
  if (sp != std::string::npos) req.target = in.substr(sp + 1, nl == std::string::npos ? std::string::npos : nl - sp - 1);
  if (nl != std::string::npos) req.body = in.substr(nl + 1);
  static cshield::ApiContext ctx{store(), nullptr, nullptr, nullptr};
  static cshield::ApiRouter router(ctx);
  (void)router.handle(req);
  return 0;
}
