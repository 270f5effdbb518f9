// LegalizeOps: a module as text in, the expected module as text out,
// compared structurally (broadcasting, shared kernels, symbolic shapes, a
// length passed as a scalar), plus skip_ops, target overrides and errors.
#include "kiln/transform/legalize_ops.h"

#include "common/test_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/text/parser.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

void ExpectLegalized(const std::string& before_text, const std::string& expected_text,
                     const std::string& target_kind = "llvm") {
  ir::IRModule before = text::Parse(before_text, "before");
  ir::IRModule expected = text::Parse(expected_text, "expected");
  ExpectRewrite(before, LegalizeOps(target_kind)(before), expected);
}

// add(x, y) broadcasts y over n rows; the second add of the same shapes
// calls the first one's kernel; n stays symbolic throughout.
constexpr const char* kAddExpAdd = R"(module {
  func @main(x: Tensor((n, 3), float32), y: Tensor((3,), float32)) -> Tensor((n, 3), float32) {
    with dataflow {
      lv: Tensor((n, 3), float32) = add(x, y)
      lv1: Tensor((n, 3), float32) = exp(lv)
      lv2: Tensor((n, 3), float32) = add(lv1, y)
      output gv: Tensor((n, 3), float32) = lv2
    }
    return gv
  }
})";

constexpr const char* kAddExpAddLegalized = R"(module {
  func @main(x: Tensor((n, 3), float32), y: Tensor((3,), float32)) -> Tensor((n, 3), float32) {
    with dataflow {
      lv: Tensor((n, 3), float32) = call_tir(@add, (x, y), sinfo_args=[Tensor((n, 3), float32)])
      lv1: Tensor((n, 3), float32) = call_tir(@compute_exp, (lv,), sinfo_args=[Tensor((n, 3), float32)])
      lv2: Tensor((n, 3), float32) = call_tir(@add, (lv1, y), sinfo_args=[Tensor((n, 3), float32)])
      output gv: Tensor((n, 3), float32) = lv2
    }
    return gv
  }

  prim @add(A: Buffer((n, 3), float32), B: Buffer((3,), float32), out: Buffer((n, 3), float32)) {
    block "root" {
      for i0 in range(n) {
        for i1 in range(3) {
          block "add" {
            v_i0 = spatial(n, i0)
            v_i1 = spatial(3, i1)
            reads(A[v_i0, v_i1], B[v_i1])
            writes(out[v_i0, v_i1])
            out[v_i0, v_i1] = A[v_i0, v_i1] + B[v_i1]
          }
        }
      }
    }
  }

  prim @compute_exp(A: Buffer((n, 3), float32), out: Buffer((n, 3), float32)) {
    block "root" {
      for i0 in range(n) {
        for i1 in range(3) {
          block "compute_exp" {
            v_i0 = spatial(n, i0)
            v_i1 = spatial(3, i1)
            reads(A[v_i0, v_i1])
            writes(out[v_i0, v_i1])
            out[v_i0, v_i1] = exp(A[v_i0, v_i1])
          }
        }
      }
    }
  }
})";

TEST(LegalizeOps, BroadcastSharedKernelsSymbolicShapes) {
  ExpectLegalized(kAddExpAdd, kAddExpAddLegalized);
}

// where(c, a, b): dims of size 1 are read at index 0, a rank-0 b at no index.
TEST(LegalizeOps, WhereBroadcastsThreeInputs) {
  ExpectLegalized(R"(module {
  func @main(c: Tensor((n, 1), bool), a: Tensor((1, 4), float32), b: Tensor((), float32)) -> Tensor((n, 4), float32) {
    with dataflow {
      lv: Tensor((n, 4), float32) = where(c, a, b)
      output gv: Tensor((n, 4), float32) = lv
    }
    return gv
  }
})",
                  R"(module {
  func @main(c: Tensor((n, 1), bool), a: Tensor((1, 4), float32), b: Tensor((), float32)) -> Tensor((n, 4), float32) {
    with dataflow {
      lv: Tensor((n, 4), float32) = call_tir(@where, (c, a, b), sinfo_args=[Tensor((n, 4), float32)])
      output gv: Tensor((n, 4), float32) = lv
    }
    return gv
  }

  prim @where(A: Buffer((n, 1), bool), B: Buffer((1, 4), float32), C: Buffer((), float32), out: Buffer((n, 4), float32)) {
    block "root" {
      for i0 in range(n) {
        for i1 in range(4) {
          block "where" {
            v_i0 = spatial(n, i0)
            v_i1 = spatial(4, i1)
            reads(A[v_i0, 0], B[0, v_i1], C[])
            writes(out[v_i0, v_i1])
            out[v_i0, v_i1] = select(A[v_i0, 0], B[0, v_i1], C[])
          }
        }
      }
    }
  }
})");
}

// arange(0, n, 2) has length (n + 1) // 2, which no buffer dim defines by
// itself: the kernel takes n as a scalar, passed through call_tir's tir_vars.
TEST(LegalizeOps, SymbolicLengthPassedAsScalar) {
  ExpectLegalized(R"(module {
  func @main(x: Tensor((n, 3), float32)) -> Tensor(((n + 1) // 2,), int64) {
    with dataflow {
      lv: Tensor(((n + 1) // 2,), int64) = arange(prim(0), prim(n), prim(2))
      output gv: Tensor(((n + 1) // 2,), int64) = lv
    }
    return gv
  }
})",
                  R"(module {
  func @main(x: Tensor((n, 3), float32)) -> Tensor(((n + 1) // 2,), int64) {
    with dataflow {
      lv: Tensor(((n + 1) // 2,), int64) = call_tir(@arange, (), shape(n), sinfo_args=[Tensor(((n + 1) // 2,), int64)])
      output gv: Tensor(((n + 1) // 2,), int64) = lv
    }
    return gv
  }

  prim @arange(out: Buffer(((n + 1) // 2,), int64), n: SizeVar(int64)) {
    block "root" {
      for i0 in range((n + 1) // 2) {
        block "arange" {
          v_i0 = spatial((n + 1) // 2, i0)
          writes(out[v_i0])
          out[v_i0] = v_i0 * 2
        }
      }
    }
  }
})");
}

TEST(LegalizeOps, SkipOpsLeavesThemAsTheyAre) {
  ir::IRModule before = text::Parse(kAddExpAdd);
  ir::IRModule after;
  {
    PassContextScope scope(PassContext::Create(2, {{"relax.legalize.skip_ops", std::string("relax.exp")}}));
    after = LegalizeOps()(before);
  }
  ir::IRModule expected = text::Parse(R"(module {
  func @main(x: Tensor((n, 3), float32), y: Tensor((3,), float32)) -> Tensor((n, 3), float32) {
    with dataflow {
      lv: Tensor((n, 3), float32) = call_tir(@add, (x, y), sinfo_args=[Tensor((n, 3), float32)])
      lv1: Tensor((n, 3), float32) = exp(lv)
      lv2: Tensor((n, 3), float32) = call_tir(@add, (lv1, y), sinfo_args=[Tensor((n, 3), float32)])
      output gv: Tensor((n, 3), float32) = lv2
    }
    return gv
  }

  prim @add(A: Buffer((n, 3), float32), B: Buffer((3,), float32), out: Buffer((n, 3), float32)) {
    block "root" {
      for i0 in range(n) {
        for i1 in range(3) {
          block "add" {
            v_i0 = spatial(n, i0)
            v_i1 = spatial(3, i1)
            reads(A[v_i0, v_i1], B[v_i1])
            writes(out[v_i0, v_i1])
            out[v_i0, v_i1] = A[v_i0, v_i1] + B[v_i1]
          }
        }
      }
    }
  }
})");
  ExpectRewrite(before, after, expected);
}

// An override for one target kind replaces the op's own there only.
TEST(LegalizeOps, OverrideForATargetKind) {
  relax::RegisterLegalizeOverride("relax.exp", "c", [](relax::BlockBuilder& bb, const relax::CallNode* call) {
    return relax::CallTE(bb, call, "exp_c", [](const std::vector<tir::te::Tensor>& in) {
      return tir::te::compute(in[0].shape(), [&](const std::vector<tir::Var>& i) { return in[0][i] * 2.0f; });
    });
  });
  ir::IRModule before = text::Parse(kAddExpAdd);
  ir::IRModule for_c = LegalizeOps("c")(before);
  ir::IRModule for_llvm = LegalizeOps("llvm")(before);
  relax::RemoveLegalizeOverride("relax.exp", "c");
  EXPECT_TRUE(for_c.Contains("exp_c"));
  EXPECT_FALSE(for_c.Contains("compute_exp"));
  EXPECT_TRUE(for_llvm.Contains("compute_exp"));
  ExpectRewrite(before, LegalizeOps("c")(before), text::Parse(kAddExpAddLegalized));
}

TEST(LegalizeOps, UnknownShapeNamesTheOp) {
  ir::IRModule before = text::Parse(R"(module {
  func @main(x: Tensor(float32, ndim=2)) -> Tensor(float32, ndim=2) {
    y: Tensor(float32, ndim=2) = relu(x)
    return y
  }
})");
  EXPECT_KILN_ERROR(LegalizeOps()(before), "relax.relu: legalization needs the shape");
}

}  // namespace
}  // namespace kiln::transform
