// Helpers for the schedule tests: the kernels tests share (written with te,
// or as text), reading programs written as text, and the checks every
// primitive test makes: the scheduled program is the expected one, it
// computes what the original computes (both built with LLVM and run on the
// same random inputs), and the trace replays on a fresh schedule to the same
// program (structurally equal), also after a round trip through its text.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/test_util.h"
#include "kiln/codegen/build.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/text/parser.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/schedule/schedule.h"
#include "kiln/tir/structural_equal.h"
#include "kiln/tir/te.h"

namespace kiln::tir::testing {

using runtime::Device;
using runtime::NDArray;

// The factor of a split that the others determine.
inline const SplitFactor kInfer = std::monostate{};

// ---- Kernels -------------------------------------------------------------------

// C[i, j] = sum_k A[i, k] * B[k, j], float32.
inline PrimFunc Matmul(int64_t m, int64_t n, int64_t k) {
  te::Tensor a = te::placeholder({m, k}, DataType::Float(32), "A");
  te::Tensor b = te::placeholder({k, n}, DataType::Float(32), "B");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {m, n}, [&](Var i, Var j) { return te::sum(a(i, r.var) * b(r.var, j), {r}); }, "C");
  return te::create_prim_func({a, b}, {c});
}

// C = A @ B (block "C"), D = max(C + bias, 0) (block "D").
inline PrimFunc MatmulBiasRelu(int64_t m, int64_t n, int64_t k) {
  te::Tensor a = te::placeholder({m, k}, DataType::Float(32), "A");
  te::Tensor b = te::placeholder({k, n}, DataType::Float(32), "B");
  te::Tensor bias = te::placeholder({n}, DataType::Float(32), "bias");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {m, n}, [&](Var i, Var j) { return te::sum(a(i, r.var) * b(r.var, j), {r}); }, "C");
  te::Tensor d = te::compute(
      {m, n}, [&](Var i, Var j) { return max(c(i, j) + bias(j), PrimExpr(0.0)); }, "D");
  return te::create_prim_func({a, b, bias}, {d});
}

// A2 = A * 2 (block "A2", 8 x 12), then C = A2 @ B (block "C", 8 x 4): an
// elementwise producer read by a reduction.
inline PrimFunc DoubledInputMatmul() {
  te::Tensor a = te::placeholder({8, 12}, DataType::Float(32), "A");
  te::Tensor b = te::placeholder({12, 4}, DataType::Float(32), "B");
  te::Tensor a2 = te::compute(
      {8, 12}, [&](Var i, Var k) { return a(i, k) * 2.0; }, "A2");
  te::ReduceAxis r = te::reduce_axis({0, 12}, "k");
  te::Tensor c = te::compute(
      {8, 4}, [&](Var i, Var j) { return te::sum(a2(i, r.var) * b(r.var, j), {r}); }, "C");
  return te::create_prim_func({a, b}, {c});
}

// B = A * 2 (block "B"), C = B + 1 (block "C"): a producer and a consumer.
inline PrimFunc ElementwiseChain(PrimExpr m, PrimExpr n) {
  te::Tensor a = te::placeholder({m, n}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {m, n}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {m, n}, [&](Var i, Var j) { return b(i, j) + 1.0; }, "C");
  return te::create_prim_func({a}, {c});
}

// B[i] = reduce_k A[i, k] (block "B"): `kind` "max", "min", "prod", "sum",
// or "plus_one" for sum_k (A[i, k] + 1).
inline PrimFunc RowReduce(PrimExpr m, PrimExpr n, const std::string& kind) {
  te::Tensor a = te::placeholder({m, n}, DataType::Float(32), "A");
  te::ReduceAxis r = te::reduce_axis({0, n}, "k");
  te::Tensor b = te::compute(
      {m},
      [&](Var i) {
        PrimExpr x = a(i, r.var);
        if (kind == "max") return te::max(x, {r});
        if (kind == "min") return te::min(x, {r});
        if (kind == "prod") return te::prod(x, {r});
        if (kind == "plus_one") return te::sum(x + 1.0, {r});
        return te::sum(x, {r});
      },
      "B");
  return te::create_prim_func({a}, {b});
}

// Matmul(m, n, k) on a schedule with i split by 4 and j by `width`, loops
// i0, j0, k, i1, j1 (returned in `loops`, in that order).
inline Schedule TiledMatmul(const PrimFunc& f, std::vector<LoopRV>* loops, int64_t width = 16) {
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> i = sch.Split(l[0], {kInfer, int64_t{4}});
  std::vector<LoopRV> j = sch.Split(l[1], {kInfer, width});
  sch.Reorder({i[0], j[0], l[2], i[1], j[1]});
  *loops = {i[0], j[0], l[2], i[1], j[1]};
  return sch;
}

// ---- Programs written as text --------------------------------------------------

// A module written as text: a whole module, or its functions alone.
inline ir::IRModule ParseModule(const std::string& text) {
  size_t start = text.find_first_not_of(" \n");
  bool whole = start != std::string::npos && text.compare(start, 6, "module") == 0;
  return Parse(whole ? text : "module {\n" + text + "\n}\n");
}

// The PrimFunc `name` of `mod`.
inline PrimFunc FuncOf(const ir::IRModule& mod, const std::string& name) {
  return PrimFunc(mod[name].As<PrimFuncNode>());
}

// The function "main" of a module written as text (see ParseModule).
inline PrimFunc ParseMain(const std::string& text) {
  return FuncOf(ParseModule(text), "main");
}

// B[i] = A[i] (block "B", 8 elements), and a block "ext" that passes the data
// pointer of buffer `data_of` ("A" or "B") to an extern function: a buffer
// reached other than through its loads and stores.
inline PrimFunc ExternUseOf(const std::string& data_of) {
  return ParseMain(R"(
prim @main(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
  block "root" {
    for i in range(8) {
      block "B" {
        v = spatial(8, i)
        reads(A[v])
        writes(B[v])
        B[v] = A[v]
      }
    }
    block "ext" {
      call("call_extern", "consume", )" +
                   data_of + R"(.data, dtype=int32)
    }
  }
})");
}

// The statements of DataflowProgram's root block that tests of moving and
// inlining blocks share (4 elements): block "B" writes T = A * 2 under loop
// i, block "C" reads it, C = T + 1, under loop j.
inline constexpr const char* kProducerB = R"(
    for i in range(4) {
      block "B" {
        v = spatial(4, i)
        reads(A[v])
        writes(T[v])
        T[v] = A[v] * 2.0
      }
    })";
inline constexpr const char* kConsumerC = R"(
    for j in range(4) {
      block "C" {
        v = spatial(4, j)
        reads(T[v])
        writes(C[v])
        C[v] = T[v] + 1.0
      }
    })";

// The text of main(A, C, <params>) (A and C of 4 float32 elements) whose root
// block allocates T (the same) and runs `stmts`, in order.
inline std::string DataflowProgram(const std::vector<std::string>& stmts, const std::string& params = "") {
  std::string text = "prim @main(A: Buffer((4,), float32), C: Buffer((4,), float32)" +
                     (params.empty() ? "" : ", " + params) +
                     ") {\n  block \"root\" {\n    alloc_buffer T: Buffer((4,), float32)";
  for (const std::string& s : stmts) text += s;
  return text + "\n  }\n}\n";
}

// ---- Checks ------------------------------------------------------------------------

// The function's buffer arguments filled with random values (floats in
// [-1, 1], ints in [-8, 8]); symbolic dimensions take values from `dims` by
// variable name.
inline std::vector<NDArray> RandomArgs(const PrimFunc& f, uint64_t seed,
                                       const std::map<std::string, int64_t>& dims = {}) {
  std::mt19937_64 rng(seed);
  std::vector<NDArray> out;
  for (const auto& [param, buffer] : f->buffer_map) {
    std::vector<int64_t> shape;
    for (const PrimExpr& d : buffer->shape) {
      if (auto c = ConstIntValue(d)) {
        shape.push_back(*c);
      } else {
        const VarNode* v = d.as<VarNode>();
        EXPECT_TRUE(v && dims.count(v->name)) << "no size for dimension " << ToText(d);
        shape.push_back(v && dims.count(v->name) ? dims.at(v->name) : 1);
      }
    }
    NDArray a = NDArray::Empty(shape, buffer->dtype, Device::CPU());
    int64_t count = 1;
    for (int64_t s : shape) count *= s;
    if (buffer->dtype == DataType::Float(32)) {
      std::uniform_real_distribution<float> d(-1, 1);
      for (int64_t i = 0; i < count; ++i) static_cast<float*>(a.data())[i] = d(rng);
    } else if (buffer->dtype == DataType::Int(32)) {
      std::uniform_int_distribution<int32_t> d(-8, 8);
      for (int64_t i = 0; i < count; ++i) static_cast<int32_t*>(a.data())[i] = d(rng);
    } else {
      std::memset(a.data(), 0, count * buffer->dtype.bytes());
    }
    out.push_back(a);
  }
  return out;
}

// `f` built with LLVM as the function "main" of a module.
inline runtime::Module BuildFunc(const PrimFunc& f) {
  return codegen::Build(ir::IRModule({{ir::MakeGlobalVar("main"), f}}), "llvm");
}

// Runs `reference` and `scheduled` on the same random inputs and expects
// every buffer argument to match (float32 within rtol).
inline void ExpectSameResult(const PrimFunc& reference, const PrimFunc& scheduled,
                             const std::map<std::string, int64_t>& dims = {}, double rtol = 1e-5) {
  std::vector<NDArray> want = RandomArgs(reference, 7, dims), got = RandomArgs(scheduled, 7, dims);
  runtime::Module mr = BuildFunc(reference), ms = BuildFunc(scheduled);
  auto call = [](runtime::Module& m, std::vector<NDArray>& args) {
    std::vector<runtime::Any> a(args.begin(), args.end());
    m.GetFunction("main").CallPacked(a.data(), static_cast<int>(a.size()));
  };
  call(mr, want);
  call(ms, got);
  ASSERT_EQ(want.size(), got.size());
  for (size_t b = 0; b < want.size(); ++b) {
    int64_t count = 1;
    for (int64_t s : want[b].shape()) count *= s;
    if (want[b].dtype() == DataType::Float(32)) {
      const float* w = static_cast<const float*>(want[b].data());
      const float* g = static_cast<const float*>(got[b].data());
      for (int64_t i = 0; i < count; ++i) {
        ASSERT_NEAR(g[i], w[i], rtol * (1 + std::fabs(w[i]))) << "buffer " << b << " element " << i;
      }
    } else {
      ASSERT_EQ(std::memcmp(want[b].data(), got[b].data(), count * want[b].dtype().bytes()), 0) << "buffer " << b;
    }
  }
}

// The trace of `sch` replayed on a fresh schedule of `original` (directly,
// and after printing and parsing) gives a structurally equal module.
inline void ExpectTraceReplays(const PrimFunc& original, const Schedule& sch) {
  Schedule direct(original);
  sch.trace().ApplyTo(direct);
  EXPECT_TRUE(relax::StructuralEqual(direct.mod(), sch.mod())) << sch.trace().ToText();
  Schedule parsed(original);
  Trace::FromText(sch.trace().ToText()).ApplyTo(parsed);
  EXPECT_TRUE(relax::StructuralEqual(parsed.mod(), sch.mod())) << sch.trace().ToText();
  EXPECT_EQ(parsed.trace().ToText(), sch.trace().ToText());
}

// The function "main" of the scheduled module.
inline PrimFunc MainOf(const Schedule& sch) {
  return PrimFunc(sch.mod()["main"].As<PrimFuncNode>());
}

// The scheduled "main" is structurally equal to the program written as
// `expected` (see ParseMain); else the first difference and the program.
inline void ExpectProgram(const Schedule& sch, const std::string& expected) {
  std::optional<std::string> diff = FindMismatch(MainOf(sch), ParseMain(expected));
  EXPECT_FALSE(diff) << *diff << "\n" << ToText(MainOf(sch), "main");
}

// ExpectSameResult (within rtol 1e-4 by default: schedules that reorder a
// reduction round differently) and ExpectTraceReplays for `sch`'s "main".
inline void ExpectScheduled(const PrimFunc& f, const Schedule& sch, const std::map<std::string, int64_t>& dims = {},
                            double rtol = 1e-4) {
  ExpectSameResult(f, MainOf(sch), dims, rtol);
  ExpectTraceReplays(f, sch);
}

}  // namespace kiln::tir::testing
