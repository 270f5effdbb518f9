// FoldConstant: op calls and call_tir on constants become constants (values
// written out by hand or computed here in C++), chains and tuples fold, and
// impure calls, non-constant arguments, symbolic shapes, results over the
// size limit and failing legalizations stay; identical kernels compile once.
#include "kiln/transform/fold_constant.h"

#include <algorithm>
#include <sstream>

#include "common/test_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/relax/printer.h"
#include "kiln/relax/well_formed.h"
#include "kiln/text/parser.h"
#include "kiln/transform/legalize_ops.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

// `before` with its first function, "main", replaced by the one in
// `main_text`: the other functions (kernels FoldConstant leaves to
// DeadCodeElimination) stay.
ir::IRModule WithMain(const ir::IRModule& before, const std::string& main_text) {
  std::string others = relax::ToText(before.Remove(before.GetGlobalVar("main")));
  size_t open = others.find('{') + 1;
  return text::Parse(others.substr(0, open) + "\n" + main_text + "\n" + others.substr(open), "expected");
}

void ExpectFolded(const std::string& before_text, const std::string& expected_main) {
  ir::IRModule before = text::Parse(before_text, "before");
  ir::IRModule after = FoldConstant()(before);
  ExpectRewrite(before, after, WithMain(before, expected_main));
  relax::VerifyWellFormed(after, "after FoldConstant");
  EXPECT_EQ(FoldConstant()(after).get(), after.get()) << "a second run changes nothing";
}

void ExpectUnchanged(const std::string& text, const PassContext& ctx = PassContext::Current()) {
  ir::IRModule mod = text::Parse(text, "before");
  EXPECT_EQ(FoldConstant()(mod, ctx).get(), mod.get());
}

// add(c1, c2) -> c1 + c2, evaluated through add's legalization.
TEST(FoldConstant, OpCallOnConstants) {
  ExpectFolded(R"(module {
  func @main() -> Tensor((3,), float32) {
    lv: Tensor((3,), float32) = add(const([1.0, 2.0, 3.0], float32), const([10.0, 20.0, 30.0], float32))
    return lv
  }
})",
               R"(
  func @main() -> Tensor((3,), float32) {
    lv: Tensor((3,), float32) = const([11.0, 22.0, 33.0], float32)
    return lv
  })");
}

// A chain: a constant, its transpose, the transpose plus one; the matmul
// with the parameter x stays, its argument now a variable bound to a constant.
TEST(FoldConstant, ChainOfOpsBeforeLegalization) {
  ExpectFolded(R"(module {
  func @main(x: Tensor((1, 2), float32)) -> Tensor((1, 3), float32) {
    with dataflow {
      c: Tensor((3, 2), float32) = const([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], float32)
      t: Tensor((2, 3), float32) = permute_dims(c)
      t1: Tensor((2, 3), float32) = add(t, const(1.0, float32))
      output gv: Tensor((1, 3), float32) = matmul(x, t1)
    }
    return gv
  }
})",
               R"(
  func @main(x: Tensor((1, 2), float32)) -> Tensor((1, 3), float32) {
    with dataflow {
      c: Tensor((3, 2), float32) = const([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], float32)
      t: Tensor((2, 3), float32) = const([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]], float32)
      t1: Tensor((2, 3), float32) = const([[2.0, 4.0, 6.0], [3.0, 5.0, 7.0]], float32)
      output gv: Tensor((1, 3), float32) = matmul(x, t1)
    }
    return gv
  })");
}

// `text` with each `$name` replaced by its value.
std::string Subst(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size())) {
      text.replace(at, name.size(), value);
    }
  }
  return text;
}

// A float32 matrix literal with elements at(i, j).
template <typename F>
std::string MatrixLiteral(int rows, int cols, F at) {
  std::ostringstream os;
  os << "const([";
  for (int i = 0; i < rows; ++i) {
    os << (i ? ", [" : "[");
    for (int j = 0; j < cols; ++j) os << (j ? ", " : "") << at(i, j) << ".0";
    os << "]";
  }
  os << "], float32)";
  return os.str();
}

// After LegalizeOps: call_tir of the transpose kernel on a constant runs the
// kernel, and so does the transpose of its result; the matmul with x stays.
// The kernels stay in the module for DeadCodeElimination. The expected
// arrays are the transposes computed here.
TEST(FoldConstant, CallTirOfLegalizedOp) {
  std::vector<std::pair<std::string, std::string>> values = {
      {"$C", MatrixLiteral(4, 3, [](int i, int j) { return 10 * i + j; })},
      {"$T", MatrixLiteral(3, 4, [](int i, int j) { return 10 * j + i; })}};
  std::string before_text = Subst(R"(module {
  func @main(x: Tensor((2, 4), float32)) -> Tensor((2, 3), float32) {
    lv: Tensor((3, 4), float32) = permute_dims($C)
    lv2: Tensor((4, 3), float32) = permute_dims(lv)
    lv1: Tensor((2, 3), float32) = matmul(x, lv2)
    return lv1
  }
})",
                                  values);
  std::string expected_main = Subst(R"(
  func @main(x: Tensor((2, 4), float32)) -> Tensor((2, 3), float32) {
    lv: Tensor((3, 4), float32) = $T
    lv2: Tensor((4, 3), float32) = $C
    lv1: Tensor((2, 3), float32) = call_tir(@matmul, (x, lv2), sinfo_args=[Tensor((2, 3), float32)])
    return lv1
  })",
                                    values);
  ir::IRModule before = LegalizeOps()(text::Parse(before_text));
  ir::IRModule after = FoldConstant()(before);
  ExpectRewrite(before, after, WithMain(before, expected_main));
  EXPECT_EQ(after.functions().size(), before.functions().size());
}

// split of a constant gives a tuple of constants; items of it fold, and so
// does what is computed from them.
TEST(FoldConstant, TuplesAndTheirItems) {
  ExpectFolded(R"(module {
  func @main() -> Tensor((2,), float32) {
    parts: Tuple(Tensor((2,), float32), Tensor((2,), float32)) = split(const([1.0, 2.0, 3.0, 4.0], float32), sections=2)
    a: Tensor((2,), float32) = parts[0]
    a1: Tensor((2,), float32) = parts[1]
    pair: Tuple(Tensor((2,), float32), Tensor((2,), float32)) = (a, a1)
    b: Tensor((2,), float32) = pair[1]
    s: Tensor((2,), float32) = multiply(a, b)
    return s
  }
})",
               R"(
  func @main() -> Tensor((2,), float32) {
    parts: Tuple(Tensor((2,), float32), Tensor((2,), float32)) = (const([1.0, 2.0], float32), const([3.0, 4.0], float32))
    a: Tensor((2,), float32) = const([1.0, 2.0], float32)
    a1: Tensor((2,), float32) = const([3.0, 4.0], float32)
    pair: Tuple(Tensor((2,), float32), Tensor((2,), float32)) = (a, a1)
    b: Tensor((2,), float32) = const([3.0, 4.0], float32)
    s: Tensor((2,), float32) = const([3.0, 8.0], float32)
    return s
  })");
}

// Bindings inside the branches of an if fold like the others.
TEST(FoldConstant, InsideIfBranches) {
  ExpectFolded(R"(module {
  func @main(c: Tensor((), bool)) -> Tensor((2,), float32) {
    r: Tensor((2,), float32) = if c {
      a: Tensor((2,), float32) = add(const([1.0, 2.0], float32), const([1.0, 1.0], float32))
      a
    } else {
      const([0.0, 0.0], float32)
    }
    return r
  }
})",
               R"(
  func @main(c: Tensor((), bool)) -> Tensor((2,), float32) {
    r: Tensor((2,), float32) = if c {
      a: Tensor((2,), float32) = const([2.0, 3.0], float32)
      a
    } else {
      const([0.0, 0.0], float32)
    }
    return r
  })");
}

TEST(FoldConstant, LeavesWhatDependsOnParameters) {
  ExpectUnchanged(R"(module {
  func @main(x: Tensor((3,), float32)) -> Tensor((3,), float32) {
    lv: Tensor((3,), float32) = add(x, const([1.0, 2.0, 3.0], float32))
    return lv
  }
})");
}

// zeros of a shape with a symbolic dimension has no static size.
TEST(FoldConstant, LeavesSymbolicShapes) {
  ExpectUnchanged(R"(module {
  func @main(x: Tensor((n, 3), float32)) -> Tensor((n, 3), float32) {
    z: Tensor((n, 3), float32) = zeros(shape(n, 3), dtype=float32)
    lv: Tensor((n, 3), float32) = add(x, z)
    return lv
  }
})");
}

TEST(FoldConstant, LeavesResultsOverTheLimit) {
  const char* text = R"(module {
  func @main() -> Tensor((4,), float32) {
    lv: Tensor((4,), float32) = exp(const([1.0, 2.0, 3.0, 4.0], float32))
    return lv
  }
})";
  ExpectUnchanged(text, PassContext::Create(2, {{"relax.fold_constant.max_bytes", int64_t{15}}}));
  ir::IRModule mod = text::Parse(text);
  EXPECT_NE(FoldConstant()(mod, PassContext::Create(2, {{"relax.fold_constant.max_bytes", int64_t{16}}})).get(),
            mod.get());
}

// Test ops: an impure copy (with a legalization), an op whose legalization
// fails, and a shape_of that only struct info knows.
void RegisterFoldTestOps() {
  static const bool registered = [] {
    auto copy = [](relax::BlockBuilder& bb, const relax::CallNode* call) {
      return relax::CallTE(bb, call, "copy", [](const std::vector<tir::te::Tensor>& in) {
        return tir::te::compute(in[0].shape(), [&](const std::vector<tir::Var>& i) { return in[0][i]; });
      });
    };
    auto same = [](const relax::CallNode* call) { return call->args[0].struct_info(); };
    relax::RegisterOp("test.fold.impure_copy").Args({"x"}).Impure().InferStructInfo(same).Legalize(copy);
    relax::RegisterOp("test.fold.broken")
        .Args({"x"})
        .InferStructInfo(same)
        .Legalize([](relax::BlockBuilder&, const relax::CallNode*) -> relax::Expr {
          KILN_THROW() << "test.fold.broken: no legalization for this input";
        });
    relax::RegisterOp("test.fold.shape_of").Args({"x"}).InferStructInfo([](const relax::CallNode* call) {
      auto t = call->args[0].struct_info().As<relax::TensorStructInfoNode>();
      return t->shape ? relax::ShapeSInfo(*t->shape) : relax::ShapeSInfoOfRank(t->ndim);
    });
    return true;
  }();
  (void)registered;
}

TEST(FoldConstant, LeavesImpureCallsAndFailingLegalizations) {
  RegisterFoldTestOps();
  ExpectUnchanged(R"(module {
  impure func @main() -> Tensor((2,), float32) {
    lv: Tensor((2,), float32) = test.fold.impure_copy(const([1.0, 2.0], float32))
    lv1: Tensor((2,), float32) = test.fold.broken(lv)
    lv2: Tensor((2,), float32) = test.fold.broken(const([1.0, 2.0], float32))
    return lv2
  }
})");
}

// The shape of a static tensor is known without running anything, whatever
// the tensor's value.
TEST(FoldConstant, ShapesStructInfoKnows) {
  RegisterFoldTestOps();
  ExpectFolded(R"(module {
  func @main(x: Tensor((2, 5), float32), y: Tensor((n,), float32)) -> Shape(ndim=1) {
    s: Shape((2, 5)) = test.fold.shape_of(x)
    s1: Shape((n,)) = test.fold.shape_of(y)
    return s1
  }
})",
               R"(
  func @main(x: Tensor((2, 5), float32), y: Tensor((n,), float32)) -> Shape(ndim=1) {
    s: Shape((2, 5)) = shape(2, 5)
    s1: Shape((n,)) = test.fold.shape_of(y)
    return s1
  })");
}

// `count` transposes of distinct constants of one shape: legalized one by
// one into equal (not shared) kernels.
ir::IRModule Transposes(int count) {
  relax::BlockBuilder bb;
  bb.BeginFunction("main", {});
  relax::Expr last;
  for (int k = 0; k < count; ++k) {
    runtime::NDArray c = runtime::NDArray::Empty({8, 16}, runtime::DataType::Float(32), runtime::Device::CPU());
    std::fill_n(static_cast<float*>(c.data()), 8 * 16, static_cast<float>(k));
    last = bb.Emit(relax::MakeCall(relax::GetOp("relax.permute_dims"), {relax::MakeConstant(c)}));
  }
  bb.EndFunction(last);
  return bb.GetModule();
}

// 32 transposes of one shape legalize to 32 equal kernels: folding them
// compiles one.
TEST(FoldConstant, CompilesEachKernelOnce) {
  ir::IRModule many = Transposes(32);
  int64_t before = FoldConstantKernelsCompiled();
  ir::IRModule folded = FoldConstant()(many);
  EXPECT_EQ(FoldConstantKernelsCompiled() - before, 1);
  // And the values are right: the last transpose is filled with 31.
  const auto* seq = folded["main"].As<relax::FunctionNode>()->body.as<relax::SeqExprNode>();
  const auto* last = seq->blocks.back().bindings.back().value.as<relax::ConstantNode>();
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->data.shape(), (std::vector<int64_t>{16, 8}));
  const float* data = static_cast<const float*>(last->data.data());
  for (int i = 0; i < 16 * 8; ++i) ASSERT_EQ(data[i], 31.0f);
}

}  // namespace
}  // namespace kiln::transform
