// Human-readable renderings of the API's JSON (the shapes of API.md) for
// cshieldctl: aligned tables for lists, labelled lines for one item. Missing
// or null values print as "-". Pure functions; safe from any thread.
#pragma once

#include <ostream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace cshield {

// ID, LAST SEEN, SEVERITY, TYPE/SUBTYPE, CONTAINER, PROCESS, COUNT, STATUS.
void print_alarm_table(const Poco::JSON::Array::Ptr& alarms, std::ostream& out);
// Every field of one alarm, evidence pretty-printed.
void print_alarm(const Poco::JSON::Object::Ptr& alarm, std::ostream& out);
void print_summary(const Poco::JSON::Object::Ptr& summary, std::ostream& out);
void print_container_table(const Poco::JSON::Array::Ptr& containers, std::ostream& out);
void print_container(const Poco::JSON::Object::Ptr& container, std::ostream& out);
// NAME, SOURCE, SELECTORS, WHITELIST, PROTECTED, LEARNING UNTIL.
void print_policy_table(const Poco::JSON::Array::Ptr& groups, std::ostream& out);
// Nested objects flattened to "a.b.c  value" lines.
void print_status(const Poco::JSON::Object::Ptr& status, std::ostream& out);

}  // namespace cshield
