// FuseTIR: relax modules legalized and fused by FuseOps, then merged; the
// merged kernels compared structurally with the expected ones (intermediates
// allocated in the root block, symbolic n shared, a group with two results),
// and errors for Primitive functions it cannot merge.
#include "kiln/transform/fuse_tir.h"

#include "common/test_util.h"
#include "kiln/text/parser.h"
#include "kiln/transform/annotate_tir_op_pattern.h"
#include "kiln/transform/fuse_ops.h"
#include "kiln/transform/legalize_ops.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

void ExpectMerged(const std::string& model, const std::string& expected) {
  IRModule grouped = FuseOps()(AnnotateTIROpPattern()(LegalizeOps()(Parse(model))));
  ExpectRewrite(grouped, FuseTIR()(grouped), Parse(expected, "expected"));
}

// matmul + relu + add: the matmul's and relu's results become buffers of the
// root block; exp stays apart (add's result is kept, so it is no epilogue);
// the Primitive function and the merged kernels are gone.
constexpr const char* kMatmulEpilogue = R"(module {
  func @main(x: Tensor((n, 4), float32), y: Tensor((4,), float32), w: Tensor((4, 4), float32)) -> Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) {
    with dataflow {
      lv: Tensor((n, 4), float32) = matmul(x, w)
      lv1: Tensor((n, 4), float32) = relu(lv)
      output lv2: Tensor((n, 4), float32) = add(lv1, y)
      output gv: Tensor((n, 4), float32) = exp(lv2)
    }
    return (lv2, gv)
  }
})";

constexpr const char* kMatmulEpilogueMerged = R"(module {
  func @main(x: Tensor((n, 4), float32), y: Tensor((4,), float32), w: Tensor((4, 4), float32)) -> Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) {
    with dataflow {
      output lv2: Tensor((n, 4), float32) = call_tir(@fused_matmul_relu_add, (x, w, y), sinfo_args=[Tensor((n, 4), float32)])
      output gv: Tensor((n, 4), float32) = call_tir(@compute_exp, (lv2,), sinfo_args=[Tensor((n, 4), float32)])
    }
    return (lv2, gv)
  }

  prim @compute_exp(A: Buffer((n, 4), float32), compute_exp: Buffer((n, 4), float32)) {
    attrs {"op_pattern": 0}
    block "root" {
      for i0 in range(n) {
        for i1 in range(4) {
          block "compute_exp" {
            v_i0 = spatial(n, i0)
            v_i1 = spatial(4, i1)
            reads(A[v_i0, v_i1])
            writes(compute_exp[v_i0, v_i1])
            compute_exp[v_i0, v_i1] = exp(A[v_i0, v_i1])
          }
        }
      }
    }
  }

  prim @fused_matmul_relu_add(x: Buffer((n, 4), float32), w: Buffer((4, 4), float32), y: Buffer((4,), float32), lv2: Buffer((n, 4), float32)) {
    block "root" {
      alloc_buffer lv: Buffer((n, 4), float32)
      alloc_buffer lv1: Buffer((n, 4), float32)
      for i0 in range(n) {
        for i1 in range(4) {
          for k in range(4) {
            block "matmul" {
              v_i0 = spatial(n, i0)
              v_i1 = spatial(4, i1)
              v_k = reduce(4, k)
              reads(x[v_i0, v_k], w[v_k, v_i1])
              writes(lv[v_i0, v_i1])
              init {
                lv[v_i0, v_i1] = 0.0
              }
              lv[v_i0, v_i1] = lv[v_i0, v_i1] + x[v_i0, v_k] * w[v_k, v_i1]
            }
          }
        }
      }
      for i0_1 in range(n) {
        for i1_1 in range(4) {
          block "relu" {
            v_i0_1 = spatial(n, i0_1)
            v_i1_1 = spatial(4, i1_1)
            reads(lv[v_i0_1, v_i1_1])
            writes(lv1[v_i0_1, v_i1_1])
            lv1[v_i0_1, v_i1_1] = max(lv[v_i0_1, v_i1_1], 0.0)
          }
        }
      }
      for i0_2 in range(n) {
        for i1_2 in range(4) {
          block "add" {
            v_i0_2 = spatial(n, i0_2)
            v_i1_2 = spatial(4, i1_2)
            reads(lv1[v_i0_2, v_i1_2], y[v_i1_2])
            writes(lv2[v_i0_2, v_i1_2])
            lv2[v_i0_2, v_i1_2] = lv1[v_i0_2, v_i1_2] + y[v_i1_2]
          }
        }
      }
    }
  }
})";

TEST(FuseTIR, MatmulWithEpilogue) { ExpectMerged(kMatmulEpilogue, kMatmulEpilogueMerged); }

// Both results of the group are parameters of the kernel; the call returns
// a tuple of them.
constexpr const char* kTwoResults = R"(module {
  func @main(x: Tensor((n, 4), float32), y: Tensor((4,), float32)) -> Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) {
    with dataflow {
      output lv: Tensor((n, 4), float32) = add(x, y)
      output gv: Tensor((n, 4), float32) = exp(lv)
    }
    return (lv, gv)
  }
})";

constexpr const char* kTwoResultsMerged = R"(module {
  func @main(x: Tensor((n, 4), float32), y: Tensor((4,), float32)) -> Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) {
    with dataflow {
      lv_t: Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) = call_tir(@fused_add_compute_exp, (x, y), sinfo_args=[Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32))])
      output lv: Tensor((n, 4), float32) = lv_t[0]
      output gv: Tensor((n, 4), float32) = lv_t[1]
    }
    return (lv, gv)
  }

  prim @fused_add_compute_exp(x: Buffer((n, 4), float32), y: Buffer((4,), float32), lv: Buffer((n, 4), float32), gv: Buffer((n, 4), float32)) {
    block "root" {
      for i0 in range(n) {
        for i1 in range(4) {
          block "add" {
            v_i0 = spatial(n, i0)
            v_i1 = spatial(4, i1)
            reads(x[v_i0, v_i1], y[v_i1])
            writes(lv[v_i0, v_i1])
            lv[v_i0, v_i1] = x[v_i0, v_i1] + y[v_i1]
          }
        }
      }
      for i0_1 in range(n) {
        for i1_1 in range(4) {
          block "compute_exp" {
            v_i0_1 = spatial(n, i0_1)
            v_i1_1 = spatial(4, i1_1)
            reads(lv[v_i0_1, v_i1_1])
            writes(gv[v_i0_1, v_i1_1])
            gv[v_i0_1, v_i1_1] = exp(lv[v_i0_1, v_i1_1])
          }
        }
      }
    }
  }
})";

TEST(FuseTIR, TwoResults) { ExpectMerged(kTwoResults, kTwoResultsMerged); }

TEST(FuseTIR, RefusesOtherBindings) {
  IRModule mod = Parse(R"(module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    with dataflow {
      output gv: Tensor((4,), float32) = @fused(x)
    }
    return gv
  }

  func @fused(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    attrs {"Primitive": 1}
    with dataflow {
      output gv: Tensor((4,), float32) = relu(x)
    }
    return gv
  }
})");
  EXPECT_KILN_ERROR(FuseTIR()(mod), "FuseTIR: function 'fused': binding 'gv' is not a call_tir with a tensor result");
}

}  // namespace
}  // namespace kiln::transform
