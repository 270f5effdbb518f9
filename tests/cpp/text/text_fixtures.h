// Fixtures of the text-format tests: ops registered as "test.*" (so the tests
// do not lean on the op library), modules that hold every tir and relax node
// kind, and the round-trip check Parse(ToText(m)) == m.
#pragma once

#include <string>

#include "common/test_util.h"
#include "kiln/relax/op.h"
#include "kiln/relax/printer.h"
#include "kiln/relax/struct_info.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/text/parser.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::text::testing {

using relax::Expr;
using relax::StructInfo;
using runtime::DataType;
using runtime::NDArray;

inline StructInfo SameAsArg0(const relax::CallNode* call) {
  return call->args[0].struct_info();
}

// test.matmul(a, b): Tensor((a[0], b[1]), a.dtype).
inline StructInfo InferMatmul(const relax::CallNode* call) {
  auto a = call->args[0].struct_info().As<relax::TensorStructInfoNode>();
  auto b = call->args[1].struct_info().As<relax::TensorStructInfoNode>();
  KILN_CHECK(a && b && a->shape && b->shape && a->ndim == 2 && b->ndim == 2)
      << "test.matmul takes two matrices of known shape";
  KILN_CHECK(a->dtype == b->dtype) << "test.matmul: dtypes " << a->dtype << " and " << b->dtype << " differ";
  return relax::TensorSInfo({(*a->shape)[0], (*b->shape)[1]}, a->dtype);
}

// test.sum(x, axis=[...], keepdims=False): a tensor of x's dtype and unknown shape.
inline StructInfo InferSum(const relax::CallNode* call) {
  auto x = call->args[0].struct_info().As<relax::TensorStructInfoNode>();
  KILN_CHECK(x) << "test.sum takes a tensor";
  return relax::TensorSInfoOfRank(-1, x->dtype);
}

// Registers the test ops once.
inline void RegisterTestOps() {
  static const bool done = [] {
    using relax::AttrKind;
    relax::RegisterOp("test.add").Args({"a", "b"}).InferStructInfo(SameAsArg0);
    relax::RegisterOp("test.relu").Args({"x"}).InferStructInfo(SameAsArg0);
    relax::RegisterOp("test.matmul").Args({"a", "b"}).InferStructInfo(InferMatmul);
    relax::RegisterOp("test.sum")
        .Args({"x"})
        .Attr("axis", AttrKind::kOptionalIntList)
        .Attr("keepdims", AttrKind::kBool, false)
        .InferStructInfo(InferSum);
    relax::RegisterOp("test.scale")
        .Args({"x"})
        .Attr("factor", AttrKind::kFloat)
        .Attr("mode", AttrKind::kString, "linear")
        .Attr("out_dtype", AttrKind::kDataType, DataType::Float(32))
        .InferStructInfo(SameAsArg0);
    relax::RegisterOp("test.concat").Args({"first", "rest"}, /*variadic=*/true).InferStructInfo(SameAsArg0);
    relax::RegisterOp("test.opaque").Args({"x"});  // no inference
    relax::RegisterOp("test.print").Args({"x"}).Impure().InferStructInfo([](const relax::CallNode*) {
      return relax::ObjectSInfo();
    });
    return true;
  }();
  (void)done;
}

inline Expr Op(const std::string& name) {
  RegisterTestOps();
  return relax::GetOp(name);
}

// A call with its struct info inferred, as normalization leaves it.
inline Expr OpCall(const std::string& name, std::vector<Expr> args, ir::Attrs attrs = {}) {
  relax::Op op = relax::GetOp(name);
  Expr call = relax::MakeCall(op, std::move(args), relax::CheckOpAttrs(op.get(), attrs));
  if (op->infer_struct_info) call->struct_info = op->infer_struct_info(call.as<relax::CallNode>());
  return call;
}

// A float32 array 0, 1, 2, ... of `shape`.
inline NDArray Iota(const std::vector<int64_t>& shape, DataType dtype = DataType::Float(32)) {
  NDArray a = NDArray::Empty(shape, dtype, runtime::Device::CPU());
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (dtype == DataType::Float(32)) static_cast<float*>(a.data())[i] = 0.25f * static_cast<float>(i) - 1.0f;
    if (dtype == DataType::Int(32)) static_cast<int32_t*>(a.data())[i] = static_cast<int32_t>(i * 7 - 3);
  }
  return a;
}

// Expects the text of `m` to parse back into an equal module that prints
// the same text; returns the text.
inline std::string ExpectRoundTrip(const ir::IRModule& m, bool map_free_vars = false) {
  std::string text = relax::ToText(m);
  ir::IRModule parsed;
  try {
    parsed = Parse(text);
  } catch (const Error& e) {
    ADD_FAILURE() << e.what() << "\nin:\n" << text;
    return text;
  }
  std::optional<std::string> mismatch = relax::FindMismatch(m, parsed, map_free_vars);
  EXPECT_FALSE(mismatch) << *mismatch << "\nin:\n" << text;
  EXPECT_EQ(relax::ToText(parsed), text);
  return text;
}

// ---- a PrimFunc with every kind of tir node ----

inline tir::PrimFunc EveryTirNode() {
  using namespace tir;
  Var n = SizeVar("n"), m("m", DataType::Int(32)), alpha("alpha", DataType::Float(32));
  Buffer a = DeclBuffer("A", {n, 16});
  Buffer b = DeclBuffer("B", {n, 16}, DataType::Float(16), "global", {16, 1}, PrimExpr(int64_t{0}));
  Buffer c = DeclBuffer("C", {16}, DataType::Int(32));
  Buffer d = DeclBuffer("D", {m}, DataType::Int(8), "global", {}, SizeVar("elem"));
  Var i("i"), j("j"), k("k"), v("v"), x("x"), tx("tx", DataType::Int(32)), w("w", DataType::Int(32));
  std::vector<Stmt> body;
  // loops of every kind, casts, loads and stores
  body.push_back(For(i, 0, n, ForKind::kSerial,
                     For(j, 0, 16, ForKind::kParallel,
                         BufferStore(b, Cast(DataType::Float(16), BufferLoad(a, {i, j}) * alpha + 1.5), {i, j}))));
  body.push_back(For(v, 2, 4, ForKind::kVectorized,
                     BufferStore(c, Broadcast(IntImm(DataType::Int(32), -7), 4), {Ramp(PrimExpr(int64_t{0}), 1, 4)})));
  body.push_back(For(tx, IntImm(DataType::Int(32), 0), IntImm(DataType::Int(32), 32), ForKind::kThreadBinding,
                     Evaluate(tx), "threadIdx.x", {{"pragma_unroll", int64_t{4}}}));
  body.push_back(For(k, 0, 8, ForKind::kUnrolled, Evaluate(Call(DataType::Float(32), "exp", {alpha}))));
  // every binary operator, not, select, let, strings and intrinsics
  PrimExpr ops = (((n + 1) * 2 - floordiv(n, 3)) / 5) % 7 + floormod(n, 4) + min(n, 8) + max(n, 2);
  PrimExpr cmp = logical_or(logical_and(n == 1, n != 2), logical_not(n < 3)) == (n <= 4);
  PrimExpr cmp2 = logical_and(n > 5, n >= 6);
  body.push_back(IfThenElse(logical_and(cmp, cmp2), Evaluate(Select(n > 1, ops, Let(x, n * 2, x + x))),
                            Evaluate(Call(DataType::Int(32), "call_extern", {StringImm("puts\n\"q\""), m}))));
  body.push_back(
      IfThenElse(n > 1, Evaluate(Call(DataType::Float(64), "reinterpret", {IntImm(DataType::UInt(64), -1)}))));
  body.push_back(While(n < IntImm(DataType::Int(64), 3), Evaluate(Call(DataType::Int(32), "tick", {}))));
  // literals of every dtype
  std::vector<PrimExpr> lits = {IntImm(DataType::Int(8), -128),
                                IntImm(DataType::Int(16), 300),
                                IntImm(DataType::UInt(8), 255),
                                IntImm(DataType::UInt(16), 7),
                                IntImm(DataType::UInt(32), 4000000000),
                                FloatImm(DataType::Float(16), 0.5),
                                FloatImm(DataType::Float(64), 0.1),
                                FloatImm(DataType::BFloat16(), -2.0),
                                FloatImm(DataType::Float(32), 1e30),
                                FloatImm(DataType::Float(32), -0.0),
                                Bool(true),
                                Bool(false),
                                IntImm(DataType::Int(64), INT64_MIN),
                                FloatImm(DataType::Float(64), 1.0 / 0.0),
                                FloatImm(DataType::Float(32), -1.0 / 0.0)};
  for (const PrimExpr& lit : lits) body.push_back(Evaluate(lit));
  // let statements, nested and flat; allocation; declared data sharing
  Var y("y", DataType::Int(32)), z = SizeVar("z", DataType::Int(32));
  Buffer t = DeclBuffer("T", {16}, DataType::Float(32), "local");
  Stmt alloc = Allocate(
      t, Seq({BufferStore(t, FloatImm(DataType::Float(32), 0.0), {0}), BufferStore(a, BufferLoad(t, {0}), {0, 0})}));
  body.push_back(LetStmt(y, m + IntImm(DataType::Int(32), 1), Seq({Evaluate(y), alloc})));
  // a block with iteration variables, regions, init, alloc_buffers, predicate and annotations
  Var vi("vi"), vk("vk"), bi("bi"), bk("bk");
  Buffer scratch = DeclBuffer("S", {4}, DataType::Float(32), "shared");
  BlockSpec spec;
  spec.name = "reduce C";
  spec.iter_vars = {{vi, {0, 16}, IterKind::kSpatial, bi}, {vk, {PrimExpr(int64_t{2}), 8}, IterKind::kReduce, bk}};
  spec.reads = {{a, {{vi, 1}, {vk, 4}}}};
  spec.writes = {{c, {{vi, 1}}}};
  spec.init = BufferStore(c, IntImm(DataType::Int(32), 0), {vi});
  spec.body = BufferStore(c, BufferLoad(c, {vi}) + Cast(DataType::Int(32), BufferLoad(a, {vi, vk})), {vi});
  spec.alloc_buffers = {scratch};
  spec.predicate = vi < 12;
  spec.annotations = {{"schedule_rule", "none"}, {"tile", std::vector<runtime::Any>{int64_t{4}, int64_t{8}}}};
  body.push_back(For(bi, 0, 16, ForKind::kSerial, For(bk, 0, 8, ForKind::kSerial, Block(spec))));
  // the tail: a flat let that ends the body (with a size var) and a buffer load of D
  body.push_back(LetStmt(z, IntImm(DataType::Int(32), 3), Evaluate(BufferLoad(d, {z}) + IntImm(DataType::Int(8), 1))));
  std::vector<Var> params;
  std::vector<std::pair<Var, Buffer>> map;
  for (const Buffer& buf : {a, b, c, d}) {
    Var h(buf->name + "_handle", DataType::Handle());
    params.push_back(h);
    map.emplace_back(h, buf);
  }
  params.push_back(n);
  params.push_back(m);
  params.push_back(alpha);
  return MakePrimFunc(params, map, Seq(body), {{"global_symbol", "kernel"}, {"tir.noalias", true}});
}

// ---- a module with every kind of relax node and struct info ----

inline relax::Function Helper() {
  using namespace relax;
  tir::Var k = tir::SizeVar("k");
  Var a = MakeVar("a", TensorSInfo({k, 8}, DataType::Float(32)));
  Var printed = MakeVar("printed", ObjectSInfo());
  Expr body = MakeSeqExpr({BindingBlock{{{printed, OpCall("test.print", {a}), {}}}, false}}, a);
  return MakeFunction({a}, body, a.struct_info(), /*is_pure=*/false, {{"global_symbol", "helper"}});
}

// `big` is the side of a square constant that goes to the meta section.
inline relax::Function Main(const ir::GlobalVar& helper, int64_t big_side) {
  using namespace relax;
  DataType f32 = DataType::Float(32);
  tir::Var n = tir::SizeVar("n"), m = tir::SizeVar("m");
  StructInfo n8 = TensorSInfo({n, 8}, f32);
  Var x = MakeVar("x", TensorSInfo({n, 4}, f32)), w = MakeVar("w", TensorSInfo({4, 8}, f32));
  std::vector<Var> params = {x,
                             w,
                             MakeVar("flag", PrimSInfo(DataType::Bool())),
                             MakeVar("t", TupleSInfo({TensorSInfoOfRank(2, f32), ObjectSInfo()})),
                             MakeVar("s", ShapeSInfo({n, 4})),
                             MakeVar("fn", FuncSInfo({n8}, n8)),
                             MakeVar("u", TensorSInfoOfRank(-1, DataType::Float(16))),
                             MakeVar("v", TensorSInfoOfRank(3, DataType())),
                             MakeVar("o", ObjectSInfo()),
                             MakeVar("pv", PrimSInfo(DataType::Int(64), n)),
                             MakeVar("s2", ShapeSInfoOfRank(2)),
                             MakeVar("s3", ShapeSInfoOfRank(-1)),
                             MakeVar("op", OpaqueFuncSInfo(ObjectSInfo(), false)),
                             MakeVar("e", TupleSInfo({}))};
  auto bind = [](std::vector<Binding>* block, Var var, Expr value, StructInfo cast = {}) {
    block->push_back({var, value, cast});
    return var;
  };
  // A dataflow block of op calls, tuples and a small constant.
  std::vector<Binding> df;
  Expr mm = OpCall("test.matmul", {x, w});
  Var lv0 = bind(&df, MakeDataflowVar("lv0", mm.struct_info()), mm);
  Var lv1 = bind(&df, MakeDataflowVar("lv1", n8), OpCall("test.relu", {lv0}));
  Expr sum = OpCall("test.sum", {lv1}, {{"axis", std::vector<runtime::Any>{int64_t{1}}}, {"keepdims", true}});
  Var lv2 = bind(&df, MakeDataflowVar("lv2", sum.struct_info()), sum);
  Expr tuple = MakeTuple({lv1, lv2});
  tuple->struct_info = TupleSInfo({lv1.struct_info(), lv2.struct_info()});
  Var lv3 = bind(&df, MakeDataflowVar("lv3", tuple->struct_info), tuple);
  Var lv4 = bind(&df, MakeDataflowVar("lv4", n8), MakeTupleGetItem(lv3, 0));
  Expr small = MakeConstant(Iota({2, 2}));
  bind(&df, MakeDataflowVar("lv5", small.struct_info()), small);
  Var lv6 = bind(&df, MakeDataflowVar("lv6", n8), OpCall("test.scale", {lv4}, {{"factor", 0.5}, {"mode", "cubic"}}));
  Var gv = bind(&df, MakeVar("gv", n8), OpCall("test.add", {lv6, lv4}));
  // A plain block with every other kind of expression.
  std::vector<Binding> plain;
  Expr big = MakeConstant(Iota({big_side, big_side}));
  bind(&plain, MakeVar("big", big.struct_info()), big);
  Expr ints = MakeConstant(Iota({3}, DataType::Int(32)));
  bind(&plain, MakeVar("ints", ints.struct_info()), ints);
  NDArray scalar = NDArray::Empty({}, f32, runtime::Device::CPU());
  *static_cast<float*>(scalar.data()) = 2.5f;
  bind(&plain, MakeVar("scalar", TensorSInfo({}, f32)), MakeConstant(scalar));
  bind(&plain, MakeVar("sh", ShapeSInfo({n, 4})), MakeShapeExpr({n, 4}));
  bind(&plain, MakeVar("pval", PrimSInfo(DataType::Int(64), n + 1)), MakePrimValue(n + 1));
  bind(&plain, MakeVar("str", ObjectSInfo()), MakeStringImm("hello \"world\"\n"));
  Expr ext = MakeCall(MakeExternFunc("my_func"), {gv}, {}, {n8});
  bind(&plain, MakeVar("ext", n8), ext);
  Var y = bind(&plain, MakeVar("y", TensorSInfo({m, 8}, f32)), gv, TensorSInfo({m, 8}, f32));
  Var inner = MakeVar("inner", n8);
  Expr branch = MakeSeqExpr({BindingBlock{{{inner, OpCall("test.relu", {gv}), {}}}, false}}, inner);
  Var z = bind(&plain, MakeVar("z", n8), MakeIf(params[2], branch, gv));
  Var q = MakeVar("q", n8);
  Function lambda = MakeFunction({q}, OpCall("test.relu", {q}), n8);
  Var g = bind(&plain, MakeVar("g", lambda->struct_info), lambda);
  bind(&plain, MakeVar("r", n8), MakeCall(g, {gv}));
  bind(&plain, MakeVar("h", n8), MakeCall(helper, {gv}, {{"note", "extra"}}));
  bind(&plain, MakeVar("x", n8), MakeSeqExpr({}, gv));  // a second "x"
  bind(&plain, MakeVar("opref", ObjectSInfo()), Op("test.relu"));
  std::vector<BindingBlock> blocks = {{df, true}, {plain, false}, {{}, true}, {{}, false}};
  blocks.push_back({{{MakeVar("last", n8), gv, {}}}, false});  // a plain block right after another
  Expr out = MakeTuple({y, z});
  StructInfo ret = TupleSInfo({y.struct_info(), z.struct_info()});
  return MakeFunction(params, MakeSeqExpr(blocks, out), ret, true, {{"global_symbol", "main"}});
}

inline ir::IRModule EveryRelaxNode(int64_t big_side = 64) {
  RegisterTestOps();
  ir::GlobalVar helper = ir::MakeGlobalVar("helper"), main = ir::MakeGlobalVar("main");
  ir::GlobalVar kernel = ir::MakeGlobalVar("kernel");
  ir::Attrs attrs = {{"target", "llvm -mcpu=znver4"},
                     {"opt_level", int64_t{3}},
                     {"ratio", 0.1},
                     {"flags", std::vector<runtime::Any>{true, runtime::Any(), "s", 2.5, DataType::Float(16)}},
                     {"device", runtime::Device::CUDA(1)},
                     {"shape", std::vector<int64_t>{1, 2}},
                     {"expr", tir::Binary(tir::BinaryOp::kAdd, 1, 2)},
                     {"entry", main},
                     {"weights", Iota({3})}};
  return ir::IRModule({{helper, Helper()}, {kernel, EveryTirNode()}, {main, Main(helper, big_side)}}, attrs);
}

}  // namespace kiln::text::testing
