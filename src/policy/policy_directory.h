// Policy groups from the *.json files of a directory (`[policy] directory`),
// read in name order and validated together: a problem in any file is
// reported with its file and line, and then no group is returned (the
// caller keeps the policy it has). A missing directory holds no groups.
// Reads the filesystem; no state.
#pragma once

#include <string>

#include "policy/policy_parse.h"

namespace cshield {

PolicyParse load_policy_directory(const std::string& directory);

}  // namespace cshield
