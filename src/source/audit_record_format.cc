#include "source/audit_record_format.h"

#include <libaudit.h>

namespace cshield {

bool is_audit_record_type(int type) { return type >= AUDIT_FIRST_USER_MSG && type != AUDIT_REPLACE; }

void append_audit_record(int type, std::string_view payload, std::string& out) {
  while (!payload.empty() && (payload.back() == '\0' || payload.back() == '\n')) payload.remove_suffix(1);
  out += "type=";
  if (const char* name = audit_msg_type_to_name(type)) {
    out += name;
  } else {
    out += "UNKNOWN[" + std::to_string(type) + "]";
  }
  out += " msg=";
  const std::size_t start = out.size();
  out += payload;
  for (std::size_t i = start; i < out.size(); ++i)
    if (out[i] == '\n' || out[i] == '\0') out[i] = ' ';
  out += '\n';
}

}  // namespace cshield
