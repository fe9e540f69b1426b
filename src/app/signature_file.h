// The [detect] signatures file (API.md: "<sha256> <name>" a line) and the
// signature database in force. A file with any error is refused whole:
// at a reload (SIGHUP) the database in force stays; at start there is none
// until a valid file is loaded. An empty path or an absent file means no
// signatures (fingerprint matching off) with a warning for the absent file.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/counters.h"
#include "detect/signature_db.h"

namespace cshield {

struct SignatureFileLoad {
  std::shared_ptr<const SignatureDb> db;  // null when the file has errors
  std::vector<ConfigMessage> errors;      // "file:line: text"
  std::vector<ConfigMessage> warnings;
};

SignatureFileLoad load_signature_file(const std::string& path);

// The database in force. Thread-safe.
class SignatureDatabase {
 public:
  explicit SignatureDatabase(Counters& counters);

  // Loads `path`; when it has errors the database in force stays and false
  // is returned; its errors and warnings are appended to the vectors.
  bool load(const std::string& path, std::vector<ConfigMessage>& errors, std::vector<ConfigMessage>& warnings);
  // Never null (an empty database before a valid load).
  std::shared_ptr<const SignatureDb> current() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const SignatureDb> db_;
  Counter& loaded_;
  Counter& refused_;
};

}  // namespace cshield
