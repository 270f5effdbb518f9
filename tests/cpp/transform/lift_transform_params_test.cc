// LiftTransformParams: weight-only bindings move into <name>_transform_params
// (modules as text before and expected), weights used directly pass through,
// constant-only helpers are copied, what reads inputs or has effects stays,
// functions without "num_input" are left alone, and bad attributes raise.
#include "kiln/transform/lift_transform_params.h"

#include "common/test_util.h"
#include "kiln/relax/well_formed.h"
#include "kiln/text/parser.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

void ExpectLifted(const std::string& before_text, const std::string& expected_text) {
  ir::IRModule before = text::Parse(before_text, "before");
  ir::IRModule expected = text::Parse(expected_text, "expected");
  ir::IRModule after = LiftTransformParams()(before);
  ExpectRewrite(before, after, expected);
  relax::VerifyWellFormed(after, "after LiftTransformParams");
  EXPECT_EQ(LiftTransformParams()(after).get(), after.get()) << "a second run changes nothing";
}

// The transpose of w moves out; b, used directly, passes through; main
// takes (x, b, wt) in that order: weights first, then lifted values.
TEST(LiftTransformParams, MovesWeightTransforms) {
  ExpectLifted(R"(module {
  func @main(x: Tensor((n, 4), float32), w: Tensor((3, 4), float32), b: Tensor((3,), float32)) -> Tensor((n, 3), float32) {
    attrs {"num_input": 1}
    with dataflow {
      wt: Tensor((4, 3), float32) = permute_dims(w)
      lv: Tensor((n, 3), float32) = matmul(x, wt)
      output gv: Tensor((n, 3), float32) = add(lv, b)
    }
    return gv
  }
})",
               R"(module {
  func @main(x: Tensor((n, 4), float32), b: Tensor((3,), float32), wt: Tensor((4, 3), float32)) -> Tensor((n, 3), float32) {
    attrs {"num_input": 1}
    with dataflow {
      lv: Tensor((n, 3), float32) = matmul(x, wt)
      output gv: Tensor((n, 3), float32) = add(lv, b)
    }
    return gv
  }

  func @main_transform_params(w: Tensor((3, 4), float32), b: Tensor((3,), float32)) -> Tuple(Tensor((3,), float32), Tensor((4, 3), float32)) {
    attrs {"global_symbol": "main_transform_params"}
    with dataflow {
      wt: Tensor((4, 3), float32) = permute_dims(w)
      output params: Tuple(Tensor((3,), float32), Tensor((4, 3), float32)) = (b, wt)
    }
    return params
  }
})");
}

// A chain: only its end is used by main. A constant-only binding the chain
// needs is copied (it stays in main too, for DeadCodeElimination), the
// chain's intermediate results do not come out; a binding that mixes an
// input with a weight, an impure call and a match_cast of a weight stay.
TEST(LiftTransformParams, ChainsConstantsAndWhatStays) {
  relax::testing::RegisterTestOps();
  ExpectLifted(R"(module {
  impure func @main(x: Tensor((2, 2), float32), w: Tensor((2, 2), float32), u: Tensor(float32, ndim=1)) -> Tensor((2, 2), float32) {
    attrs {"num_input": 1}
    one: Tensor((2, 2), float32) = ones(shape(2, 2), dtype=float32)
    w1: Tensor((2, 2), float32) = add(w, one)
    w2: Tensor((2, 2), float32) = exp(w1)
    mixed: Tensor((2, 2), float32) = add(x, w)
    us: Tensor((4,), float32) = match_cast(u, Tensor((4,), float32))
    p: Object = test.ir.print(w)
    y: Tensor((2, 2), float32) = multiply(mixed, w2)
    z: Tensor((2, 2), float32) = add(y, one)
    return z
  }
})",
               R"(module {
  impure func @main(x: Tensor((2, 2), float32), w: Tensor((2, 2), float32), u: Tensor(float32, ndim=1), w2: Tensor((2, 2), float32)) -> Tensor((2, 2), float32) {
    attrs {"num_input": 1}
    one: Tensor((2, 2), float32) = ones(shape(2, 2), dtype=float32)
    mixed: Tensor((2, 2), float32) = add(x, w)
    us: Tensor((4,), float32) = match_cast(u, Tensor((4,), float32))
    p: Object = test.ir.print(w)
    y: Tensor((2, 2), float32) = multiply(mixed, w2)
    z: Tensor((2, 2), float32) = add(y, one)
    return z
  }

  func @main_transform_params(w: Tensor((2, 2), float32), u: Tensor(float32, ndim=1)) -> Tuple(Tensor((2, 2), float32), Tensor(float32, ndim=1), Tensor((2, 2), float32)) {
    attrs {"global_symbol": "main_transform_params"}
    with dataflow {
      one: Tensor((2, 2), float32) = ones(shape(2, 2), dtype=float32)
      w1: Tensor((2, 2), float32) = add(w, one)
      w2: Tensor((2, 2), float32) = exp(w1)
      output params: Tuple(Tensor((2, 2), float32), Tensor(float32, ndim=1), Tensor((2, 2), float32)) = (w, u, w2)
    }
    return params
  }
})");
}

// A weight with symbolic dimensions: its transpose lifts, and main's new
// parameter defines them. A broadcast to a size only the input defines
// stays, and so w passes through.
TEST(LiftTransformParams, SymbolicWeights) {
  ExpectLifted(R"(module {
  func @main(x: Tensor((n, m), float32), w: Tensor((k, m), float32)) -> Tensor((n, k), float32) {
    attrs {"num_input": 1}
    with dataflow {
      wt: Tensor((m, k), float32) = permute_dims(w)
      wb: Tensor((n, k, m), float32) = broadcast_to(w, shape(n, k, m))
      output gv: Tensor((n, k), float32) = matmul(x, wt)
    }
    return gv
  }
})",
               R"(module {
  func @main(x: Tensor((n, m), float32), w: Tensor((k, m), float32), wt: Tensor((m, k), float32)) -> Tensor((n, k), float32) {
    attrs {"num_input": 1}
    with dataflow {
      wb: Tensor((n, k, m), float32) = broadcast_to(w, shape(n, k, m))
      output gv: Tensor((n, k), float32) = matmul(x, wt)
    }
    return gv
  }

  func @main_transform_params(w: Tensor((k, m), float32)) -> Tuple(Tensor((k, m), float32), Tensor((m, k), float32)) {
    attrs {"global_symbol": "main_transform_params"}
    with dataflow {
      wt: Tensor((m, k), float32) = permute_dims(w)
      output params: Tuple(Tensor((k, m), float32), Tensor((m, k), float32)) = (w, wt)
    }
    return params
  }
})");
}

// Nothing to lift: the transform function passes the weights through, so
// callers need not know.
TEST(LiftTransformParams, TransformFunctionEvenWhenNothingLifts) {
  ExpectLifted(R"(module {
  func @main(x: Tensor((3,), float32), w: Tensor((3,), float32)) -> Tensor((3,), float32) {
    attrs {"num_input": 1}
    lv: Tensor((3,), float32) = add(x, w)
    return lv
  }
})",
               R"(module {
  func @main(x: Tensor((3,), float32), w: Tensor((3,), float32)) -> Tensor((3,), float32) {
    attrs {"num_input": 1}
    lv: Tensor((3,), float32) = add(x, w)
    return lv
  }

  func @main_transform_params(w: Tensor((3,), float32)) -> Tuple(Tensor((3,), float32)) {
    attrs {"global_symbol": "main_transform_params"}
    with dataflow {
      output params: Tuple(Tensor((3,), float32)) = (w,)
    }
    return params
  }
})");
}

TEST(LiftTransformParams, LeavesFunctionsWithoutNumInput) {
  ir::IRModule mod = text::Parse(R"(module {
  func @main(x: Tensor((3,), float32), w: Tensor((3, 3), float32)) -> Tensor((3,), float32) {
    wt: Tensor((3, 3), float32) = permute_dims(w)
    lv: Tensor((3,), float32) = matmul(x, wt)
    return lv
  }
})");
  EXPECT_EQ(LiftTransformParams()(mod).get(), mod.get());
}

TEST(LiftTransformParams, RaisesOnBadNumInput) {
  ir::IRModule mod = text::Parse(R"(module {
  func @main(x: Tensor((3,), float32)) -> Tensor((3,), float32) {
    attrs {"num_input": 2}
    return x
  }
})");
  EXPECT_KILN_ERROR(LiftTransformParams()(mod),
                    "LiftTransformParams: function 'main' has \"num_input\" 2 but 1 parameters");
}

}  // namespace
}  // namespace kiln::transform
