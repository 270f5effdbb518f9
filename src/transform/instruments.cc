// The standard pass instruments: per-pass timing, IR dumps after each pass,
// and well-formedness checks after each pass.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "kiln/relax/printer.h"
#include "kiln/relax/well_formed.h"
#include "kiln/transform/pass.h"

namespace kiln::transform {

namespace {

double Now() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

class DumpIRNode : public PassInstrumentNode {
 public:
  KILN_OBJECT_TYPE(DumpIRNode, PassInstrumentNode, "transform.DumpIR")
  explicit DumpIRNode(std::string d) : dir(std::move(d)) {}

  void AfterPass(const IRModule& mod, const PassInfo& info) override {
    char number[16];
    std::snprintf(number, sizeof(number), "%03d_", ++count);
    std::filesystem::path path = std::filesystem::path(dir) / (number + info.name + ".kir");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::ofstream out(path);
    KILN_CHECK(out) << "cannot write the IR dump '" << path.string() << "'";
    out << relax::ToText(mod);
  }

  std::string dir;
  int count = 0;
};

class WellFormedCheckNode : public PassInstrumentNode {
 public:
  KILN_OBJECT_TYPE(WellFormedCheckNode, PassInstrumentNode, "transform.WellFormedCheck")
  void AfterPass(const IRModule& mod, const PassInfo& info) override {
    relax::VerifyWellFormed(mod, "after pass '" + info.name + "'");
  }
};

}  // namespace

void PassTimingNode::BeforePass(const IRModule&, const PassInfo& info) {
  running_.emplace_back(records_.size(), Now());
  records_.push_back({info.name, 0, static_cast<int>(running_.size()) - 1});
}

void PassTimingNode::AfterPass(const IRModule&, const PassInfo& info) {
  KILN_ICHECK(!running_.empty() && records_[running_.back().first].pass == info.name)
      << "pass timing: '" << info.name << "' ended without starting";
  auto [index, start] = running_.back();
  running_.pop_back();
  records_[index].seconds = Now() - start;
}

std::string PassTimingNode::Report() const {
  double total = 0;
  for (const Record& r : records_) total += r.depth == 0 ? r.seconds : 0;
  char line[160];
  std::snprintf(line, sizeof(line), "pass timing: %zu passes, %.3f ms\n", records_.size(), total * 1e3);
  std::string out = line;
  for (const Record& r : records_) {
    std::string name = std::string(2 * r.depth, ' ') + r.pass;
    double share = total > 0 ? 100 * r.seconds / total : 0;
    std::snprintf(line, sizeof(line), "  %-40s %10.3f ms %6.1f%%\n", name.c_str(), r.seconds * 1e3, share);
    out += line;
  }
  return out;
}

PassTiming MakePassTiming() {
  return runtime::MakeObject<PassTimingNode>();
}

PassInstrument MakeDumpIR(std::string dir) {
  KILN_CHECK(!dir.empty()) << "IR dumps need a folder";
  return runtime::MakeObject<DumpIRNode>(std::move(dir));
}

PassInstrument MakeWellFormedCheck() {
  return runtime::MakeObject<WellFormedCheckNode>();
}

}  // namespace kiln::transform
