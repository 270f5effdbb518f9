// The `kiln` command. For now: --version (Kiln, LLVM, the host CPU) and
// --help; compile, run, bench and inspect come with the compiler.
#include <cstring>
#include <iostream>

#include "kiln/codegen/host.h"
#include "kiln/runtime/version.h"

namespace {
void PrintUsage(std::ostream& os) {
  os << "usage: kiln [--version] [--help]\n"
        "  --version   print Kiln's version, the LLVM it uses and the host CPU\n"
        "  --help      print this message\n";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0)) {
    kiln::codegen::HostInfo host = kiln::codegen::DetectHost();
    std::cout << "kiln " << KILN_VERSION << "\n"
              << "llvm " << host.llvm_version << "\n"
              << "host " << host.triple << " cpu=" << host.cpu << "\n";
    return 0;
  }
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    PrintUsage(std::cout);
    return 0;
  }
  if (argc > 1) std::cerr << "kiln: unknown command '" << argv[1] << "'\n";
  PrintUsage(std::cerr);
  return 2;
}
