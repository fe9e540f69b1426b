// SHA-256 over a stream of bytes, as lower-case hex. OpenSSL's libcrypto
// underneath: it uses the CPU's SHA instructions (about 1.8 GB/s here, 12
// times Poco's SHA2Engine), which matters because executables are hashed in
// the pipeline thread. Not thread-safe; one per computation.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace cshield {

class Sha256 {
 public:
  // Throws std::bad_alloc when libcrypto cannot allocate its context.
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const char* data, std::size_t n);
  // The digest of everything updated so far; the object is spent afterwards.
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace cshield
