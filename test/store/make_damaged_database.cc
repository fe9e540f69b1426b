// make_damaged_database PATH [ALARMS]: writes a cshield alarm database with
// ALARMS (default 3000) alarms at PATH and damages one page in the middle of
// its alarm table (test/support/damaged_database.h). For the CLI tests.
#include <cstdlib>
#include <exception>
#include <iostream>

#include "support/damaged_database.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: make_damaged_database PATH [ALARMS]\n";
    return 2;
  }
  try {
    const auto page = cshield::testing::make_damaged_database(argv[1], argc > 2 ? std::atoi(argv[2]) : 3000);
    std::cout << argv[1] << ": page " << page << " damaged\n";
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
