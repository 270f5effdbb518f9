// Custom operators from C++: an op registered at run time (inference,
// attribute, pattern kind, legalization with te) parses, prints, legalizes,
// fuses with its neighbours and runs like a built-in op; a kernel registered
// by name (KILN_REGISTER_FUNCTION) is called from a compiled model with
// call_dps_packed; bad input and a missing function are errors naming them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/test_util.h"
#include "kiln/compile.h"
#include "kiln/relax/legalize.h"
#include "kiln/relax/printer.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/runtime/vm/vm.h"
#include "kiln/text/parser.h"
#include "kiln/tir/intrinsics.h"

namespace kiln::relax {
namespace {

using runtime::DataType;
using runtime::Device;
using runtime::NDArray;
using runtime::vm::VirtualMachine;
namespace te = tir::te;

// softplus_beta(x) = log(1 + exp(beta * x)) / beta, for float tensors.
StructInfo InferSoftplusBeta(const CallNode* call) {
  auto x = call->args[0].struct_info().As<TensorStructInfoNode>();
  KILN_CHECK(x) << "custom.softplus_beta: argument 'x' must be a tensor";
  KILN_CHECK(x->dtype.is_float()) << "custom.softplus_beta: argument 'x' must be float, got " << x->dtype;
  KILN_CHECK(call->attrs.Get<double>("beta", 1.0) > 0) << "custom.softplus_beta: beta must be positive";
  return call->args[0].struct_info();
}

Expr LegalizeSoftplusBeta(BlockBuilder& bb, const CallNode* call) {
  double beta = call->attrs.Get<double>("beta", 1.0);
  return CallTE(bb, call, "softplus_beta", [&](const std::vector<te::Tensor>& in) {
    const te::Tensor& x = in[0];
    return te::compute(
        x.shape(),
        [&](const std::vector<tir::Var>& i) {
          DataType t = x.dtype();
          tir::PrimExpr bx = tir::MakeConst(t, beta) * x.Read(std::vector<tir::PrimExpr>(i.begin(), i.end()));
          return tir::log(tir::MakeConst(t, 1) + tir::exp(bx)) / tir::MakeConst(t, beta);
        },
        "softplus_beta");
  });
}

// Registers the op for one test and takes it out again.
class SoftplusBetaOp {
 public:
  SoftplusBetaOp() {
    RegisterOp("custom.softplus_beta")
        .Describe("log(1 + exp(beta * x)) / beta")
        .Args({"x"})
        .Attr("beta", AttrKind::kFloat, 1.0, "sharpness")
        .Pattern(OpPattern::kElementwise)
        .InferStructInfo(InferSoftplusBeta)
        .Legalize(LegalizeSoftplusBeta);
  }
  ~SoftplusBetaOp() { RemoveOp("custom.softplus_beta"); }
};

constexpr const char* kModel = R"(
module {
  func @main(x: Tensor((n, 8), float32), y: Tensor((n, 8), float32)) -> Tensor((n, 8), float32) {
    with dataflow {
      a = add(x, y)
      b = custom.softplus_beta(a, beta=2.0)
      output c = multiply(b, x)
    }
    return c
  }
}
)";

NDArray Array(const std::vector<int64_t>& shape, const std::vector<float>& values) {
  NDArray a = NDArray::Empty(shape, DataType::Float(32), Device::CPU());
  a.CopyFromBytes(values.data(), values.size() * sizeof(float));
  return a;
}

std::vector<float> Values(const NDArray& a) {
  int64_t n = 1;
  for (int64_t d : a.shape()) n *= d;
  std::vector<float> out(n);
  a.CopyToBytes(out.data(), out.size() * sizeof(float));
  return out;
}

std::vector<float> Ramp(size_t n, float start, float step) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

size_t CountPrimFuncs(const ir::IRModule& mod) {
  size_t n = 0;
  for (const auto& [gv, f] : mod->functions) n += f.As<tir::PrimFuncNode>() ? 1 : 0;
  return n;
}

TEST(CustomOp, RegisteredAtRunTimeParsesPrintsAndRoundTrips) {
  SoftplusBetaOp registered;
  ir::IRModule mod = Parse(kModel);
  std::string text = ToText(mod);
  EXPECT_NE(text.find("custom.softplus_beta(a, beta=2.0)"), std::string::npos) << text;
  std::optional<std::string> mismatch = FindMismatch(Parse(text), mod);
  EXPECT_FALSE(mismatch.has_value()) << mismatch.value_or("");
  EXPECT_EQ(GetOp("custom.softplus_beta")->pattern, OpPattern::kElementwise);
}

TEST(CustomOp, LegalizesFusesWithNeighboursAndRuns) {
  SoftplusBetaOp registered;
  CompiledModule c = Compile(Parse(kModel), "llvm");
  // add, softplus_beta and multiply become one kernel.
  EXPECT_EQ(CountPrimFuncs(c->lowered), 1u) << ToText(c->lowered);
  VirtualMachine vm(c->exec, c->kernels, Device::CPU());
  for (int64_t n : {1, 3}) {
    std::vector<float> x = Ramp(n * 8, -2.0f, 0.1f), y = Ramp(n * 8, 1.0f, -0.05f);
    NDArray out = vm.Invoke("main", {Array({n, 8}, x), Array({n, 8}, y)}).Cast<NDArray>();
    std::vector<float> got = Values(out);
    ASSERT_EQ(got.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      float want = std::log1p(std::exp(2.0f * (x[i] + y[i]))) / 2.0f * x[i];
      EXPECT_NEAR(got[i], want, 1e-5f) << "n = " << n << ", element " << i;
    }
  }
}

TEST(CustomOp, BadInputAndRemovedOpAreErrorsNamingTheOp) {
  {
    SoftplusBetaOp registered;
    EXPECT_KILN_ERROR(Parse(R"(module {
      func @main(x: Tensor((4,), int32)) -> Tensor((4,), int32) {
        y = custom.softplus_beta(x)
        return y
      }
    })"),
                      "custom.softplus_beta: argument 'x' must be float, got int32");
    EXPECT_KILN_ERROR(Parse(R"(module {
      func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
        y = custom.softplus_beta(x, gamma=1.0)
        return y
      }
    })"),
                      "custom.softplus_beta: unknown attribute 'gamma' (it takes: beta)");
    EXPECT_KILN_ERROR(RegisterOp("custom.softplus_beta"), "op 'custom.softplus_beta' is already registered");
  }
  EXPECT_FALSE(FindOp("custom.softplus_beta"));
  EXPECT_KILN_ERROR(Parse(kModel), "custom.softplus_beta");
  EXPECT_KILN_ERROR(RemoveOp("custom.softplus_beta"), "no op 'custom.softplus_beta' is registered");
}

// out[i, j] = max(x[i, 0..j]): a kernel of our own, called by name.
KILN_REGISTER_FUNCTION("test.custom_op.row_cummax", [](NDArray x, NDArray out) {
  int64_t rows = x.shape()[0], cols = x.shape()[1];
  const float* src = static_cast<const float*>(x.data());
  float* dst = static_cast<float*>(out.data());
  for (int64_t i = 0; i < rows; ++i) {
    float m = src[i * cols];
    for (int64_t j = 0; j < cols; ++j) dst[i * cols + j] = m = std::max(m, src[i * cols + j]);
  }
});

constexpr const char* kPackedModel = R"(
module {
  func @main(x: Tensor((n, 5), float32)) -> Tensor((n, 5), float32) {
    with dataflow {
      a = exp(x)
      b = call_dps_packed(extern("test.custom_op.row_cummax"), (a,), sinfo_args=[Tensor((n, 5), float32)])
      output c = add(b, x)
    }
    return c
  }
}
)";

TEST(CustomOp, CallDpsPackedCallsAFunctionRegisteredInCpp) {
  CompiledModule c = Compile(Parse(kPackedModel), "llvm");
  VirtualMachine vm(c->exec, c->kernels, Device::CPU());
  std::vector<float> x = {0.5f, -1, 2, 1, 3, -2, -3, 0, 1, -1};
  std::vector<float> got = Values(vm.Invoke("main", {Array({2, 5}, x)}).Cast<NDArray>());
  for (int64_t i = 0; i < 2; ++i) {
    float m = -INFINITY;
    for (int64_t j = 0; j < 5; ++j) {
      m = std::max(m, std::exp(x[i * 5 + j]));
      EXPECT_NEAR(got[i * 5 + j], m + x[i * 5 + j], 1e-5f) << "row " << i << ", column " << j;
    }
  }
}

TEST(CustomOp, AMissingPackedFunctionIsNamedWhenTheVMLoads) {
  std::string text = kPackedModel;
  text.replace(text.find("row_cummax"), 10, "not_there");
  auto run = [&] {
    CompiledModule c = Compile(Parse(text), "llvm");
    VirtualMachine vm(c->exec, c->kernels, Device::CPU());
    vm.Invoke("main", {Array({1, 5}, std::vector<float>(5))});
  };
  EXPECT_KILN_ERROR(run(), "test.custom_op.not_there");
}

}  // namespace
}  // namespace kiln::relax
