// Every registered relax op through the text format: for each op in the
// registry, a call with valid arguments and attributes (from the table of
// examples below) is normalized into a module, printed, parsed back and
// compared structurally. An op registered without an example fails
// EveryOpHasAnExample: add one to the table when adding an op.
#include <functional>
#include <map>

#include "common/test_util.h"
#include "kiln/relax/block_builder.h"
#include "kiln/relax/op.h"
#include "kiln/relax/op/binary.h"
#include "kiln/relax/op/cast.h"
#include "kiln/relax/op/conv.h"
#include "kiln/relax/op/create.h"
#include "kiln/relax/op/cumsum_topk.h"
#include "kiln/relax/op/einsum.h"
#include "kiln/relax/op/image.h"
#include "kiln/relax/op/index.h"
#include "kiln/relax/op/layout.h"
#include "kiln/relax/op/manipulate.h"
#include "kiln/relax/op/matmul.h"
#include "kiln/relax/op/memory.h"
#include "kiln/relax/op/norm.h"
#include "kiln/relax/op/pooling.h"
#include "kiln/relax/op/reduce.h"
#include "kiln/relax/op/softmax.h"
#include "kiln/relax/op/tir_call.h"
#include "kiln/relax/op/unary.h"
#include "kiln/relax/printer.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/text/parser.h"
#include "kiln/tir/function.h"

namespace kiln::text {
namespace {

using namespace relax;
using runtime::DataType;
using tir::PrimExpr;

const DataType kF32 = DataType::Float(32), kI64 = DataType::Int(64), kBool = DataType::Bool();

// Convolution options with `stride` on every axis.
op::ConvOptions Strided(int64_t stride) {
  op::ConvOptions o;
  o.strides = {stride};
  return o;
}

// Shapes and int lists without braces (which keep the table of examples
// one line per op).
template <typename... D>
std::vector<PrimExpr> Dims(D... dims) {
  return {PrimExpr(dims)...};
}
template <typename... I>
std::vector<int64_t> Ints(I... values) {
  return {static_cast<int64_t>(values)...};
}

// What an example builds its call from: tensor parameters of @main (made on
// demand), a symbolic batch size, and @kernel, a tir function of the module.
struct Inputs {
  std::vector<Var> params;
  tir::Var n = tir::SizeVar("n");
  ir::GlobalVar kernel = ir::MakeGlobalVar("kernel");

  // A float32 tensor parameter of shape (dims...).
  template <typename... D>
  Var T(D... dims) {
    return Of(kF32, dims...);
  }
  template <typename... D>
  Var Of(DataType dtype, D... dims) {
    params.push_back(MakeVar("p" + std::to_string(params.size()), TensorSInfo(Dims(dims...), dtype)));
    return params.back();
  }
};

using Example = std::function<Expr(Inputs&)>;

// One example call per op, by registry name. Shapes are small and valid;
// attributes differ from their defaults where that is easy, so that they
// print.
const std::map<std::string, Example>& Examples() {
  static const auto* examples = new std::map<std::string, Example>{
      // unary
      {"relax.abs", [](Inputs& in) { return op::abs(in.T(in.n, 4)); }},
      {"relax.erf", [](Inputs& in) { return op::erf(in.T(4)); }},
      {"relax.floor", [](Inputs& in) { return op::floor(in.T(4)); }},
      {"relax.ceil", [](Inputs& in) { return op::ceil(in.T(4)); }},
      {"relax.round", [](Inputs& in) { return op::round(in.T(4)); }},
      {"relax.exp", [](Inputs& in) { return op::exp(in.T(4)); }},
      {"relax.log", [](Inputs& in) { return op::log(in.T(4)); }},
      {"relax.neg", [](Inputs& in) { return op::neg(in.T(4)); }},
      {"relax.relu", [](Inputs& in) { return op::relu(in.T(in.n, 4)); }},
      {"relax.rsqrt", [](Inputs& in) { return op::rsqrt(in.T(4)); }},
      {"relax.sigmoid", [](Inputs& in) { return op::sigmoid(in.T(4)); }},
      {"relax.silu", [](Inputs& in) { return op::silu(in.T(4)); }},
      {"relax.sqrt", [](Inputs& in) { return op::sqrt(in.T(4)); }},
      {"relax.tanh", [](Inputs& in) { return op::tanh(in.T(4)); }},
      {"relax.gelu", [](Inputs& in) { return op::gelu(in.T(4), "tanh"); }},
      {"relax.clip", [](Inputs& in) { return op::clip(in.T(4), -1.5, 6.0); }},
      // binary and where
      {"relax.add", [](Inputs& in) { return op::add(in.T(in.n, 4), in.T(4)); }},
      {"relax.subtract", [](Inputs& in) { return op::subtract(in.T(2, 4), in.T(1, 4)); }},
      {"relax.multiply", [](Inputs& in) { return op::multiply(in.T(4), in.T(4)); }},
      {"relax.divide", [](Inputs& in) { return op::divide(in.T(4), in.T(4)); }},
      {"relax.power", [](Inputs& in) { return op::power(in.T(4), in.T(4)); }},
      {"relax.maximum", [](Inputs& in) { return op::maximum(in.T(4), in.T(4)); }},
      {"relax.minimum", [](Inputs& in) { return op::minimum(in.T(4), in.T(4)); }},
      {"relax.equal", [](Inputs& in) { return op::equal(in.T(4), in.T(4)); }},
      {"relax.not_equal", [](Inputs& in) { return op::not_equal(in.T(4), in.T(4)); }},
      {"relax.less", [](Inputs& in) { return op::less(in.T(4), in.T(4)); }},
      {"relax.less_equal", [](Inputs& in) { return op::less_equal(in.T(4), in.T(4)); }},
      {"relax.greater", [](Inputs& in) { return op::greater(in.T(4), in.T(4)); }},
      {"relax.greater_equal", [](Inputs& in) { return op::greater_equal(in.T(4), in.T(4)); }},
      {"relax.logical_and", [](Inputs& in) { return op::logical_and(in.Of(kBool, 4), in.Of(kBool, 4)); }},
      {"relax.logical_or", [](Inputs& in) { return op::logical_or(in.Of(kBool, 4), in.Of(kBool, 4)); }},
      {"relax.where", [](Inputs& in) { return op::where(in.Of(kBool, 4), in.T(4), in.T(1)); }},
      // reductions, scans, top-k
      {"relax.sum", [](Inputs& in) { return op::sum(in.T(in.n, 4), Ints(1), true); }},
      {"relax.mean", [](Inputs& in) { return op::mean(in.T(2, 4), Ints(0)); }},
      {"relax.max", [](Inputs& in) { return op::max(in.T(2, 4)); }},
      {"relax.min", [](Inputs& in) { return op::min(in.T(2, 4), Ints(-1)); }},
      {"relax.prod", [](Inputs& in) { return op::prod(in.T(2, 4), Ints(1)); }},
      {"relax.variance", [](Inputs& in) { return op::variance(in.T(2, 4), Ints(1), false, 1); }},
      {"relax.argmax", [](Inputs& in) { return op::argmax(in.T(2, 4), 1); }},
      {"relax.argmin", [](Inputs& in) { return op::argmin(in.T(2, 4), 0, true); }},
      {"relax.cumsum", [](Inputs& in) { return op::cumsum(in.T(2, 4), 1, DataType::Float(64), true); }},
      {"relax.topk", [](Inputs& in) { return op::topk(in.T(2, 8), 3, -1, false, DataType::Int(32)); }},
      // normalization and softmax
      {"relax.softmax", [](Inputs& in) { return op::softmax(in.T(in.n, 8), 1); }},
      {"relax.log_softmax", [](Inputs& in) { return op::log_softmax(in.T(in.n, 8)); }},
      {"relax.layer_norm", [](Inputs& in) { return op::layer_norm(in.T(in.n, 8), in.T(8), in.T(8)); }},
      {"relax.rms_norm", [](Inputs& in) { return op::rms_norm(in.T(2, 8), in.T(8), Ints(-1), 1e-6); }},
      {"relax.group_norm", [](Inputs& in) { return op::group_norm(in.T(2, 4, 3, 3), in.T(4), in.T(4), 2); }},
      {"relax.batch_norm",
       [](Inputs& in) { return op::batch_norm(in.T(2, 4, 3, 3), in.T(4), in.T(4), in.T(4), in.T(4)); }},
      // linear algebra
      {"relax.matmul", [](Inputs& in) { return op::matmul(in.T(in.n, 8), in.T(8, 4)); }},
      {"relax.linear", [](Inputs& in) { return op::linear(in.T(in.n, 8), in.T(4, 8), in.T(4)); }},
      {"relax.einsum",
       [](Inputs& in) {
         return op::einsum(std::vector<Expr>{in.T(2, 3), in.T(3, 4)}, "ij,jk->ik");
       }},
      // convolution, pooling, resizing
      {"relax.conv1d", [](Inputs& in) { return op::conv1d(in.T(1, 2, 8), in.T(4, 2, 3)); }},
      {"relax.conv2d", [](Inputs& in) { return op::conv2d(in.T(1, 2, 8, 8), in.T(4, 2, 3, 3), Strided(2)); }},
      {"relax.conv2d_transpose", [](Inputs& in) { return op::conv2d_transpose(in.T(1, 4, 4, 4), in.T(4, 2, 3, 3)); }},
      {"relax.max_pool2d", [](Inputs& in) { return op::max_pool2d(in.T(1, 2, 8, 8), Ints(2, 2)); }},
      {"relax.avg_pool2d", [](Inputs& in) { return op::avg_pool2d(in.T(1, 2, 8, 8), Ints(3, 3), {}, true); }},
      {"relax.adaptive_avg_pool2d", [](Inputs& in) { return op::adaptive_avg_pool2d(in.T(1, 2, 8, 8), Ints(1, 1)); }},
      {"relax.resize2d", [](Inputs& in) { return op::resize2d(in.T(1, 2, 4, 4), Dims(8, 8)); }},
      // creation
      {"relax.zeros", [](Inputs&) { return op::zeros(Dims(3, 4)); }},
      {"relax.ones", [](Inputs&) { return op::ones(Dims(2, 3), DataType::Float(16)); }},
      {"relax.full", [](Inputs&) { return op::full(Dims(2, 3), 0.5); }},
      {"relax.zeros_like", [](Inputs& in) { return op::zeros_like(in.T(4)); }},
      {"relax.ones_like", [](Inputs& in) { return op::ones_like(in.T(4), kI64); }},
      {"relax.full_like", [](Inputs& in) { return op::full_like(in.T(4), -2.0); }},
      {"relax.arange", [](Inputs&) { return op::arange(0, 10, 2); }},
      {"relax.tril", [](Inputs& in) { return op::tril(in.T(4, 4), 1); }},
      {"relax.triu", [](Inputs& in) { return op::triu(in.T(4, 4), -1); }},
      // casts and indexing
      {"relax.astype", [](Inputs& in) { return op::astype(in.T(4), DataType::Float(16)); }},
      {"relax.take", [](Inputs& in) { return op::take(in.T(8, 4), in.Of(kI64, 3), 0); }},
      {"relax.gather_elements", [](Inputs& in) { return op::gather_elements(in.T(2, 4), in.Of(kI64, 2, 3), 1); }},
      {"relax.scatter_elements",
       [](Inputs& in) { return op::scatter_elements(in.T(2, 4), in.Of(kI64, 2, 3), in.T(2, 3), 1, "add"); }},
      // layout and shape
      {"relax.reshape", [](Inputs& in) { return op::reshape(in.T(2, 6), Ints(3, -1)); }},
      {"relax.permute_dims", [](Inputs& in) { return op::permute_dims(in.T(2, 3, 4), Ints(2, 0, 1)); }},
      {"relax.layout_transform",
       [](Inputs& in) { return op::layout_transform(in.T(1, 32, 4, 4), "NCHW", "NCHW16c"); }},
      {"relax.concat", [](Inputs& in) { return op::concat(std::vector<Expr>{in.T(in.n, 4), in.T(in.n, 4)}, 1); }},
      {"relax.split", [](Inputs& in) { return op::split(in.T(6, 4), 3); }},
      {"relax.strided_slice",
       [](Inputs& in) { return op::strided_slice(in.T(8, 4), Ints(0), Ints(1), Ints(7), Ints(2)); }},
      {"relax.expand_dims", [](Inputs& in) { return op::expand_dims(in.T(4), Ints(0)); }},
      {"relax.squeeze", [](Inputs& in) { return op::squeeze(in.T(1, 4)); }},
      {"relax.flatten", [](Inputs& in) { return op::flatten(in.T(2, 3, 4), 1); }},
      {"relax.broadcast_to", [](Inputs& in) { return op::broadcast_to(in.T(in.n, 1), Dims(in.n, 4)); }},
      {"relax.tile", [](Inputs& in) { return op::tile(in.T(2, 4), Ints(2, 1)); }},
      {"relax.repeat", [](Inputs& in) { return op::repeat(in.T(2, 4), 3, 1); }},
      // destination-passing calls (@kernel is a tir function of the module)
      {"relax.call_tir",
       [](Inputs& in) { return op::call_tir(in.kernel, {in.T(2, 3)}, TensorSInfo(Dims(2, 3), kF32)); }},
      {"relax.call_tir_inplace",
       [](Inputs&
              in) { return op::call_tir_inplace(in.kernel, {in.T(2, 3)}, Ints(0), TensorSInfo(Dims(2, 3), kF32)); }},
      {"relax.call_dps_packed",
       [](Inputs& in) { return op::call_dps_packed("my_kernel", {in.T(4)}, TensorSInfo(Dims(4), kF32)); }},
      // allocation (memory planning); a storage is an object parameter
      {"relax.builtin.alloc_tensor", [](Inputs&) { return op::builtin_alloc_tensor(Dims(2, 4), kF32, 1); }},
      {"relax.memory.alloc_storage", [](Inputs&) { return op::memory_alloc_storage(256, 0, "global", kF32); }},
      {"relax.memory.alloc_tensor",
       [](Inputs& in) {
         in.params.push_back(MakeVar("s", ObjectSInfo()));
         return op::memory_alloc_tensor(in.params.back(), Dims(2, 4), kF32, 64);
       }},
      {"relax.memory.kill_storage",
       [](Inputs& in) {
         in.params.push_back(MakeVar("s", ObjectSInfo()));
         return op::memory_kill_storage(in.params.back());
       }},
      {"relax.memory.kill_tensor", [](Inputs& in) { return op::memory_kill_tensor(in.T(4)); }},
  };
  return *examples;
}

// The ops of the registry that the table must cover: all but the "test."
// ops that other tests of this program register.
std::vector<std::string> RegisteredOps() {
  std::vector<std::string> names;
  for (const Op& op : ListOps()) {
    if (op->name.rfind("test.", 0) != 0) names.push_back(op->name);
  }
  return names;
}

// kernel(A: float32[2, 3], B: float32[2, 3]): B[0, 0] = A[0, 0].
tir::PrimFunc Kernel() {
  tir::Buffer a = tir::DeclBuffer("A", {2, 3}), b = tir::DeclBuffer("B", {2, 3});
  return tir::MakePrimFunc({a, b}, tir::BufferStore(b, tir::BufferLoad(a, {0, 0}), {0, 0}));
}

// A module whose @main binds the example call of `op_name`, normalized (so
// its struct info is inferred: the example is valid), and returns it.
ir::IRModule ModuleCalling(const std::string& op_name) {
  Inputs in;
  Expr call = Examples().at(op_name)(in);
  const CallNode* node = call.as<CallNode>();
  EXPECT_TRUE(node && node->op.get() == GetOp(op_name).get()) << "the example of " << op_name << " calls another op";
  BlockBuilder bb(ir::IRModule({{in.kernel, ir::BaseFunc(Kernel())}}));
  bb.BeginFunction("main", in.params, {{"global_symbol", "main"}}, GetOp(op_name)->is_pure);
  Var out = bb.Emit(call, "out");
  bb.EndFunction(out);
  return bb.GetModule();
}

TEST(OpRoundTrip, EveryOpHasAnExample) {
  for (const std::string& name : RegisteredOps()) {
    EXPECT_TRUE(Examples().count(name)) << "op '" << name
                                        << "' has no example call in tests/cpp/text/op_round_trip_test.cc; add one";
  }
  for (const auto& [name, example] : Examples()) {
    EXPECT_TRUE(FindOp(name)) << "the example of '" << name << "' names no registered op";
  }
}

class OpRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(OpRoundTrip, PrintsAndParsesBack) {
  const std::string& name = GetParam();
  if (!Examples().count(name)) GTEST_SKIP() << "no example (EveryOpHasAnExample fails)";
  ir::IRModule m = ModuleCalling(name);
  std::string text = relax::ToText(m);
  ir::IRModule parsed;
  try {
    parsed = Parse(text);
  } catch (const Error& e) {
    FAIL() << e.what() << "\nin:\n" << text;
  }
  std::optional<std::string> mismatch = relax::FindMismatch(m, parsed);
  EXPECT_FALSE(mismatch) << *mismatch << "\nin:\n" << text;
  EXPECT_EQ(relax::ToText(parsed), text);
}

INSTANTIATE_TEST_SUITE_P(Registry, OpRoundTrip, ::testing::ValuesIn(RegisteredOps()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string id = info.param;
                           for (char& c : id) c = c == '.' ? '_' : c;
                           return id;
                         });

}  // namespace
}  // namespace kiln::text
