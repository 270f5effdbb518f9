// CallTIRRewrite: call_tir and call_dps_packed become explicit output
// allocations and a kernel call (single and tuple outputs, tir_vars),
// dataflow blocks become one ordinary block, call_tir_inplace stays, and an
// output of unknown shape is an error naming the function and kernel.
#include "kiln/transform/call_tir_rewrite.h"

#include "common/test_util.h"
#include "kiln/relax/printer.h"
#include "kiln/text/parser.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

const char* kKernel = R"(
  prim @k(A: Buffer((1,), float32), B: Buffer((1,), float32)) {
    B[0] = A[0]
  }
)";

ir::IRModule Module(const std::string& funcs) {
  return text::Parse(std::string("module {\n") + kKernel + funcs + "}");
}

void ExpectRewritten(const std::string& before_text, const std::string& expected_text) {
  ir::IRModule before = Module(before_text), expected = Module(expected_text);
  ir::IRModule after = CallTIRRewrite()(before);
  ExpectRewrite(before, after, expected);
  ir::IRModule again = CallTIRRewrite()(after);
  EXPECT_FALSE(relax::FindMismatch(again, expected)) << "a second run changes nothing:\n" << relax::ToText(again);
}

TEST(CallTIRRewrite, AllocatesOutputsAndCallsTheKernel) {
  ExpectRewritten(R"(
  func @main(x: Tensor((n, 4), float32)) -> Tuple(Tensor((n, 4), float32), Tensor((2,), float32)) {
    with dataflow {
      a = call_tir(@k, (x,), sinfo_args=[Tensor((n, 4), float32)])
      b = call_tir(@k, (a, x), shape(n), sinfo_args=[Tuple(Tensor((n, 4), float32), Tensor((2,), int32))])
      output c = b[0]
      output d = call_dps_packed(extern("my.kernel"), (c,), sinfo_args=[Tensor((2,), float32)])
    }
    t = (c, d)
    return t
  }
)",
                  R"(
  func @main(x: Tensor((n, 4), float32)) -> Tuple(Tensor((n, 4), float32), Tensor((2,), float32)) {
    a = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k0: Object = @k(x, a)
    b0 = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    b1 = relax.builtin.alloc_tensor(shape(2), dtype=int32)
    k1: Object = @k(a, x, b0, b1, prim(n))
    b = (b0, b1)
    c = b[0]
    d = relax.builtin.alloc_tensor(shape(2), dtype=float32)
    k2: Object = extern("my.kernel")(c, d)
    t = (c, d)
    return t
  }
)");
}

TEST(CallTIRRewrite, LeavesOtherCallsAndInplaceCalls) {
  ExpectRewritten(R"(
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    with dataflow {
      a = call_tir_inplace(@k, (x,), sinfo_args=[Tensor((4,), float32)], inplace_indices=[0])
      output b = call_tir(@k, (a,), sinfo_args=[Tensor((4,), float32)])
    }
    return b
  }
)",
                  R"(
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    a = call_tir_inplace(@k, (x,), sinfo_args=[Tensor((4,), float32)], inplace_indices=[0])
    b = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k0: Object = @k(a, b)
    return b
  }
)");
}

TEST(CallTIRRewrite, UnknownOutputShapeIsAnError) {
  ir::IRModule mod = Module(R"(
  func @main(x: Tensor(float32, ndim=1)) -> Tensor(float32, ndim=1) {
    a = call_tir(@k, (x,), sinfo_args=[Tensor(float32, ndim=1)])
    return a
  }
)");
  EXPECT_KILN_ERROR(CallTIRRewrite()(mod), "CallTIRRewrite: function 'main': output 0 of relax.call_tir of 'k'");
}

}  // namespace
}  // namespace kiln::transform
