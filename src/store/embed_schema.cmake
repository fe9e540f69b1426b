# Run as `cmake -DSCHEMA_DIR=... -DOUTPUT=... -P embed_schema.cmake`.
# Writes a C++ source defining cshield::schema_migrations() from
# SCHEMA_DIR/NNN_name.sql, in version order. Versions must be 1, 2, 3, ...
file(GLOB sql_files "${SCHEMA_DIR}/*.sql")
list(SORT sql_files)

set(delim "cshield_sql")
set(entries "")
set(expected 1)
foreach(f IN LISTS sql_files)
  get_filename_component(fname "${f}" NAME)
  if(NOT fname MATCHES "^([0-9]+)_[A-Za-z0-9_]+\\.sql$")
    message(FATAL_ERROR "${f}: migration files are named NNN_name.sql")
  endif()
  string(REGEX REPLACE "^0+([0-9])" "\\1" version "${CMAKE_MATCH_1}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "${f}: expected migration version ${expected}, found ${version}")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ "${f}" sql)
  string(FIND "${sql}" ")${delim}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f}: contains the raw string delimiter )${delim}\"")
  endif()
  string(APPEND entries "      {${version}, \"${fname}\", R\"${delim}(${sql})${delim}\"},\n")
endforeach()
if(expected EQUAL 1)
  message(FATAL_ERROR "no migrations in ${SCHEMA_DIR}")
endif()

set(content "// Generated from schema/*.sql by embed_schema.cmake. Do not edit.
#include \"store/schema_migrations.h\"

namespace cshield {

std::vector<Migration> schema_migrations() {
  return {
${entries}  };
}

}  // namespace cshield
")
file(WRITE "${OUTPUT}" "${content}")
