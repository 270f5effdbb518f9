// AnnotateTIROpPattern: the kind read from each legalized op family's blocks,
// checked against the op registry's where the two should agree, plus
// hand-written functions (opaque, or keeping the kind they declare).
#include "kiln/transform/annotate_tir_op_pattern.h"

#include "kiln/tir/analysis/op_pattern.h"
#include "kiln/text/parser.h"
#include "kiln/transform/legalize_ops.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using relax::OpPattern;

// The one PrimFunc that legalizing `call` makes, annotated.
tir::PrimFunc AnnotatedKernel(const std::string& call) {
  std::string text = R"(module {
  func @main(x: Tensor((16, 32), float32), v: Tensor((32,), float32), w: Tensor((32, 8), float32),
             w2: Tensor((32, 32), float32), idx: Tensor((4,), int64), img: Tensor((1, 4, 8, 8), float32),
             k: Tensor((4, 4, 3, 3), float32)) -> Tensor {
    with dataflow {
      output gv = )" + call + R"(
    }
    return gv
  }
})";
  IRModule mod = AnnotateTIROpPattern()(LegalizeOps()(Parse(text)));
  for (const auto& [gv, f] : mod.functions()) {
    if (auto prim = f.As<tir::PrimFuncNode>()) return tir::PrimFunc(prim);
  }
  ADD_FAILURE() << "no kernel for " << call;
  return {};
}

OpPattern PatternOf(const tir::PrimFunc& f) {
  return static_cast<OpPattern>(f->attrs.Get<int64_t>(tir::kAttrOpPattern, -1));
}

struct Case {
  const char* call;
  const char* op;      // the op, to compare with the registry
  OpPattern expected;  // what the blocks show
  bool as_registry;    // whether the registry says the same
};

// Where they differ, the blocks know more than the op: add of two same-shape
// tensors is elementwise; softmax and layer_norm are row reductions with
// elementwise stages (the registry calls them out-ewise-fusable); cumsum is a
// reduction the registry keeps opaque; zeros has no inputs at all.
const Case kCases[] = {
    {"exp(x)", "exp", OpPattern::kElementwise, true},
    {"clip(x, min=0.0, max=6.0)", "clip", OpPattern::kElementwise, true},
    {"astype(x, dtype=float16)", "astype", OpPattern::kElementwise, true},
    {"add(x, x)", "add", OpPattern::kElementwise, false},
    {"add(x, v)", "add", OpPattern::kBroadcast, true},
    {"multiply(x, const(2.0, float32))", "multiply", OpPattern::kBroadcast, true},
    {"broadcast_to(v, shape(16, 32))", "broadcast_to", OpPattern::kBroadcast, true},
    {"permute_dims(x, axes=[1, 0])", "permute_dims", OpPattern::kInjective, true},
    {"reshape(x, shape(32, 16))", "reshape", OpPattern::kInjective, true},
    {"take(x, idx, axis=0)", "take", OpPattern::kInjective, true},
    {"strided_slice(x, axes=[1], begin=[2], end=[10])", "strided_slice", OpPattern::kInjective, true},
    {"concat((x, x), axis=0)", "concat", OpPattern::kInjective, true},
    {"tril(x)", "tril", OpPattern::kInjective, true},
    {"sum(x, axis=[1])", "sum", OpPattern::kReduction, true},
    {"mean(x, axis=[1], keepdims=True)", "mean", OpPattern::kReduction, true},
    {"argmax(x, axis=1)", "argmax", OpPattern::kReduction, true},
    {"matmul(x, w)", "matmul", OpPattern::kOutEWiseFusable, true},
    {"linear(x, w2, v)", "linear", OpPattern::kOutEWiseFusable, true},
    {"conv2d(img, k, padding=[1, 1])", "conv2d", OpPattern::kOutEWiseFusable, true},
    {"softmax(x)", "softmax", OpPattern::kReduction, false},
    {"layer_norm(x, v, v)", "layer_norm", OpPattern::kReduction, false},
    {"cumsum(x, axis=1)", "cumsum", OpPattern::kReduction, false},
    {"zeros(shape(4, 4), dtype=float32)", "zeros", OpPattern::kElementwise, false},
};

TEST(AnnotateTIROpPattern, LegalizedOpFamilies) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.call);
    tir::PrimFunc f = AnnotatedKernel(c.call);
    ASSERT_TRUE(f);
    EXPECT_EQ(relax::OpPatternName(PatternOf(f)), std::string(relax::OpPatternName(c.expected)));
    OpPattern registry = relax::GetOp(c.op)->pattern;
    EXPECT_EQ(registry == c.expected, c.as_registry) << "registry says " << relax::OpPatternName(registry);
  }
}

constexpr const char* kHandWritten = R"(module {
  prim @loops(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
    for i in range(8) {
      B[i] = A[i] + 1.0
    }
  }

  prim @declared(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
    attrs {"op_pattern": 2}
    for i in range(8) {
      B[i] = A[i] + 1.0
    }
  }

  prim @scatter(A: Buffer((8,), float32), I: Buffer((8,), int64), B: Buffer((8,), float32)) {
    block "root" {
      for i in range(8) {
        block "scatter" {
          vi = spatial(8, i)
          reads(A[vi], I[vi])
          writes(B[0:+8])
          B[I[vi]] = A[vi]
        }
      }
    }
  }
})";

TEST(AnnotateTIROpPattern, HandWrittenFunctions) {
  IRModule mod = AnnotateTIROpPattern()(Parse(kHandWritten));
  auto prim = [&](const char* name) { return tir::PrimFunc(mod[name].As<tir::PrimFuncNode>()); };
  EXPECT_EQ(PatternOf(prim("loops")), OpPattern::kOpaque);       // code outside blocks
  EXPECT_EQ(PatternOf(prim("declared")), OpPattern::kInjective);  // kept as declared
  EXPECT_EQ(PatternOf(prim("scatter")), OpPattern::kOpaque);      // stores at a loaded index
}

}  // namespace
}  // namespace kiln::transform
