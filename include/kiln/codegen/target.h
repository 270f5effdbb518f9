// Target: what code is generated for, parsed from a string such as "llvm",
// "llvm -mcpu=znver4 -mattr=+avx512f -fast-math", "c" or "cuda -arch=sm_90".
// Unknown kinds and options raise kiln::Error naming them.
#pragma once

#include <string>
#include <vector>

namespace kiln::codegen {

struct Target {
  std::string kind;                   // "llvm", "c" or "cuda"
  std::string triple;                 // llvm: "x86_64-pc-linux-gnu" (default: the host's)
  std::string cpu;                    // llvm: "znver4" (default: the host's)
  std::vector<std::string> features;  // llvm: as given by -mattr: "+avx512f", "-avx2", ...
  std::string arch;                   // cuda: "sm_90"
  bool fast_math = false;             // -fast-math: reassociation, no NaNs or infinities
  int opt_level = 3;                  // -opt-level=0..3

  // Parses a target string. The `llvm` kind takes -mtriple=, -mcpu=, -mattr=
  // (comma-separated +/- features), -fast-math and -opt-level=N; without
  // -mcpu (and for the host triple) it uses the host CPU and its features.
  static Target Parse(const std::string& text);
  // The host as `llvm` sees it.
  static Target Host() { return Parse("llvm"); }

  // The canonical text form, e.g. "llvm -mtriple=... -mcpu=znver4".
  std::string str() const;
  // The features as LLVM takes them ("+a,-b"): for the host CPU on the host
  // triple, the host's detected features first, then those of -mattr.
  std::string FeatureString() const;
};

}  // namespace kiln::codegen
