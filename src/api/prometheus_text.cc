#include "api/prometheus_text.h"

namespace cshield {

namespace {

std::string metric_name(const std::string& dotted, bool gauge) {
  std::string name = "cshield_";
  for (char c : dotted) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    name.push_back(keep ? c : '_');
  }
  if (!gauge) name += "_total";
  return name;
}

// HELP text escapes backslash and newline.
std::string help_text(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace

std::string prometheus_text(const Counters& counters) {
  std::string out;
  for (const CounterSample& s : counters.snapshot()) {
    std::string name = metric_name(s.name, s.gauge);
    out += "# HELP " + name + " " + help_text(s.help) + "\n";
    out += "# TYPE " + name + (s.gauge ? " gauge\n" : " counter\n");
    out += name + " " + std::to_string(s.value) + "\n";
  }
  return out;
}

}  // namespace cshield
