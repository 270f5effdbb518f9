// Trace replay: one entry per primitive, calling the Schedule method an
// instruction names with its arguments mapped to the replaying schedule.
#include <functional>
#include <map>
#include <optional>

#include "trace_internal.h"

namespace kiln::tir::trace {
namespace {

// The argument `name` of `inst`: by keyword, or the positional first one.
TraceValue Arg(const Instruction& inst, const std::string& name, size_t position, const ReplayMap& m,
               const TraceValue* fallback = nullptr) {
  for (size_t i = 0; i < inst.args.size(); ++i) {
    if (inst.args[i].first == name || (i == position && inst.args[i].first.empty())) return m.Map(inst.args[i].second);
  }
  if (fallback) return *fallback;
  KILN_THROW() << "trace: " << inst.kind << " needs the argument '" << name << "'";
}

std::vector<LoopRV> LoopList(const TraceValue& v, const std::string& what) {
  std::vector<LoopRV> out;
  for (const TraceValue& x : v.AsList(what)) out.push_back(x.AsLoop(what));
  return out;
}

AnnotationValue AnnotationOf(const TraceValue& v) {
  switch (v.kind) {
    case TraceValue::Kind::kInt:
    case TraceValue::Kind::kBool: return v.i;
    case TraceValue::Kind::kFloat: return v.f;
    default: return v.AsString("annotation value");
  }
}

using Apply = std::function<void(Schedule&, const Instruction&, ReplayMap&)>;

// One entry per primitive: how to call it from an instruction.
const std::map<std::string, Apply>& ApplyTable() {
  static const TraceValue kTrue = TraceValue::Bool(true), kFalse = TraceValue::Bool(false),
                          kEmpty = TraceValue::String("");
  static const std::map<std::string, Apply> table = {
      {"get_block",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.GetBlock(Arg(in, "name", 0, m).AsString("name"),
                                                              Arg(in, "func", 1, m, &kEmpty).AsString("func"))});
       }},
      {"get_loops", [](Schedule& s, const Instruction& in,
                       ReplayMap& m) { m.Define(in.outputs, s.GetLoops(Arg(in, "block", 0, m).AsBlock("block"))); }},
      {"get_child_blocks",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         m.Define(in.outputs, x.kind == TraceValue::Kind::kBlock ? s.GetChildBlocks(x.AsBlock("block_or_loop"))
                                                                 : s.GetChildBlocks(x.AsLoop("block_or_loop")));
       }},
      {"get_producers",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, s.GetProducers(Arg(in, "block", 0, m).AsBlock("block")));
       }},
      {"get_consumers",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, s.GetConsumers(Arg(in, "block", 0, m).AsBlock("block")));
       }},
      {"split",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::vector<SplitFactor> factors;
         TraceValue listed = Arg(in, "factors", 1, m);
         for (const TraceValue& f : listed.AsList("factors")) {
           if (f.is_none()) {
             factors.emplace_back(std::monostate{});
           } else if (f.kind == TraceValue::Kind::kExpr) {
             factors.emplace_back(f.AsExpr("factor"));
           } else {
             factors.emplace_back(f.AsInt("factor"));
           }
         }
         m.Define(in.outputs, s.Split(Arg(in, "loop", 0, m).AsLoop("loop"), factors,
                                      Arg(in, "preserve_unit_iters", 2, m, &kTrue).AsBool("preserve_unit_iters")));
       }},
      {"fuse",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<LoopRV>{
                                  s.Fuse(LoopList(Arg(in, "loops", 0, m), "loops"),
                                         Arg(in, "preserve_unit_iters", 1, m, &kTrue).AsBool("preserve_unit_iters"))});
       }},
      {"reorder",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Reorder(LoopList(Arg(in, "loops", 0, m), "loops")); }},
      {"parallel",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Parallel(Arg(in, "loop", 0, m).AsLoop("loop")); }},
      {"vectorize",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Vectorize(Arg(in, "loop", 0, m).AsLoop("loop")); }},
      {"unroll",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Unroll(Arg(in, "loop", 0, m).AsLoop("loop")); }},
      {"bind",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.Bind(Arg(in, "loop", 0, m).AsLoop("loop"), Arg(in, "thread_axis", 1, m).AsString("thread_axis"));
       }},
      {"annotate",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         std::string key = Arg(in, "key", 1, m).AsString("key");
         AnnotationValue value = AnnotationOf(Arg(in, "value", 2, m));
         if (x.kind == TraceValue::Kind::kBlock) {
           s.Annotate(x.AsBlock("block_or_loop"), key, value);
         } else {
           s.Annotate(x.AsLoop("block_or_loop"), key, value);
         }
       }},
      {"unannotate",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         std::string key = Arg(in, "key", 1, m).AsString("key");
         if (x.kind == TraceValue::Kind::kBlock) {
           s.Unannotate(x.AsBlock("block_or_loop"), key);
         } else {
           s.Unannotate(x.AsLoop("block_or_loop"), key);
         }
       }},
      {"cache_read",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs,
                  std::vector<BlockRV>{s.CacheRead(Arg(in, "block", 0, m).AsBlock("block"),
                                                   static_cast<int>(Arg(in, "read_index", 1, m).AsInt("read_index")),
                                                   Arg(in, "scope", 2, m).AsString("scope"))});
       }},
      {"cache_write",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs,
                  std::vector<BlockRV>{s.CacheWrite(Arg(in, "block", 0, m).AsBlock("block"),
                                                    static_cast<int>(Arg(in, "write_index", 1, m).AsInt("write_index")),
                                                    Arg(in, "scope", 2, m).AsString("scope"))});
       }},
      {"set_scope",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.SetScope(Arg(in, "block", 0, m).AsBlock("block"),
                    static_cast<int>(Arg(in, "write_index", 1, m).AsInt("write_index")),
                    Arg(in, "scope", 2, m).AsString("scope"));
       }},
      {"storage_align",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.StorageAlign(Arg(in, "block", 0, m).AsBlock("block"),
                        static_cast<int>(Arg(in, "write_index", 1, m).AsInt("write_index")),
                        static_cast<int>(Arg(in, "axis", 2, m).AsInt("axis")),
                        static_cast<int>(Arg(in, "factor", 3, m).AsInt("factor")),
                        static_cast<int>(Arg(in, "offset", 4, m).AsInt("offset")));
       }},
      {"transform_layout",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.TransformLayout(Arg(in, "block", 0, m).AsBlock("block"),
                           static_cast<int>(Arg(in, "buffer_index", 1, m).AsInt("buffer_index")),
                           Arg(in, "is_write", 2, m).AsBool("is_write"),
                           IndexMap::FromText(Arg(in, "index_map", 3, m).AsString("index_map")));
       }},
      {"compute_at",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.ComputeAt(Arg(in, "block", 0, m).AsBlock("block"), Arg(in, "loop", 1, m).AsLoop("loop"),
                     Arg(in, "preserve_unit_loops", 2, m, &kFalse).AsBool("preserve_unit_loops"));
       }},
      {"reverse_compute_at",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.ReverseComputeAt(Arg(in, "block", 0, m).AsBlock("block"), Arg(in, "loop", 1, m).AsLoop("loop"),
                            Arg(in, "preserve_unit_loops", 2, m, &kFalse).AsBool("preserve_unit_loops"));
       }},
      {"compute_inline", [](Schedule& s, const Instruction& in,
                            ReplayMap& m) { s.ComputeInline(Arg(in, "block", 0, m).AsBlock("block")); }},
      {"reverse_compute_inline", [](Schedule& s, const Instruction& in,
                                    ReplayMap& m) { s.ReverseComputeInline(Arg(in, "block", 0, m).AsBlock("block")); }},
      {"decompose_reduction",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.DecomposeReduction(Arg(in, "block", 0, m).AsBlock("block"),
                                                                        Arg(in, "loop", 1, m).AsLoop("loop"))});
       }},
      {"rfactor",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs,
                  std::vector<BlockRV>{s.RFactor(Arg(in, "loop", 0, m).AsLoop("loop"),
                                                 static_cast<int>(Arg(in, "factor_axis", 1, m).AsInt("factor_axis")))});
       }},
      {"pad_einsum",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.PadEinsum(Arg(in, "block", 0, m).AsBlock("block"), Arg(in, "padding", 1, m).AsIntList("padding"));
       }},
      {"blockize",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.Blockize(Arg(in, "loop", 0, m).AsLoop("loop"))});
       }},
      {"tensorize",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         std::string intrin = Arg(in, "intrin", 1, m).AsString("intrin");
         if (x.kind == TraceValue::Kind::kBlock) {
           s.Tensorize(x.AsBlock("block_or_loop"), intrin);
         } else {
           s.Tensorize(x.AsLoop("block_or_loop"), intrin);
         }
       }},
      {"sample_perfect_tile",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::optional<std::vector<int64_t>> decision;
         if (!in.decision.is_none()) decision = in.decision.AsIntList("decision");
         m.Define(in.outputs, s.SamplePerfectTile(
                                  Arg(in, "loop", 0, m).AsLoop("loop"), static_cast<int>(Arg(in, "n", 1, m).AsInt("n")),
                                  Arg(in, "max_innermost_factor", 2, m).AsInt("max_innermost_factor"), decision));
       }},
      {"sample_categorical",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::vector<double> probs;
         TraceValue listed = Arg(in, "probs", 1, m);
         for (const TraceValue& p : listed.AsList("probs")) {
           probs.push_back(p.kind == TraceValue::Kind::kInt ? static_cast<double>(p.i) : p.AsFloat("probs"));
         }
         std::optional<int64_t> decision;
         if (!in.decision.is_none()) decision = in.decision.AsInt("decision");
         m.Define(in.outputs, std::vector<ExprRV>{s.SampleCategorical(
                                  Arg(in, "candidates", 0, m).AsIntList("candidates"), probs, decision)});
       }},
      {"sample_compute_location",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::optional<int64_t> decision;
         if (!in.decision.is_none()) decision = in.decision.AsInt("decision");
         m.Define(in.outputs,
                  std::vector<LoopRV>{s.SampleComputeLocation(Arg(in, "block", 0, m).AsBlock("block"), decision)});
       }},
  };
  return table;
}
}  // namespace

bool Apply(Schedule& sch, const Instruction& inst, ReplayMap& m) {
  auto it = ApplyTable().find(inst.kind);
  if (it == ApplyTable().end()) return false;
  it->second(sch, inst, m);
  return true;
}

std::vector<std::string> PrimitiveNames() {
  std::vector<std::string> out;
  for (const auto& [name, f] : ApplyTable()) out.push_back(name);
  return out;
}

}  // namespace kiln::tir::trace
