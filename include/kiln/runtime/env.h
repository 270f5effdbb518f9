// The environment variables Kiln's C++ code reads, declared in one table
// (src/runtime/env.cc) with their type, default and effect: the configuration
// reference is generated from it, and GetEnv refuses a name that is not
// declared, so every variable read is documented. Variables read only by
// tests and docs are declared on the Python side (docs/_ext/kiln_env_vars.py).
#pragma once

#include <string>
#include <vector>

namespace kiln::runtime {

struct EnvVarInfo {
  std::string name;           // "KILN_NUM_THREADS"
  std::string type;           // "int", "string", ...
  std::string default_value;  // what applies when it is unset, in words
  std::string doc;            // what it changes
  std::string read_by;        // the source file that reads it
};

// Every declared variable, sorted by name.
const std::vector<EnvVarInfo>& ListEnvVars();

// The value of declared variable `name`, or nullptr when it is unset.
// Reading an undeclared name is an internal error.
const char* GetEnv(const std::string& name);

}  // namespace kiln::runtime
