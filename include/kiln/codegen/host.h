// Facts about the machine Kiln compiles for by default: the LLVM version in
// use, the host CPU's name and its features, as the `llvm` target sees them.
#pragma once

#include <string>
#include <vector>

namespace kiln::codegen {

struct HostInfo {
  std::string llvm_version;           // "16.0.6"
  std::string cpu;                    // "znver4"
  std::string triple;                 // "x86_64-pc-linux-gnu"
  std::vector<std::string> features;  // enabled features: "avx512f", "fma", ...
};

HostInfo DetectHost();

}  // namespace kiln::codegen
