// Target strings: parsing ("llvm -mcpu=znver4 -mattr=+avx512f") with host
// defaults from DetectHost, and the canonical text form.
#include "kiln/codegen/target.h"

#include <sstream>

#include "kiln/codegen/host.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {
namespace {

const HostInfo& DetectedHost() {
  static const HostInfo host = DetectHost();
  return host;
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// One option "-name=value" or "-flag": its name and value ("" for a flag).
std::pair<std::string, std::string> SplitOption(const std::string& text, const std::string& word) {
  KILN_CHECK(word.size() > 1 && word[0] == '-') << "target '" << text << "': expected an option, got '" << word << "'";
  size_t eq = word.find('=');
  if (eq == std::string::npos) return {word, ""};
  return {word.substr(0, eq), word.substr(eq + 1)};
}

void ParseLLVMOption(Target& t, const std::string& text, const std::string& name, const std::string& value) {
  auto need_value = [&] {
    KILN_CHECK(!value.empty()) << "target '" << text << "': option " << name << " needs a value";
  };
  if (name == "-mtriple") {
    need_value();
    t.triple = value;
  } else if (name == "-mcpu") {
    need_value();
    t.cpu = value;
  } else if (name == "-mattr") {
    need_value();
    for (const std::string& f : SplitCommas(value)) {
      KILN_CHECK(f.size() > 1 && (f[0] == '+' || f[0] == '-'))
          << "target '" << text << "': feature '" << f << "' must start with + or -";
      t.features.push_back(f);
    }
  } else if (name == "-fast-math" && value.empty()) {
    t.fast_math = true;
  } else if (name == "-opt-level") {
    KILN_CHECK(value.size() == 1 && value[0] >= '0' && value[0] <= '3')
        << "target '" << text << "': -opt-level must be 0, 1, 2 or 3, got '" << value << "'";
    t.opt_level = value[0] - '0';
  } else {
    KILN_THROW() << "target '" << text << "': unknown option '" << name
                 << "' for llvm (known: -mtriple, -mcpu, -mattr, -fast-math, -opt-level)";
  }
}

void ParseCudaOption(Target& t, const std::string& text, const std::string& name, const std::string& value) {
  KILN_CHECK(name == "-arch" && !value.empty())
      << "target '" << text << "': unknown option '" << name << "' for cuda (known: -arch=sm_XX)";
  t.arch = value;
}

}  // namespace

Target Target::Parse(const std::string& text) {
  std::vector<std::string> words = SplitWords(text);
  KILN_CHECK(!words.empty()) << "empty target string (expected llvm, c or cuda)";
  Target t;
  t.kind = words[0];
  KILN_CHECK(t.kind == "llvm" || t.kind == "c" || t.kind == "cuda")
      << "target '" << text << "': unknown kind '" << t.kind << "' (expected llvm, c or cuda)";
  for (size_t i = 1; i < words.size(); ++i) {
    auto [name, value] = SplitOption(text, words[i]);
    if (t.kind == "llvm") {
      ParseLLVMOption(t, text, name, value);
    } else if (t.kind == "cuda") {
      ParseCudaOption(t, text, name, value);
    } else {
      KILN_THROW() << "target '" << text << "': unknown option '" << name << "' (target c takes no options)";
    }
  }
  if (t.kind == "llvm") {
    if (t.triple.empty()) t.triple = DetectedHost().triple;
    if (t.cpu.empty()) t.cpu = t.triple == DetectedHost().triple ? DetectedHost().cpu : "generic";
  }
  if (t.kind == "cuda" && t.arch.empty()) t.arch = "sm_80";
  return t;
}

std::string Target::str() const {
  std::ostringstream os;
  os << kind;
  if (kind == "llvm") {
    os << " -mtriple=" << triple << " -mcpu=" << cpu;
    if (!features.empty()) {
      os << " -mattr=";
      for (size_t i = 0; i < features.size(); ++i) os << (i ? "," : "") << features[i];
    }
    if (fast_math) os << " -fast-math";
    if (opt_level != 3) os << " -opt-level=" << opt_level;
  } else if (kind == "cuda") {
    os << " -arch=" << arch;
  }
  return os.str();
}

std::string Target::FeatureString() const {
  std::vector<std::string> all;
  if (triple == DetectedHost().triple && cpu == DetectedHost().cpu) {
    for (const std::string& f : DetectedHost().features) all.push_back("+" + f);
  }
  all.insert(all.end(), features.begin(), features.end());
  std::string s;
  for (const std::string& f : all) s += (s.empty() ? "" : ",") + f;
  return s;
}

}  // namespace kiln::codegen
