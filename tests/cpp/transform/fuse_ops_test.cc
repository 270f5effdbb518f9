// FuseOps: modules before and expected, compared structurally: epilogues of
// an out-ewise-fusable op, refused merges that would make a cycle, a group
// with two outputs, a symbolic dimension passed in a Shape parameter. The
// kernels' bodies do not matter to FuseOps; their "op_pattern" does.
#include "kiln/transform/fuse_ops.h"

#include "kiln/text/parser.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

// Kernels by kind: 0 elementwise, 1 broadcast, 2 injective, 4 out-ewise-fusable, 5 opaque.
constexpr const char* kKernels = R"(  prim @exp(A0: Buffer((n, 4), float32), B: Buffer((n, 4), float32)) {
    attrs {"op_pattern": 0}
    B[0, 0] = A0[0, 0]
  }

  prim @add(A0: Buffer((n, 4), float32), A1: Buffer((n, 4), float32), B: Buffer((n, 4), float32)) {
    attrs {"op_pattern": 1}
    B[0, 0] = A0[0, 0]
  }

  prim @relu(A0: Buffer((n, 4), float32), B: Buffer((n, 4), float32)) {
    attrs {"op_pattern": 0}
    B[0, 0] = A0[0, 0]
  }

  prim @matmul(A0: Buffer((n, 4), float32), A1: Buffer((4, 4), float32), B: Buffer((n, 4), float32)) {
    attrs {"op_pattern": 4}
    B[0, 0] = A0[0, 0]
  }

  prim @opaque(A0: Buffer((n, 4), float32), B: Buffer((n, 4), float32)) {
    attrs {"op_pattern": 5}
    B[0, 0] = A0[0, 0]
  }

  prim @take(A0: Buffer((n, 4), float32), B: Buffer((m, 4), float32), m: int64) {
    attrs {"op_pattern": 2}
    B[0, 0] = A0[0, 0]
  }
)";

// `functions`, the kernels, then `added` (new functions come last).
IRModule ModuleOf(const std::string& functions, const std::string& added = "") {
  return Parse("module {" + functions + kKernels + added + "}");
}

void ExpectFused(const std::string& before, const std::string& expected_main, const std::string& expected_fused) {
  IRModule in = ModuleOf(before);
  ExpectRewrite(in, FuseOps()(in), ModuleOf(expected_main, expected_fused));
}

// exp cannot join the matmul from in front; the matmul takes its epilogue
// (add of a parameter, relu); n stays symbolic through the fused function.
constexpr const char* kEpilogueBefore = R"(
  func @main(x: Tensor((n, 4), float32), w: Tensor((4, 4), float32)) -> Tensor((n, 4), float32) {
    with dataflow {
      lv: Tensor((n, 4), float32) = call_tir(@exp, (x,), sinfo_args=[Tensor((n, 4), float32)])
      lv1: Tensor((n, 4), float32) = call_tir(@matmul, (lv, w), sinfo_args=[Tensor((n, 4), float32)])
      lv2: Tensor((n, 4), float32) = call_tir(@add, (lv1, x), sinfo_args=[Tensor((n, 4), float32)])
      output gv: Tensor((n, 4), float32) = call_tir(@relu, (lv2,), sinfo_args=[Tensor((n, 4), float32)])
    }
    return gv
  }
)";
constexpr const char* kEpilogueMain = R"(
  func @main(x: Tensor((n, 4), float32), w: Tensor((4, 4), float32)) -> Tensor((n, 4), float32) {
    with dataflow {
      lv: Tensor((n, 4), float32) = call_tir(@exp, (x,), sinfo_args=[Tensor((n, 4), float32)])
      output gv: Tensor((n, 4), float32) = @fused_matmul_add_relu(lv, w, x)
    }
    return gv
  }
)";
constexpr const char* kEpilogueFused = R"(
  func @fused_matmul_add_relu(lv: Tensor((n, 4), float32), w: Tensor((4, 4), float32), x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    attrs {"Primitive": 1}
    with dataflow {
      lv1: Tensor((n, 4), float32) = call_tir(@matmul, (lv, w), sinfo_args=[Tensor((n, 4), float32)])
      lv2: Tensor((n, 4), float32) = call_tir(@add, (lv1, x), sinfo_args=[Tensor((n, 4), float32)])
      output gv: Tensor((n, 4), float32) = call_tir(@relu, (lv2,), sinfo_args=[Tensor((n, 4), float32)])
    }
    return gv
  }
)";

TEST(FuseOps, EpilogueOfOutEWiseFusable) { ExpectFused(kEpilogueBefore, kEpilogueMain, kEpilogueFused); }

// add(lv, lv1) cannot join exp: lv1 = opaque(lv) lies between them. add
// and relu fuse; lv2 is read outside (by the second opaque), so the function
// returns both as a tuple. The last add cannot join them either: lv4 lies
// between.
constexpr const char* kCycleBefore = R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    with dataflow {
      lv: Tensor((n, 4), float32) = call_tir(@exp, (x,), sinfo_args=[Tensor((n, 4), float32)])
      lv1: Tensor((n, 4), float32) = call_tir(@opaque, (lv,), sinfo_args=[Tensor((n, 4), float32)])
      lv2: Tensor((n, 4), float32) = call_tir(@add, (lv, lv1), sinfo_args=[Tensor((n, 4), float32)])
      lv3: Tensor((n, 4), float32) = call_tir(@relu, (lv2,), sinfo_args=[Tensor((n, 4), float32)])
      lv4: Tensor((n, 4), float32) = call_tir(@opaque, (lv2,), sinfo_args=[Tensor((n, 4), float32)])
      output gv: Tensor((n, 4), float32) = call_tir(@add, (lv3, lv4), sinfo_args=[Tensor((n, 4), float32)])
    }
    return gv
  }
)";
constexpr const char* kCycleMain = R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    with dataflow {
      lv: Tensor((n, 4), float32) = call_tir(@exp, (x,), sinfo_args=[Tensor((n, 4), float32)])
      lv1: Tensor((n, 4), float32) = call_tir(@opaque, (lv,), sinfo_args=[Tensor((n, 4), float32)])
      t: Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) = @fused_add_relu(lv, lv1)
      lv2: Tensor((n, 4), float32) = t[0]
      lv3: Tensor((n, 4), float32) = t[1]
      lv4: Tensor((n, 4), float32) = call_tir(@opaque, (lv2,), sinfo_args=[Tensor((n, 4), float32)])
      output gv: Tensor((n, 4), float32) = call_tir(@add, (lv3, lv4), sinfo_args=[Tensor((n, 4), float32)])
    }
    return gv
  }
)";
constexpr const char* kCycleFused = R"(
  func @fused_add_relu(a: Tensor((n, 4), float32), b: Tensor((n, 4), float32)) -> Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) {
    attrs {"Primitive": 1}
    with dataflow {
      output c: Tensor((n, 4), float32) = call_tir(@add, (a, b), sinfo_args=[Tensor((n, 4), float32)])
      output d: Tensor((n, 4), float32) = call_tir(@relu, (c,), sinfo_args=[Tensor((n, 4), float32)])
    }
    return (c, d)
  }
)";

TEST(FuseOps, CycleRefusedAndTwoOutputs) { ExpectFused(kCycleBefore, kCycleMain, kCycleFused); }

// m is defined by no input shape: the function takes it in a Shape
// parameter, and take's tir_vars use it.
constexpr const char* kShapeBefore = R"(
  func @main(x: Tensor((n, 4), float32), s: Shape((m,))) -> Tensor((m, 4), float32) {
    with dataflow {
      lv: Tensor((m, 4), float32) = call_tir(@take, (x,), shape(m), sinfo_args=[Tensor((m, 4), float32)])
      output gv: Tensor((m, 4), float32) = call_tir(@relu, (lv,), sinfo_args=[Tensor((m, 4), float32)])
    }
    return gv
  }
)";
constexpr const char* kShapeMain = R"(
  func @main(x: Tensor((n, 4), float32), s: Shape((m,))) -> Tensor((m, 4), float32) {
    with dataflow {
      output gv: Tensor((m, 4), float32) = @fused_take_relu(x, shape(m))
    }
    return gv
  }
)";
constexpr const char* kShapeFused = R"(
  func @fused_take_relu(x: Tensor((n, 4), float32), dims: Shape((m,))) -> Tensor((m, 4), float32) {
    attrs {"Primitive": 1}
    with dataflow {
      lv: Tensor((m, 4), float32) = call_tir(@take, (x,), shape(m), sinfo_args=[Tensor((m, 4), float32)])
      output gv: Tensor((m, 4), float32) = call_tir(@relu, (lv,), sinfo_args=[Tensor((m, 4), float32)])
    }
    return gv
  }
)";

TEST(FuseOps, SymbolicDimensionInShapeParameter) { ExpectFused(kShapeBefore, kShapeMain, kShapeFused); }

// Opaque kernels and bindings outside dataflow blocks stay as they are.
TEST(FuseOps, NothingToFuse) {
  IRModule in = ModuleOf(R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    lv: Tensor((n, 4), float32) = call_tir(@exp, (x,), sinfo_args=[Tensor((n, 4), float32)])
    gv: Tensor((n, 4), float32) = call_tir(@relu, (lv,), sinfo_args=[Tensor((n, 4), float32)])
    with dataflow {
      lv1: Tensor((n, 4), float32) = call_tir(@opaque, (gv,), sinfo_args=[Tensor((n, 4), float32)])
      output gv1: Tensor((n, 4), float32) = call_tir(@opaque, (lv1,), sinfo_args=[Tensor((n, 4), float32)])
    }
    return gv1
  }
)");
  std::optional<std::string> mismatch = relax::FindMismatch(FuseOps()(in), in);
  EXPECT_FALSE(mismatch.has_value()) << mismatch.value_or("");
}

}  // namespace
}  // namespace kiln::transform
