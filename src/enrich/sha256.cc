#include "enrich/sha256.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

namespace cshield {

struct Sha256::Engine {
  Poco::SHA2Engine sha{Poco::SHA2Engine::SHA_256};
};

Sha256::Sha256() : engine_(std::make_unique<Engine>()) {}
Sha256::~Sha256() = default;

void Sha256::update(const char* data, std::size_t n) { engine_->sha.update(static_cast<const void*>(data), n); }

std::string Sha256::hex() { return Poco::DigestEngine::digestToHex(engine_->sha.digest()); }

std::string sha256_hex(std::string_view data) {
  Sha256 s;
  s.update(data.data(), data.size());
  return s.hex();
}

}  // namespace cshield
