// Reading text written by hand: struct info inferred for bindings without
// annotations, comments and wrapped lines, one-line blocks, spans on every
// node, and the single-expression entry points.
#include <fstream>
#include <sstream>

#include "text_fixtures.h"

namespace kiln::text {
namespace {

using namespace relax;

const Binding& BindingAt(const ir::IRModule& m, const std::string& func, size_t block, size_t index) {
  return m[func].As<FunctionNode>()->body.as<SeqExprNode>()->blocks.at(block).bindings.at(index);
}

const char* kModel = R"(# A layer of a model and the kernel it could lower to.
module {
  attrs {"version": 1}
  func @main(x: Tensor((n, 784), float32), w: Tensor((784, 10), float32)) -> Tensor((n, 10), float32) {
    with dataflow {
      lv0 = test.matmul(x, w)  # no annotation: the op infers it
      lv1 = test.relu(lv0)
      output gv = test.add(lv1,
                           lv0)
    }
    return gv
  }

  prim @add_one(A: Buffer((n,), float32), B: Buffer((n,), float32)) {
    for i in range(n) { B[i] = A[i] + 1.0 }
  }
}
)";

TEST(ParseText, BindingsWithoutAnnotationsTakeTheOpsInference) {
  testing::RegisterTestOps();
  ir::IRModule m = Parse(kModel);
  const Binding& lv0 = BindingAt(m, "main", 0, 0);
  EXPECT_TRUE(lv0.var->is_dataflow);
  EXPECT_EQ(StructInfoString(lv0.var.struct_info()), "Tensor((n, 10), float32)");
  EXPECT_EQ(lv0.value.struct_info().get(), lv0.var.struct_info().get());
  const Binding& gv = BindingAt(m, "main", 0, 2);
  EXPECT_FALSE(gv.var->is_dataflow);
  // n of the signature is the n of every annotation.
  auto x = m["main"].As<FunctionNode>()->params[0].struct_info().As<TensorStructInfoNode>();
  auto inferred = gv.var.struct_info().As<TensorStructInfoNode>();
  EXPECT_EQ((*inferred->shape)[0].get(), (*x->shape)[0].get());
  EXPECT_EQ(m.attrs().Get<int64_t>("version", 0), 1);
  // The printed form annotates everything and reads back the same.
  std::string text = relax::ToText(m);
  EXPECT_NE(text.find("output gv: Tensor((n, 10), float32) = test.add(lv1, lv0)"), std::string::npos) << text;
  EXPECT_NE(text.find("    for i in range(n) {\n      B[i] = A[i] + 1.0\n    }\n"), std::string::npos) << text;
  testing::ExpectRoundTrip(m);
}

TEST(ParseText, BindingsInferFromCalleesTuplesAndMatchCast) {
  testing::RegisterTestOps();
  ir::IRModule m = Parse(R"(
module {
  func @helper(a: Tensor((k,), float32)) -> Tensor((k, k), float32) {
    b: Tensor((k, k), float32) = match_cast(a, Tensor((k, k), float32))
    return b
  }
  func @main(x: Tensor((4,), float32)) -> Object {
    r = @helper(x)
    y = match_cast(x, Tensor((m,), float32))
    t = (x, y)
    i = t[1]
    s = shape(m, 2)
    p = prim(m + 1)
    c = const([1, 2], int8)
    e = extern("f")(x, sinfo_args=[Tensor((2,), int8)])
    return x
  }
})");
  std::vector<std::string> expected = {
      "Tensor((4, 4), float32)", "Tensor((m,), float32)", "Tuple(Tensor((4,), float32), Tensor((m,), float32))",
      "Tensor((m,), float32)",   "Shape((m, 2))",         "Prim(value=m + 1)",
      "Tensor((2,), int8)",      "Tensor((2,), int8)"};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(StructInfoString(BindingAt(m, "main", 0, i).var.struct_info()), expected[i]) << i;
  }
  testing::ExpectRoundTrip(m);
}

TEST(ParseText, EveryNodeRecordsWhereItCameFrom) {
  testing::RegisterTestOps();
  ir::IRModule m = Parse(kModel);
  auto main = m["main"].As<FunctionNode>();
  EXPECT_EQ(main->span.str(), "4:3");
  EXPECT_EQ(m.GetGlobalVar("main")->span.str(), "4:8");
  EXPECT_EQ(main->params[1]->span.str(), "4:44");
  EXPECT_EQ(main->params[1].struct_info()->span.str(), "4:47");
  const Binding& lv1 = BindingAt(m, "main", 0, 1);
  EXPECT_EQ(lv1.var->span.str(), "7:7");
  EXPECT_EQ(lv1.value->span.str(), "7:13");
  auto add_one = m["add_one"].As<tir::PrimFuncNode>();
  EXPECT_EQ(add_one->span.str(), "14:3");
  tir::Buffer b = add_one->BufferOf(add_one->params[1]);
  EXPECT_EQ(b->span.str(), "14:43");
  const auto* loop = add_one->body.as<tir::ForNode>();
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->span.str(), "15:5");
  EXPECT_EQ(loop->loop_var->span.str(), "15:9");
  const auto* store = loop->body.as<tir::BufferStoreNode>();
  EXPECT_EQ(store->span.str(), "15:25");
  EXPECT_EQ(store->value->span.str(), "15:32");
  EXPECT_EQ(store->value.as<tir::BinaryNode>()->b->span.str(), "15:39");
}

TEST(ParseText, OneLineBlocksAndElseOnItsOwnLine) {
  testing::RegisterTestOps();
  ir::IRModule m = Parse(R"(
module {
  func @f(c: Prim(bool), x: Tensor((2,), float32)) -> Tensor((2,), float32) {
    y: Tensor((2,), float32) = if c { x } else { test.relu(x) }
    z: Tensor((2,), float32) = if c {
      x
    }
    else {
      y
    }
    return z
  }
  prim @g(A: Buffer((4,), int32)) {
    for i in range(4) { if i < 2 { A[i] = 0 } else { A[i] = 1 } }
    while False { }
  }
})");
  EXPECT_TRUE(BindingAt(m, "f", 0, 0).value.as<IfNode>());
  auto g = m["g"].As<tir::PrimFuncNode>();
  EXPECT_EQ(g->body.as<tir::SeqNode>()->seq.size(), 2u);
  testing::ExpectRoundTrip(m);
}

TEST(ParseText, SingleExpressionsAndStructInfo) {
  testing::RegisterTestOps();
  tir::Var n = tir::SizeVar("n");
  Var x = MakeVar("x", TensorSInfo({n, 3}, DataType::Float(32)));
  Expr e = ParseRelaxExpr("test.add(test.relu(x), x)", {x});
  EXPECT_EQ(StructInfoString(e.struct_info()), "Tensor((n, 3), float32)");
  Expr shape = ParseRelaxExpr("shape(n * 2, 3)", {}, {n});
  EXPECT_EQ(shape.as<ShapeExprNode>()->values[0].as<tir::BinaryNode>()->a.get(), n.get());
  StructInfo s = ParseStructInfo("Tuple(Tensor((a, b), float16), Shape((b,)))");
  auto tensor = s.As<TupleStructInfoNode>()->fields[0].As<TensorStructInfoNode>();
  auto shape_info = s.As<TupleStructInfoNode>()->fields[1].As<ShapeStructInfoNode>();
  EXPECT_EQ((*tensor->shape)[1].get(), (*shape_info->values)[0].get());
  tir::Var i("i", DataType::Int(32));
  EXPECT_EQ(tir::ToText(ParsePrimExpr("  i * (i + 2)  # trailing comment\n", {i})), "i * (i + 2i32)");
}

// The fenced block of docs/deep_dive/text_format.md that starts with `first_line`.
std::string DocBlock(const std::string& first_line) {
  std::ifstream file(std::string(KILN_SOURCE_DIR) + "/docs/deep_dive/text_format.md");
  std::stringstream doc;
  doc << file.rdbuf();
  std::string text = doc.str();
  size_t start = text.find("```text\n" + first_line);
  if (start == std::string::npos) return "";
  start += 8;
  return text.substr(start, text.find("```", start) - start);
}

// The deep dive's example uses the op library's ops (matmul, relu, sum, call_tir).
TEST(ParseText, TheDocsExampleAndItsErrorAreTrue) {
  std::string example = DocBlock("# A layer of a model");
  ASSERT_FALSE(example.empty());
  ir::IRModule m = Parse(example);
  testing::ExpectRoundTrip(m);
  std::string error = DocBlock("model.kir:");
  ASSERT_FALSE(error.empty());
  std::string bad = example.replace(example.find("matmul(x, w)"), 6, "matmull");
  EXPECT_KILN_ERROR(Parse(bad, "model.kir"), error.substr(0, error.size() - 1));
}

}  // namespace
}  // namespace kiln::text
