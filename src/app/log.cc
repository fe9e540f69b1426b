#include "app/log.h"

#include <unistd.h>

#include "core/time_format.h"

namespace cshield {

namespace {
void emit(const char* level, const std::string& message) {
  const std::string line = format_rfc3339_ms(now_ms()) + " cshieldd " + level + ": " + message + "\n";
  ssize_t ignored = ::write(2, line.data(), line.size());  // one write: lines of threads do not interleave
  (void)ignored;
}
}  // namespace

void log_info(const std::string& message) { emit("info", message); }
void log_warn(const std::string& message) { emit("warning", message); }
void log_error(const std::string& message) { emit("error", message); }

}  // namespace cshield
