# Run as `cmake -DWEB_DIR=... -DOUTPUT=... -P embed_web.cmake`.
# Writes a C++ source defining cshield::web_files() from every file under
# WEB_DIR (the pages of the web UI), so cshieldd serves them without reading
# the disk. WEB_DIR/index.html is served at "/", any other file at
# "/<its path under WEB_DIR>". Text files only (they become raw strings).
file(GLOB_RECURSE web_files RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
list(SORT web_files)

set(delim "cshield_web")
set(entries "")
foreach(rel IN LISTS web_files)
  if(NOT rel MATCHES "^[A-Za-z0-9_./-]+$")
    message(FATAL_ERROR "${WEB_DIR}/${rel}: web file names use letters, digits, _ . - and /")
  endif()
  file(READ "${WEB_DIR}/${rel}" text)
  string(FIND "${text}" ")${delim}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${WEB_DIR}/${rel}: contains the raw string delimiter )${delim}\"")
  endif()
  file(SHA256 "${WEB_DIR}/${rel}" digest)
  string(SUBSTRING "${digest}" 0 16 etag)
  if(rel STREQUAL "index.html")
    set(url "/")
  else()
    set(url "/${rel}")
  endif()
  # Long files are split: compilers limit the length of one string literal.
  string(LENGTH "${text}" len)
  set(parts "")
  set(pos 0)
  while(pos LESS len)
    string(SUBSTRING "${text}" ${pos} 8000 chunk)
    string(APPEND parts "R\"${delim}(${chunk})${delim}\"\n")
    math(EXPR pos "${pos} + 8000")
  endwhile()
  if(parts STREQUAL "")
    set(parts "\"\"")
  endif()
  string(APPEND entries "      {\"${url}\", \"\\\"${etag}\\\"\",\n${parts}},\n")
endforeach()

set(content "// Generated from web/ by embed_web.cmake. Do not edit.
#include \"api/web_files.h\"

namespace cshield {

const std::vector<WebFile>& web_files() {
  static const std::vector<WebFile> files{
${entries}  };
  return files;
}

}  // namespace cshield
")
file(WRITE "${OUTPUT}" "${content}")
