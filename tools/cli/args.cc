// The command-line parser of the `kiln` subcommands (args.h).
#include "args.h"

#include <charconv>

namespace kiln::cli {

namespace {

const OptionSpec* Find(const std::vector<OptionSpec>& options, const std::string& name, char short_name) {
  for (const OptionSpec& o : options) {
    if ((!name.empty() && o.name == name) || (short_name != 0 && o.short_name == short_name)) return &o;
  }
  return nullptr;
}

}  // namespace

Args Args::Parse(const std::string& command, const std::vector<OptionSpec>& options, int min_positional,
                 int max_positional, int argc, char** argv, int first) {
  Args args;
  args.command_ = command;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      args.help_ = true;
      return args;
    }
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      args.positional_.push_back(arg);
      continue;
    }
    std::string name, value;
    bool has_value = false;
    const OptionSpec* spec = nullptr;
    if (arg.rfind("--", 0) == 0) {
      name = arg.substr(2);
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      spec = Find(options, name, 0);
    } else if (arg.size() == 2) {
      spec = Find(options, "", arg[1]);
    }
    if (spec == nullptr) throw UsageError("kiln " + command + ": unknown option '" + arg + "'");
    if (spec->metavar.empty()) {
      if (has_value) throw UsageError("kiln " + command + ": --" + spec->name + " takes no value");
      value = "1";
    } else if (!has_value) {
      if (i + 1 >= argc) throw UsageError("kiln " + command + ": --" + spec->name + " needs a value " + spec->metavar);
      value = argv[++i];
    }
    std::vector<std::string>& slot = args.values_[spec->name];
    if (!slot.empty() && !spec->repeated) {
      throw UsageError("kiln " + command + ": --" + spec->name + " given more than once");
    }
    slot.push_back(value);
  }
  int n = static_cast<int>(args.positional_.size());
  if (n < min_positional) throw UsageError("kiln " + command + ": missing argument");
  if (n > max_positional) {
    throw UsageError("kiln " + command + ": unexpected argument '" + args.positional_[max_positional] + "'");
  }
  return args;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int Args::GetInt(const std::string& name, int fallback, int min) const {
  if (!Has(name)) return fallback;
  std::string text = Get(name);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min) {
    throw UsageError("kiln " + command_ + ": --" + name + " expects an integer >= " + std::to_string(min) + ", got '" +
                     text + "'");
  }
  return value;
}

std::string FormatOptions(const std::vector<OptionSpec>& options) {
  std::string out;
  for (const OptionSpec& o : options) {
    std::string left = o.short_name ? std::string("-") + o.short_name + ", " : "    ";
    left += "--" + o.name + (o.metavar.empty() ? "" : " " + o.metavar);
    out += "  " + left + std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') + o.help + "\n";
  }
  return out;
}

}  // namespace kiln::cli
