// The command line of one `kiln` subcommand: positional arguments, options
// that take a value (`--name value` or `--name=value`, some repeatable) and
// flags. Anything the command does not declare, a missing value or a wrong
// number of positionals is a UsageError (exit status 2).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiln::cli {

// Bad usage: printed with the command's usage line, exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;     // "output" for --output
  std::string metavar;  // "FILE"; empty for a flag
  std::string help;
  bool repeated = false;  // may be given several times
  char short_name = 0;    // 'o' for -o
};

class Args {
 public:
  // Parses argv[first..argc) against `options`; `min_positional` and
  // `max_positional` bound the positionals. `--help` / `-h` sets help().
  static Args Parse(const std::string& command, const std::vector<OptionSpec>& options, int min_positional,
                    int max_positional, int argc, char** argv, int first);

  const std::vector<std::string>& positional() const { return positional_; }
  bool help() const { return help_; }
  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  // The value of option `name`, or `fallback` when it was not given.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Every value of a repeated option, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  // An integer option of at least `min`; a UsageError names the option otherwise.
  int GetInt(const std::string& name, int fallback, int min) const;

 private:
  std::string command_;
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
  bool help_ = false;
};

// "  -o, --output FILE   help" lines for a command's usage message.
std::string FormatOptions(const std::vector<OptionSpec>& options);

}  // namespace kiln::cli
