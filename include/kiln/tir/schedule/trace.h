// Trace: the record of a schedule, one instruction per primitive call, with
// the decisions of sampling primitives. It prints as Python-like text,
//
//   b0 = sch.get_block("C", func="main")
//   l1, l2, l3 = sch.get_loops(b0)
//   v4, v5 = sch.sample_perfect_tile(l2, n=2, max_innermost_factor=64, decision=[32, 32])
//   l6, l7 = sch.split(l2, factors=[v4, v5])
//   sch.vectorize(l7)
//
// parses back from that text, and replays on a fresh Schedule (the same
// module, or another one with the same block names), reproducing the same
// program: sampling takes its recorded decision. Handles print as b<id>
// (block), l<id> (loop) and v<id> (sampled integer).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::tir {

class Schedule;

// Handles a Schedule gives out; `id` indexes the schedule's table.
struct BlockRV {
  int64_t id = -1;
};
struct LoopRV {
  int64_t id = -1;
};
struct ExprRV {
  int64_t id = -1;
};

// An argument, output or decision of an instruction.
struct TraceValue {
  enum class Kind : uint8_t { kNone, kBool, kInt, kFloat, kString, kBlock, kLoop, kExpr, kList };
  Kind kind = Kind::kNone;
  int64_t i = 0;  // kBool, kInt, and the handle id of kBlock, kLoop, kExpr
  double f = 0;
  std::string s;
  std::vector<TraceValue> list;

  static TraceValue None() { return {}; }
  static TraceValue Bool(bool v) { return {Kind::kBool, v ? 1 : 0, 0, {}, {}}; }
  static TraceValue Int(int64_t v) { return {Kind::kInt, v, 0, {}, {}}; }
  static TraceValue Float(double v) { return {Kind::kFloat, 0, v, {}, {}}; }
  static TraceValue String(std::string v) { return {Kind::kString, 0, 0, std::move(v), {}}; }
  static TraceValue Of(const BlockRV& rv) { return {Kind::kBlock, rv.id, 0, {}, {}}; }
  static TraceValue Of(const LoopRV& rv) { return {Kind::kLoop, rv.id, 0, {}, {}}; }
  static TraceValue Of(const ExprRV& rv) { return {Kind::kExpr, rv.id, 0, {}, {}}; }
  static TraceValue List(std::vector<TraceValue> v) { return {Kind::kList, 0, 0, {}, std::move(v)}; }

  bool is_none() const { return kind == Kind::kNone; }
  // Checked accessors: each raises kiln::Error naming `what` on another kind.
  bool AsBool(const std::string& what) const;
  int64_t AsInt(const std::string& what) const;
  double AsFloat(const std::string& what) const;
  const std::string& AsString(const std::string& what) const;
  BlockRV AsBlock(const std::string& what) const;
  LoopRV AsLoop(const std::string& what) const;
  ExprRV AsExpr(const std::string& what) const;
  const std::vector<TraceValue>& AsList(const std::string& what) const;
  std::vector<int64_t> AsIntList(const std::string& what) const;

  std::string ToText() const;
  bool operator==(const TraceValue& other) const;
};

// One primitive call: `outputs = sch.<kind>(args...)`. The first argument
// prints positionally, the rest as keywords (their names are the Python
// parameter names). `decision` is set for sampling instructions.
struct Instruction {
  std::string kind;
  std::vector<std::pair<std::string, TraceValue>> args;
  std::vector<TraceValue> outputs;
  TraceValue decision;

  const TraceValue& Arg(const std::string& name) const;  // raises when absent
  std::string ToText() const;
};

class Trace {
 public:
  Trace() = default;
  explicit Trace(std::vector<Instruction> insts) : insts_(std::move(insts)) {}

  const std::vector<Instruction>& instructions() const { return insts_; }
  void Append(Instruction inst) { insts_.push_back(std::move(inst)); }
  size_t size() const { return insts_.size(); }

  // One instruction per line.
  std::string ToText() const;
  // The trace printed by ToText; raises kiln::Error with line:column on
  // malformed text or an unknown primitive.
  static Trace FromText(const std::string& text);
  // Runs every instruction on `sch` (usually fresh). Sampling takes the
  // recorded decisions; a primitive that fails raises kiln::Error naming the
  // instruction's line in the trace.
  void ApplyTo(Schedule& sch) const;
  // The same trace with `inst`'s decision replaced (for search).
  Trace WithDecision(size_t inst, TraceValue decision) const;

 private:
  std::vector<Instruction> insts_;
};

}  // namespace kiln::tir
