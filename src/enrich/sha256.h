// SHA-256 over a stream of bytes, as lower-case hex. Poco::SHA2Engine
// (Foundation) underneath: no further dependency. Not thread-safe; one per
// computation.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace cshield {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const char* data, std::size_t n);
  // The digest of everything updated so far; resets the computation.
  std::string hex();

 private:
  struct Engine;
  std::unique_ptr<Engine> engine_;
};

std::string sha256_hex(std::string_view data);

}  // namespace cshield
