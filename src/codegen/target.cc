// Target strings: parsing ("llvm -mcpu=znver4 -mattr=+avx512f") with host
// defaults from DetectHost, and the canonical text form.
#include "kiln/codegen/target.h"

#include <algorithm>
#include <sstream>

#include "kiln/codegen/host.h"
#include "kiln/codegen/target_options.h"
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

void SetTriple(Target& t, const std::string&, const std::string& value) { t.triple = value; }
void SetCpu(Target& t, const std::string&, const std::string& value) { t.cpu = value; }
void SetFastMath(Target& t, const std::string&, const std::string&) { t.fast_math = true; }
void SetArch(Target& t, const std::string&, const std::string& value) { t.arch = value; }

void SetFeatures(Target& t, const std::string& text, const std::string& value) {
  for (const std::string& f : SplitCommas(value)) {
    KILN_CHECK(f.size() > 1 && (f[0] == '+' || f[0] == '-'))
        << "target '" << text << "': feature '" << f << "' must start with + or -";
    t.features.push_back(f);
  }
}

void SetOptLevel(Target& t, const std::string& text, const std::string& value) {
  KILN_CHECK(value.size() == 1 && value[0] >= '0' && value[0] <= '3')
      << "target '" << text << "': -opt-level must be 0, 1, 2 or 3, got '" << value << "'";
  t.opt_level = value[0] - '0';
}

// Applies option `name` of `t.kind` from the table; unknown options raise,
// listing the kind's options.
void ParseOption(Target& t, const std::string& text, const std::string& name, const std::string& value) {
  std::string known;
  for (const TargetOptionInfo& o : ListTargetOptions()) {
    if (o.kind != t.kind) continue;
    if (o.name == name) {
      KILN_CHECK(!o.takes_value || !value.empty()) << "target '" << text << "': option " << name << " needs a value";
      KILN_CHECK(o.takes_value || value.empty())
          << "target '" << text << "': option " << name << " takes no value, got '" << value << "'";
      o.apply(t, text, value);
      return;
    }
    known += (known.empty() ? "" : ", ") + o.name;
  }
  KILN_CHECK(!known.empty()) << "target '" << text << "': unknown option '" << name << "' (target " << t.kind
                             << " takes no options)";
  KILN_THROW() << "target '" << text << "': unknown option '" << name << "' for " << t.kind << " (known: " << known
               << ")";
}

}  // namespace

const std::vector<std::string>& TargetKinds() {
  static const std::vector<std::string> kinds = {"llvm", "c", "cuda"};
  return kinds;
}

const std::vector<TargetOptionInfo>& ListTargetOptions() {
  static const std::vector<TargetOptionInfo> options = {
      {"llvm", "-mtriple", "string", "the host's triple", "the LLVM target triple code is generated for", true,
       SetTriple},
      {"llvm", "-mcpu", "string", "the host's CPU on the host triple, else generic",
       "the CPU to tune and select instructions for (e.g. znver4)", true, SetCpu},
      {"llvm", "-mattr", "comma-separated +feature/-feature", "none beyond the CPU's (the host's detected ones for "
       "the host CPU)", "CPU features added or removed (e.g. +avx512f,-avx2)", true, SetFeatures},
      {"llvm", "-fast-math", "flag", "off", "lets LLVM reassociate floating point and assume no NaNs or infinities",
       false, SetFastMath},
      {"llvm", "-opt-level", "int 0..3", "3", "LLVM's optimization level for the generated code", true,
       SetOptLevel},
      {"cuda", "-arch", "string (sm_XX)", "sm_80", "the GPU architecture NVPTX code is generated for", true,
       SetArch},
  };
  return options;
}

Target Target::Parse(const std::string& text) {
  std::vector<std::string> words = SplitWords(text);
  KILN_CHECK(!words.empty()) << "empty target string (expected llvm, c or cuda)";
  Target t;
  t.kind = words[0];
  const std::vector<std::string>& kinds = TargetKinds();
  KILN_CHECK(std::find(kinds.begin(), kinds.end(), t.kind) != kinds.end())
      << "target '" << text << "': unknown kind '" << t.kind << "' (expected llvm, c or cuda)";
  for (size_t i = 1; i < words.size(); ++i) {
    auto [name, value] = SplitOption(text, words[i]);
    ParseOption(t, text, name, value);
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
