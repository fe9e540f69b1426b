#include "enrich/json_fields.h"

#include <Poco/JSON/Parser.h>

namespace cshield::json {
namespace {

std::string as_string(const Poco::Dynamic::Var& v) {
  if (v.isEmpty() || !v.isString()) return {};
  return v.extract<std::string>();
}

template <typename Ptr>
Ptr parse_as(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(text);
    if (v.type() != typeid(Ptr)) return {};
    return v.extract<Ptr>();
  } catch (...) {
    return {};
  }
}

}  // namespace

Poco::JSON::Object::Ptr parse_object(const std::string& text) { return parse_as<Poco::JSON::Object::Ptr>(text); }

Poco::JSON::Array::Ptr parse_array(const std::string& text) { return parse_as<Poco::JSON::Array::Ptr>(text); }

Poco::JSON::Object::Ptr object(const Poco::JSON::Object::Ptr& obj, const std::string& key) {
  try {
    return obj ? obj->getObject(key) : Poco::JSON::Object::Ptr{};
  } catch (...) {
    return {};
  }
}

Poco::JSON::Array::Ptr array(const Poco::JSON::Object::Ptr& obj, const std::string& key) {
  try {
    return obj ? obj->getArray(key) : Poco::JSON::Array::Ptr{};
  } catch (...) {
    return {};
  }
}

std::string string(const Poco::JSON::Object::Ptr& obj, const std::string& key) {
  try {
    return obj ? as_string(obj->get(key)) : std::string{};
  } catch (...) {
    return {};
  }
}

std::string string_at(const Poco::JSON::Array::Ptr& arr, unsigned index) {
  try {
    return arr && index < arr->size() ? as_string(arr->get(index)) : std::string{};
  } catch (...) {
    return {};
  }
}

Poco::JSON::Object::Ptr object_at(const Poco::JSON::Array::Ptr& arr, unsigned index) {
  try {
    return arr && index < arr->size() ? arr->getObject(index) : Poco::JSON::Object::Ptr{};
  } catch (...) {
    return {};
  }
}

}  // namespace cshield::json
