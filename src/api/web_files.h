// The web UI's files (web/ in the source tree), compiled in at build time by
// embed_web.cmake, so the daemon serves its pages without reading the disk
// and the package ships no separate asset directory.
#pragma once

#include <string_view>
#include <vector>

namespace cshield {

struct WebFile {
  std::string_view url;   // "/" for web/index.html, else "/ui/app.js" for web/ui/app.js
  std::string_view etag;  // quoted, from the file's SHA-256: changes with the content
  std::string_view body;  // static storage
};

// Every file. Thread-safe (built once, then read-only).
const std::vector<WebFile>& web_files();

}  // namespace cshield
