// Field access over Poco::JSON for documents we do not trust (runtime state
// files, daemon responses): a missing field, or one of another type, reads
// as empty. Nothing here throws.
#pragma once

#include <optional>
#include <string>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace cshield::json {

// The document's top-level object; null when the text is not a JSON object.
Poco::JSON::Object::Ptr parse_object(const std::string& text);
// The document's top-level array; null when the text is not a JSON array.
Poco::JSON::Array::Ptr parse_array(const std::string& text);
// Null when absent or not an object / array.
Poco::JSON::Object::Ptr object(const Poco::JSON::Object::Ptr& obj, const std::string& key);
Poco::JSON::Array::Ptr array(const Poco::JSON::Object::Ptr& obj, const std::string& key);
// Empty when absent or not a string.
std::string string(const Poco::JSON::Object::Ptr& obj, const std::string& key);
std::string string_at(const Poco::JSON::Array::Ptr& arr, unsigned index);
// The object at `index` of `arr`; null when absent or not an object.
Poco::JSON::Object::Ptr object_at(const Poco::JSON::Array::Ptr& arr, unsigned index);

}  // namespace cshield::json
