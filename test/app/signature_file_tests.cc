// The signature file as the daemon loads it: file and line in errors, an
// absent file, and a reload that keeps the database in force on errors.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "app/signature_file.h"
#include "support/counter_value.h"

using cshield::testing::counter_value;

namespace cshield {
namespace {

const std::string kA = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";  // sha256("a")
const std::string kB = "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";  // sha256("b")

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/cshield-sig-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(t));
    path = t;
  }
  ~TempDir() { (void)std::system(("rm -rf '" + path + "'").c_str()); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name) << text;
    return path + "/" + name;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(signature_file)

BOOST_AUTO_TEST_CASE(errors_name_the_file_and_line) {
  const auto l = load_signature_file(std::string(CSHIELD_SOURCE_DIR) + "/test/data/app/bad_signatures.txt");
  BOOST_TEST(!l.db);
  BOOST_REQUIRE(l.errors.size() == 2u);
  BOOST_TEST(l.errors[0].to_string().find("bad_signatures.txt:3: ") != std::string::npos);
  BOOST_TEST(l.errors[0].to_string().find("62 hex digits, not 64") != std::string::npos);
  BOOST_TEST(l.errors[1].to_string().find("bad_signatures.txt:4: the hash has no name") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_absent_file_means_no_signatures_with_a_warning) {
  const auto l = load_signature_file("/nonexistent/cshield/signatures.txt");
  BOOST_REQUIRE(l.db);
  BOOST_TEST(l.db->size() == 0u);
  BOOST_TEST(l.errors.empty());
  BOOST_REQUIRE(l.warnings.size() == 1u);
  BOOST_TEST(load_signature_file("").warnings.empty());
  const auto dir = load_signature_file("/tmp");
  BOOST_TEST(!dir.db);
  BOOST_REQUIRE(dir.errors.size() == 1u);
  BOOST_TEST(dir.errors[0].to_string().find("/tmp: cannot read the signature file") == 0u);
}

BOOST_AUTO_TEST_CASE(a_reload_with_errors_keeps_the_database_in_force) {
  TempDir dir;
  Counters counters;
  SignatureDatabase db(counters);
  BOOST_TEST(db.current()->size() == 0u);
  std::vector<ConfigMessage> errors, warnings;

  const std::string path = dir.write("sig.txt", kA + " First\n");
  BOOST_TEST(db.load(path, errors, warnings));
  BOOST_TEST(errors.empty());
  BOOST_TEST(db.current()->size() == 1u);
  BOOST_TEST(counter_value(counters, "detect.signatures_loaded") == 1u);

  dir.write("sig.txt", kA + " First\n" + kB + "\n");  // line 2 lacks a name
  BOOST_TEST(!db.load(path, errors, warnings));
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].line == 2);
  BOOST_TEST(db.current()->size() == 1u);
  BOOST_REQUIRE(db.current()->find(kA));
  BOOST_TEST(!db.current()->find(kB));
  BOOST_TEST(counter_value(counters, "detect.signature_loads_refused") == 1u);

  errors.clear();
  dir.write("sig.txt", kA + " First\n" + kB + " Second\n");
  BOOST_TEST(db.load(path, errors, warnings));
  BOOST_TEST(db.current()->size() == 2u);
  BOOST_REQUIRE(db.current()->find(kB));
  BOOST_TEST(*db.current()->find(kB) == "Second");
  BOOST_TEST(counter_value(counters, "detect.signatures_loaded") == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace cshield
