// The store's one error type: a file that is not (or not this build's)
// cshield database, or a failing SQLite call. The message names the file.
#pragma once

#include <stdexcept>

namespace cshield {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cshield
