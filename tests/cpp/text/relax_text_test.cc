// relax and whole modules in the text format: every expression and struct
// info kind, names made unique, constants inline and in the meta section
// (bit-exact), symbolic shapes, and op attributes.
#include <cstring>

#include "text_fixtures.h"

namespace kiln::text {
namespace {

using namespace relax;
using runtime::NDArray;
using testing::ExpectRoundTrip;

void ExpectContains(const std::string& text, const std::vector<std::string>& pieces) {
  for (const std::string& piece : pieces) EXPECT_NE(text.find(piece), std::string::npos) << piece << "\nin:\n" << text;
}

// A module whose @main binds `value` (with struct info `sinfo`) and returns it.
ir::IRModule Returning(const Expr& value, const StructInfo& sinfo, std::vector<Var> params = {}) {
  Var v = MakeVar("v", sinfo);
  Expr body = MakeSeqExpr({BindingBlock{{{v, value, {}}}, false}}, v);
  return ir::IRModule({{ir::MakeGlobalVar("main"), MakeFunction(params, body, sinfo)}});
}

TEST(RelaxText, EveryNodeKindRoundTrips) {
  std::string text = ExpectRoundTrip(testing::EveryRelaxNode());
  ExpectContains(text,
                 {
                     "module {\n  attrs {\"target\": \"llvm -mcpu=znver4\", \"opt_level\": 3, \"ratio\": 0.1,",
                     "\"flags\": [True, None, \"s\", 2.5, float16], \"device\": device(\"cuda:1\")",
                     "\"shape\": shape(1, 2), \"expr\": tir(1 + 2), \"entry\": @main, \"weights\": meta[0]}",
                     "impure func @helper(a: Tensor((k, 8), float32)) -> Tensor((k, 8), float32) {",
                     "    with dataflow {\n      lv0: Tensor((n, 8), float32) = test.matmul(x, w)",
                     "lv2: Tensor(float32) = test.sum(lv1, axis=[1], keepdims=True)",
                     "lv3: Tuple(Tensor((n, 8), float32), Tensor(float32)) = (lv1, lv2)",
                     "lv4: Tensor((n, 8), float32) = lv3[0]",
                     "lv5: Tensor((2, 2), float32) = const([[-1.0, -0.75], [-0.5, -0.25]], float32)",
                     "output gv: Tensor((n, 8), float32) = test.add(lv6, lv4)",
                     "big: Tensor((64, 64), float32) = meta[1]",
                     "scalar: Tensor((), float32) = const(2.5, float32)",
                     "pval: Prim(value=n + 1) = prim(n + 1)",
                     "str: Object = \"hello \\\"world\\\"\\n\"",
                     "ext: Tensor((n, 8), float32) = extern(\"my_func\")(gv, sinfo_args=[Tensor((n, 8), float32)])",
                     "y: Tensor((m, 8), float32) = match_cast(gv, Tensor((m, 8), float32))",
                     "z: Tensor((n, 8), float32) = if flag {\n      inner: Tensor((n, 8), float32) = "
                     "test.relu(gv)\n      inner\n    } else {\n      gv\n    }",
                     "= func(q: Tensor((n, 8), float32)) -> Tensor((n, 8), float32) {\n      return test.relu(q)\n",
                     "h: Tensor((n, 8), float32) = @helper(gv, note=\"extra\")",
                     "x_1: Tensor((n, 8), float32) = {\n      gv\n    }",
                     "opref: Object = test.relu",
                     "    with dataflow {\n    }\n    with block {\n    }\n    last:",
                     "    return (y, z)\n  }\n\n  meta {\n    0 = array((3,), float32,\n      \"",
                 });
}

TEST(RelaxText, StructInfoOfEveryKind) {
  tir::Var n = tir::SizeVar("n");
  DataType f32 = DataType::Float(32);
  std::vector<std::pair<StructInfo, std::string>> cases = {
      {ObjectSInfo(), "Object"},
      {PrimSInfo(DataType::Int(32)), "Prim(int32)"},
      {PrimSInfo(DataType::Int(64), n * 2), "Prim(value=n * 2)"},
      {ShapeSInfo({n, 4}), "Shape((n, 4))"},
      {ShapeSInfo({}), "Shape(())"},
      {ShapeSInfoOfRank(3), "Shape(ndim=3)"},
      {ShapeSInfoOfRank(-1), "Shape"},
      {TensorSInfo({n}, f32), "Tensor((n,), float32)"},
      {TensorSInfo({n, 4}, DataType()), "Tensor((n, 4))"},
      {TensorSInfoOfRank(2, f32), "Tensor(float32, ndim=2)"},
      {TensorSInfoOfRank(-1, DataType::BFloat16()), "Tensor(bfloat16)"},
      {TensorSInfoOfRank(0, DataType()), "Tensor(ndim=0)"},
      {TensorSInfoOfRank(-1, DataType()), "Tensor"},
      {TupleSInfo({}), "Tuple()"},
      {TupleSInfo({ObjectSInfo(), TupleSInfo({PrimSInfo(DataType::Bool())})}), "Tuple(Object, Tuple(Prim(bool)))"},
      {FuncSInfo({TensorSInfo({n}, f32)}, ObjectSInfo()), "Func([Tensor((n,), float32)], Object)"},
      {FuncSInfo({}, ObjectSInfo(), false), "Func([], Object, pure=False)"},
      {OpaqueFuncSInfo(ShapeSInfoOfRank(1), true), "Func(Shape(ndim=1))"},
  };
  for (const auto& [sinfo, text] : cases) {
    EXPECT_EQ(ToText(sinfo), text);
    EXPECT_EQ(StructInfoString(sinfo), text);
    StructInfo parsed = ParseStructInfo(text);
    EXPECT_FALSE(FindMismatch(sinfo, parsed, /*map_free_vars=*/true)) << text;
  }
}

TEST(RelaxText, CollidingAndInvalidNamesAreMadeUnique) {
  testing::RegisterTestOps();
  tir::Var n = tir::SizeVar("x");
  StructInfo t = TensorSInfo({n}, DataType::Float(32));
  Var x = MakeVar("x", t), x2 = MakeVar("x", t), kw = MakeVar("return", t), odd = MakeVar("9 lives", t);
  Var dtype_named = MakeVar("int8", t), op_named = MakeVar("relu", t);
  std::vector<Binding> bindings = {
      {x2, x, {}}, {kw, x2, {}}, {odd, kw, {}}, {dtype_named, odd, {}}, {op_named, dtype_named, {}}};
  Function f = MakeFunction({x}, MakeSeqExpr({BindingBlock{bindings, false}}, op_named), t);
  ir::IRModule m({{ir::MakeGlobalVar("my main-fn"), f}});
  std::string text = ExpectRoundTrip(m);
  ExpectContains(
      text, {"func @\"my main-fn\"(x_1: Tensor((x,), float32))", "x_2: Tensor((x,), float32) = x_1",
             "return_1: Tensor((x,), float32) = x_2", "v9_lives: Tensor((x,), float32) = return_1",
             "int8_1: Tensor((x,), float32) = v9_lives", "relu_1: Tensor((x,), float32) = int8_1", "return relu_1"});
}

TEST(RelaxText, SymbolicDimsAreSharedWithinAFunction) {
  ir::IRModule m = Parse(R"(
module {
  func @f(x: Tensor((n, m), float32), y: Tensor((m, n * 2), float32)) -> Shape((n, m)) {
    s: Shape((n, m)) = shape(n, m)
    return s
  }
})");
  auto f = m["f"].As<FunctionNode>();
  auto x = f->params[0].struct_info().As<TensorStructInfoNode>();
  auto y = f->params[1].struct_info().As<TensorStructInfoNode>();
  const tir::PrimExpr& n = (*x->shape)[0];
  EXPECT_TRUE(n.as<tir::VarNode>()->is_size_var);
  EXPECT_EQ(n.dtype(), DataType::Int(64));
  EXPECT_EQ((*y->shape)[0].get(), (*x->shape)[1].get());
  EXPECT_EQ((*y->shape)[1].as<tir::BinaryNode>()->a.get(), n.get());
  auto seq = f->body.as<SeqExprNode>();
  EXPECT_EQ(seq->blocks[0].bindings[0].value.as<ShapeExprNode>()->values[0].get(), n.get());
  ExpectRoundTrip(m);
}

TEST(RelaxText, SymbolicDimsOfOtherTypesAreDeclared) {
  tir::Var n("n", DataType::Int(32)), k = tir::SizeVar("k");
  StructInfo t = TensorSInfo({n}, DataType::Float(32));
  Var x = MakeVar("x", t);
  Var p = MakeVar("p", PrimSInfo(DataType::Int(64)));  // k first appears outside struct info
  Function f = MakeFunction({x}, MakeSeqExpr({BindingBlock{{{p, MakePrimValue(k), {}}}, false}}, x), t);
  ir::IRModule m({{ir::MakeGlobalVar("f"), f}});
  std::string text = ExpectRoundTrip(m, /*map_free_vars=*/true);
  ExpectContains(text, {"func @f[n: int32, k: SizeVar(int64)](x: Tensor((n,), float32))"});
}

TEST(RelaxText, OpAttributesPrintWhenNotDefaultAndParseComplete) {
  testing::RegisterTestOps();
  Var x = MakeVar("x", TensorSInfo({4}, DataType::Float(32)));
  Expr call = testing::OpCall("test.scale", {x}, {{"factor", 2.0}, {"out_dtype", DataType::Float(16)}});
  ir::IRModule m = Returning(call, x.struct_info(), {x});
  std::string text = ExpectRoundTrip(m);
  ExpectContains(text, {"test.scale(x, factor=2.0, out_dtype=float16)"});
  ir::IRModule parsed = Parse(R"(
module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    v: Tensor((4,), float32) = test.scale(x, factor=2)
    return v
  }
})");
  auto seq = parsed["main"].As<FunctionNode>()->body.as<SeqExprNode>();
  const ir::Attrs& attrs = seq->blocks[0].bindings[0].value.as<CallNode>()->attrs;
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs.items()[0].first, "factor");
  EXPECT_EQ(attrs.Get<std::string>("mode", ""), "linear");
  EXPECT_EQ(attrs.Get<DataType>("out_dtype", DataType()), DataType::Float(32));
}

// Every float32 value below prints inline and reads back bit for bit.
TEST(RelaxText, SmallConstantsAreInlineAndExact) {
  std::vector<float> values = {0.1f, -0.0f, 1e-45f, 3.4028235e38f, 1.0f / 3.0f, -1.0f / 0.0f, 16777217.0f, 2.5e-8f};
  NDArray a = NDArray::Empty({2, 4}, DataType::Float(32), runtime::Device::CPU());
  std::memcpy(a.data(), values.data(), values.size() * sizeof(float));
  std::string text = ToText(MakeConstant(a));
  EXPECT_EQ(text, "const([[0.1, -0.0, 1e-45, 3.4028235e+38], [0.33333334, -inf, 16777216.0, 2.5e-08]], float32)");
  Expr parsed = ParseRelaxExpr(text);
  EXPECT_FALSE(FindMismatch(MakeConstant(a), parsed)) << text;
}

// All 2^16 float16 and bfloat16 bit patterns (NaNs go to the meta section).
TEST(RelaxText, HalfPrecisionConstantsAreExact) {
  for (DataType dtype : {DataType::Float(16), DataType::BFloat16()}) {
    for (uint32_t start = 0; start < 65536; start += 16) {
      NDArray a = NDArray::Empty({16}, dtype, runtime::Device::CPU());
      for (uint32_t i = 0; i < 16; ++i) static_cast<uint16_t*>(a.data())[i] = static_cast<uint16_t>(start + i);
      ir::IRModule m = Returning(MakeConstant(a), TensorSInfo({16}, dtype));
      std::string text = relax::ToText(m);
      ir::IRModule parsed = Parse(text);
      ASSERT_FALSE(FindMismatch(m, parsed)) << *FindMismatch(m, parsed) << "\n" << text;
    }
  }
}

TEST(RelaxText, IntegerAndBoolConstantsAreExact) {
  NDArray u = NDArray::Empty({2}, DataType::UInt(64), runtime::Device::CPU());
  static_cast<uint64_t*>(u.data())[0] = ~uint64_t{0};
  static_cast<uint64_t*>(u.data())[1] = 0;
  EXPECT_EQ(ToText(MakeConstant(u)), "const([18446744073709551615, 0], uint64)");
  NDArray b = NDArray::Empty({3}, DataType::Bool(), runtime::Device::CPU());
  std::memcpy(b.data(), "\1\0\1", 3);
  EXPECT_EQ(ToText(MakeConstant(b)), "const([True, False, True], bool)");
  NDArray i8 = NDArray::Empty({1, 1, 2}, DataType::Int(8), runtime::Device::CPU());
  std::memcpy(i8.data(), "\x80\x7f", 2);
  EXPECT_EQ(ToText(MakeConstant(i8)), "const([[[-128, 127]]], int8)");
  for (const NDArray& array : {u, b, i8}) {
    std::string text = ToText(MakeConstant(array));
    EXPECT_FALSE(FindMismatch(MakeConstant(array), ParseRelaxExpr(text))) << text;
  }
}

TEST(RelaxText, LargeNaNAndEmptyConstantsGoToTheMetaSection) {
  NDArray big = testing::Iota({17});
  NDArray nan = NDArray::Empty({2}, DataType::Float(64), runtime::Device::CPU());
  uint64_t payload = 0x7ff8000000000123;  // a quiet NaN with a payload
  std::memcpy(nan.data(), &payload, 8);
  static_cast<double*>(nan.data())[1] = 1.0;
  NDArray empty = NDArray::Empty({0, 3}, DataType::Int(32), runtime::Device::CPU());
  Var a = MakeVar("a", TensorSInfo({17}, DataType::Float(32)));
  Var b = MakeVar("b", TensorSInfo({2}, DataType::Float(64)));
  Var c = MakeVar("c", TensorSInfo({0, 3}, DataType::Int(32)));
  std::vector<Binding> bindings = {
      {a, MakeConstant(big), {}}, {b, MakeConstant(nan), {}}, {c, MakeConstant(empty), {}}};
  Expr body = MakeSeqExpr({BindingBlock{bindings, false}}, MakeTuple({a, b, c}));
  Function f = MakeFunction({}, body, TupleSInfo({a.struct_info(), b.struct_info(), c.struct_info()}));
  std::string text = ExpectRoundTrip(ir::IRModule({{ir::MakeGlobalVar("main"), f}}));
  ExpectContains(text, {"a: Tensor((17,), float32) = meta[0]", "b: Tensor((2,), float64) = meta[1]",
                        "c: Tensor((0, 3), int32) = meta[2]", "    2 = array((0, 3), int32, \"\")\n"});
}

TEST(RelaxText, ModuleAttributesAndFunctionOrderRoundTrip) {
  ir::IRModule m = testing::EveryRelaxNode();
  ir::IRModule parsed = Parse(relax::ToText(m));
  ASSERT_EQ(parsed.functions().size(), 3u);
  EXPECT_EQ(parsed.functions()[0].first->name, "helper");
  EXPECT_EQ(parsed.functions()[1].first->name, "kernel");
  EXPECT_EQ(parsed.attrs().Get<int64_t>("opt_level", 0), 3);
  EXPECT_EQ(parsed.attrs().Get<runtime::Device>("device", {}), runtime::Device::CUDA(1));
  // Calls refer to the module's own GlobalVars.
  auto main = parsed["main"].As<FunctionNode>();
  const auto& plain = main->body.as<SeqExprNode>()->blocks[1].bindings;
  const CallNode* h = nullptr;
  for (const Binding& b : plain) h = b.var.name() == "h" ? b.value.as<CallNode>() : h;
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->op.get(), parsed.GetGlobalVar("helper").get());
}

}  // namespace
}  // namespace kiln::text
