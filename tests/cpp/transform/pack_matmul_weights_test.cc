// PackMatmulWeights: a linear by a weight parameter, a matmul by a constant
// and a matmul by a transposed weight become linears of packed weights (one
// transform per weight), and
// what it leaves alone: inputs as weights, GEMVs, panels that do not divide
// N, layouts already packed; each checked against the expected module.
#include "kiln/transform/pack_matmul_weights.h"

#include "common/test_util.h"
#include "kiln/relax/well_formed.h"
#include "kiln/text/parser.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

void ExpectPacked(const std::string& before_text, const std::string& expected_text, int64_t panel) {
  ir::IRModule before = text::Parse(before_text, "before");
  ir::IRModule after = PackMatmulWeights(panel)(before);
  ExpectRewrite(before, after, text::Parse(expected_text, "expected"));
  relax::VerifyWellFormed(after, "after PackMatmulWeights");
}

void ExpectUnchanged(const std::string& text, int64_t panel) {
  ir::IRModule before = text::Parse(text, "before");
  std::optional<std::string> mismatch = relax::FindMismatch(PackMatmulWeights(panel)(before), before);
  EXPECT_FALSE(mismatch.has_value()) << *mismatch;
}

// w is a weight (after num_input); it is packed once for both linears. The
// matmul's constant (K, N) goes KN -> NK4n. x is an input: never packed.
TEST(PackMatmulWeights, WeightsAndConstants) {
  ExpectPacked(R"(module {
  func @main(x: Tensor((n, 6), float32), w: Tensor((8, 6), float32), b: Tensor((8,), float32)) -> Tensor((n, 4), float32) {
    attrs {"num_input": 1}
    with dataflow {
      lv: Tensor((n, 8), float32) = linear(x, w, b)
      lv1: Tensor((n, 8), float32) = linear(x, w)
      lv2: Tensor((n, 8), float32) = add(lv, lv1)
      lv3: Tensor((n, n), float32) = linear(x, x)
      output gv: Tensor((n, 4), float32) = matmul(lv2, const([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]], float32))
    }
    return gv
  }
})",
               R"(module {
  func @main(x: Tensor((n, 6), float32), w: Tensor((8, 6), float32), b: Tensor((8,), float32)) -> Tensor((n, 4), float32) {
    attrs {"num_input": 1}
    with dataflow {
      wp: Tensor((2, 6, 4), float32) = layout_transform(w, src_layout="NK", dst_layout="NK4n")
      lv: Tensor((n, 8), float32) = linear(x, wp, b, weight_layout="NK4n")
      lv1: Tensor((n, 8), float32) = linear(x, wp, weight_layout="NK4n")
      lv2: Tensor((n, 8), float32) = add(lv, lv1)
      lv3: Tensor((n, n), float32) = linear(x, x)
      cp: Tensor((1, 8, 4), float32) = layout_transform(const([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]], float32), src_layout="KN", dst_layout="NK4n")
      output gv: Tensor((n, 4), float32) = linear(lv2, cp, weight_layout="NK4n")
    }
    return gv
  }
})",
               4);
}

// matmul by permute_dims(w) (PyTorch's layout) is a linear by w; the
// transpose stays for DeadCodeElimination.
TEST(PackMatmulWeights, TransposedWeight) {
  ExpectPacked(R"(module {
  func @main(x: Tensor((3, 6), float32), w: Tensor((8, 6), float32)) -> Tensor((3, 8), float32) {
    attrs {"num_input": 1}
    with dataflow {
      wt: Tensor((6, 8), float32) = permute_dims(w)
      output gv: Tensor((3, 8), float32) = matmul(x, wt)
    }
    return gv
  }
})",
               R"(module {
  func @main(x: Tensor((3, 6), float32), w: Tensor((8, 6), float32)) -> Tensor((3, 8), float32) {
    attrs {"num_input": 1}
    with dataflow {
      wt: Tensor((6, 8), float32) = permute_dims(w)
      wp: Tensor((1, 6, 8), float32) = layout_transform(w, src_layout="NK", dst_layout="NK8n")
      output gv: Tensor((3, 8), float32) = linear(x, wp, weight_layout="NK8n")
    }
    return gv
  }
})",
               8);
}

// Without "num_input" no parameter is a weight; one row (a GEMV), a panel
// that does not divide N, and a weight already packed stay.
TEST(PackMatmulWeights, LeavesAlone) {
  ExpectUnchanged(R"(module {
  func @main(x: Tensor((4, 6), float32), w: Tensor((8, 6), float32)) -> Tensor((4, 8), float32) {
    with dataflow {
      output gv: Tensor((4, 8), float32) = linear(x, w)
    }
    return gv
  }
})",
                  4);
  ExpectUnchanged(R"(module {
  func @main(x: Tensor((1, 6), float32), y: Tensor((6,), float32), z: Tensor((4, 6), float32), w: Tensor((8, 6), float32), wp: Tensor((2, 6, 4), float32)) -> Tensor((4, 8), float32) {
    attrs {"num_input": 3}
    with dataflow {
      lv: Tensor((1, 8), float32) = linear(x, w)
      lv1: Tensor((8,), float32) = linear(y, w)
      lv2: Tensor((4, 8), float32) = linear(z, wp, weight_layout="NK4n")
      output gv: Tensor((4, 8), float32) = add(lv, lv2)
    }
    return gv
  }
})",
                  4);
  ExpectUnchanged(R"(module {
  func @main(x: Tensor((4, 6), float32), w: Tensor((8, 6), float32)) -> Tensor((4, 8), float32) {
    attrs {"num_input": 1}
    with dataflow {
      output gv: Tensor((4, 8), float32) = linear(x, w)
    }
    return gv
  }
})",
                  16);
}

TEST(PackMatmulWeights, RejectsNegativePanel) {
  EXPECT_KILN_ERROR(PackMatmulWeights(-1), "PackMatmulWeights: panel must be positive");
}

}  // namespace
}  // namespace kiln::transform
