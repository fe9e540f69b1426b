#include "app/signature_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cshield {

SignatureFileLoad load_signature_file(const std::string& path) {
  SignatureFileLoad out;
  if (path.empty()) {
    out.db = std::make_shared<SignatureDb>();
    return out;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    out.warnings.push_back({path, 0, "no signature file: matching executables against known hashes is off"});
    out.db = std::make_shared<SignatureDb>();
    return out;
  }
  errno = 0;
  std::ifstream in(path);
  if (!in || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    out.errors.push_back({path, 0, std::string("cannot read the signature file: ") +
                                       (err ? std::strerror(err) : "open failed")});
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = SignatureDb::parse(text.str());
  for (auto& e : parsed.errors) out.errors.push_back({path, e.line, std::move(e.text)});
  for (auto& w : parsed.warnings) out.warnings.push_back({path, w.line, std::move(w.text)});
  if (out.errors.empty()) out.db = std::make_shared<SignatureDb>(std::move(parsed.db));
  return out;
}

SignatureDatabase::SignatureDatabase(Counters& counters)
    : db_(std::make_shared<SignatureDb>()),
      loaded_(counters.gauge("detect.signatures_loaded", "malicious-program signatures (SHA-256 hashes) in force")),
      refused_(counters.counter("detect.signature_loads_refused",
                                "signature file loads refused because of errors (the database in force stayed)")) {}

bool SignatureDatabase::load(const std::string& path, std::vector<ConfigMessage>& errors,
                             std::vector<ConfigMessage>& warnings) {
  auto l = load_signature_file(path);
  errors.insert(errors.end(), l.errors.begin(), l.errors.end());
  warnings.insert(warnings.end(), l.warnings.begin(), l.warnings.end());
  if (!l.db) {
    refused_.add();
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  db_ = std::move(l.db);
  loaded_.set(db_->size());
  return true;
}

std::shared_ptr<const SignatureDb> SignatureDatabase::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return db_;
}

}  // namespace cshield
