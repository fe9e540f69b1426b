// An in-memory /proc for enrichment tests: files, symlinks (fd and exe
// links) and executables to open, set up per test. Implements FileReader
// and FileOpener as the daemon's FsFileReader/FsFileOpener would answer.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "enrich/file_opener.h"
#include "enrich/file_reader.h"

namespace cshield::testing {

class FakeProc : public FileReader, public FileOpener {
 public:
  std::map<std::string, std::string> files;  // path -> contents
  std::map<std::string, std::string> links;  // path -> symlink target
  struct Exe {
    FileIdentity identity;
    std::string contents;
  };
  std::map<std::string, Exe> executables;  // path (/proc/<pid>/exe) -> what opening it gives
  mutable int opens = 0;
  mutable std::size_t bytes_read = 0;

  // A live process: /proc/<pid> exists, its exe link and opened file.
  void process(int pid, const std::string& exe_link, const std::string& contents, std::uint64_t inode = 1) {
    const std::string proc = "/proc/" + std::to_string(pid);
    files[proc + "/comm"] = exe_link.substr(exe_link.rfind('/') + 1) + "\n";
    links[proc + "/exe"] = exe_link;
    Exe e;
    e.identity = {64769, inode, contents.size(), 1764000000000000000};
    e.contents = contents;
    executables[proc + "/exe"] = e;
  }
  void fd(int pid, int fd, const std::string& target) {
    links["/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd)] = target;
  }

  std::optional<std::string> read(const std::string& path, std::size_t max_bytes) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second.substr(0, max_bytes);
  }
  std::optional<std::string> read_link(const std::string& path) const override {
    auto it = links.find(path);
    if (it == links.end()) return std::nullopt;
    return it->second;
  }
  bool exists(const std::string& path) const override {
    const std::string dir = path + "/";
    auto under = [&](const auto& m) {
      return m.count(path) || std::any_of(m.begin(), m.end(), [&](const auto& kv) { return kv.first.rfind(dir, 0) == 0; });
    };
    return under(files) || under(links) || under(executables);
  }

  Result open(const std::string& path) const override {
    Result r;
    auto it = executables.find(path);
    if (it == executables.end()) {
      r.failure = Failure::kMissing;
      return r;
    }
    ++opens;
    class File : public OpenedFile {
     public:
      File(const Exe& e, std::size_t& counter) : e_(e), counter_(counter) {}
      FileIdentity identity() const override { return e_.identity; }
      long read(char* buf, std::size_t n) override {
        const std::size_t k = std::min(n, e_.contents.size() - pos_);
        std::memcpy(buf, e_.contents.data() + pos_, k);
        pos_ += k;
        counter_ += k;
        return static_cast<long>(k);
      }

     private:
      const Exe& e_;
      std::size_t& counter_;
      std::size_t pos_ = 0;
    };
    r.file = std::make_unique<File>(it->second, bytes_read);
    return r;
  }
};

}  // namespace cshield::testing
