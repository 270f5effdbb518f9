// The options each target kind accepts, declared as one table that
// Target::Parse applies (src/codegen/target.cc) and the configuration
// reference lists: an option the parser takes is documented, and one that is
// documented is parsed.
#pragma once

#include <string>
#include <vector>

namespace kiln::codegen {

struct Target;

struct TargetOptionInfo {
  std::string kind;           // "llvm" or "cuda" ("c" takes none)
  std::string name;           // "-mcpu"
  std::string type;           // "string", "flag", "int 0..3", ...
  std::string default_value;  // in words: "the host's"
  std::string doc;            // what it changes
  bool takes_value;           // "-name=value" (else a flag "-name")
  // Sets the option on `t` from `value`; `text` is the whole target string
  // for error messages. Raises kiln::Error on a bad value.
  void (*apply)(Target& t, const std::string& text, const std::string& value);
};

// The target kinds in the order the reference lists them: llvm, c, cuda.
const std::vector<std::string>& TargetKinds();
// Every option of every kind.
const std::vector<TargetOptionInfo>& ListTargetOptions();

}  // namespace kiln::codegen
