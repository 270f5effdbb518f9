// The `kiln` command: compile, run, benchmark and inspect models, and list
// the passes and pipelines, from the shell. Each subcommand lives in
// tools/cli/<command>.cc; this file picks one, parses its arguments and
// reports errors: usage errors exit with 2, failures (a bad file, a missing
// input, an op Kiln cannot compile) with 1, both with a message on stderr.
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "cli/printable.h"
#include "kiln/codegen/host.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/version.h"

namespace {

using kiln::cli::Command;

std::vector<Command> Commands() {
  using namespace kiln::cli;
  return {CompileCommand(), RunCommand(), BenchCommand(), InspectCommand(), PassesCommand(), PipelinesCommand()};
}

void PrintUsage(std::ostream& os, const std::vector<Command>& commands) {
  os << "usage: kiln COMMAND [options]   (kiln COMMAND --help for its options)\n\ncommands:\n";
  for (const Command& c : commands) {
    os << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
  os << "\n  --version   print Kiln's version, the LLVM it uses and the host CPU\n"
        "  --help      print this message\n";
}

void PrintCommandUsage(std::ostream& os, const Command& c) {
  os << "usage: " << c.usage << "\n" << c.summary << "\n";
  if (!c.options.empty()) os << "\noptions:\n" << kiln::cli::FormatOptions(c.options);
}

int RunCommand(const Command& c, int argc, char** argv) {
  try {
    kiln::cli::Args args = kiln::cli::Args::Parse(c.name, c.options, c.min_positional, c.max_positional, argc, argv, 2);
    if (args.help()) {
      PrintCommandUsage(std::cout, c);
      return 0;
    }
    return c.run(args);
  } catch (const kiln::cli::UsageError& e) {
    std::cerr << kiln::cli::Printable(e.what()) << "\nusage: " << c.usage << "\n";
    return 2;
  } catch (const kiln::InternalError& e) {
    std::cerr << "kiln " << c.name << ": internal error (please report it): " << kiln::cli::Printable(e.what()) << "\n";
    return 1;
  } catch (const kiln::Error& e) {
    std::cerr << "kiln " << c.name << ": error: " << kiln::cli::Printable(e.message()) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kiln " << c.name << ": error: " << kiln::cli::Printable(e.what()) << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Command> commands = Commands();
  std::string first = argc > 1 ? argv[1] : "";
  if (argc == 2 && (first == "--version" || first == "version")) {
    kiln::codegen::HostInfo host = kiln::codegen::DetectHost();
    std::cout << "kiln " << KILN_VERSION << "\n"
              << "llvm " << host.llvm_version << "\n"
              << "host " << host.triple << " cpu=" << host.cpu << "\n";
    return 0;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    for (const Command& c : commands) {
      if (argc == 3 && c.name == argv[2]) {
        PrintCommandUsage(std::cout, c);
        return 0;
      }
    }
    PrintUsage(std::cout, commands);
    return 0;
  }
  for (const Command& c : commands) {
    if (c.name == first) return RunCommand(c, argc, argv);
  }
  if (argc > 1) std::cerr << "kiln: unknown command '" << first << "'\n";
  PrintUsage(std::cerr, commands);
  return 2;
}
