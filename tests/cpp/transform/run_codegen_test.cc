// RunCodegen: functions FuseOpsByPattern tagged "Codegen" handed to a
// registered external code generator (what it receives, the module after:
// call_dps_packed of the symbol, tagged and Composite functions gone, the
// returned module recorded), errors for an unregistered codegen and a
// missing symbol, and end to end through kiln::Compile with a C++ code
// generator and the shipped "c" one, symbolic batch included.
#include "kiln/transform/run_codegen.h"

#include <algorithm>
#include <cmath>

#include "common/test_util.h"
#include "kiln/codegen/external.h"
#include "kiln/compile.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/runtime/vm/vm.h"
#include "kiln/text/parser.h"
#include "kiln/transform/fuse_ops_by_pattern.h"
#include "kiln/transform/pipeline.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using relax::IsOp;
using relax::Wildcard;
using runtime::NDArray;
using testing::ExpectRewrite;

ir::IRModule Module(const std::string& funcs) {
  return text::Parse("module {\n" + funcs + "\n}");
}

const char* kModel = R"(
  func @main(x: Tensor((n, 8), float32), y: Tensor((n, 8), float32)) -> Tensor((n, 8), float32) {
    with dataflow {
      lv: Tensor((n, 8), float32) = add(x, y)
      lv1: Tensor((n, 8), float32) = relu(lv)
      output gv: Tensor((n, 8), float32) = multiply(lv1, y)
    }
    return gv
  })";

Pass Partition(const std::string& codegen) {
  relax::Pattern p = IsOp("relax.relu", {IsOp("relax.add", {Wildcard(), Wildcard()})});
  return FuseOpsByPattern({{codegen + ".add_relu", p, {}}}, true);
}

std::vector<float> Values(const NDArray& a) {
  std::vector<float> out(a.numel());
  a.CopyToBytes(out.data(), out.size() * sizeof(float));
  return out;
}

NDArray Array(int64_t rows, const std::vector<float>& values) {
  NDArray a = NDArray::Empty({rows, 8}, runtime::DataType::Float(32), runtime::Device::CPU());
  a.CopyFromBytes(values.data(), values.size() * sizeof(float));
  return a;
}

// out = relu(x + y), as a code generator written in C++ would provide it.
runtime::Function AddRelu(const std::string& name) {
  return runtime::Function::FromTyped(name, [](NDArray x, NDArray y, NDArray out) {
    std::vector<float> a = Values(x), b = Values(y);
    for (size_t i = 0; i < a.size(); ++i) a[i] = std::max(a[i] + b[i], 0.0f);
    out.CopyFromBytes(a.data(), a.size() * sizeof(float));
  });
}

// Registers "cpptest": records what it was handed and returns AddRelu per symbol.
struct CppCodegen {
  std::vector<std::string> handed;  // names of the functions in the module it got
  CppCodegen() {
    codegen::RegisterExternalCodegen(
        "cpptest",
        [this](const ir::IRModule& funcs) {
          std::map<std::string, runtime::Function> fs;
          handed.clear();
          for (const auto& [gv, f] : funcs.functions()) {
            handed.push_back(gv->name);
            if (f->attrs.Get<std::string>("Codegen", "") == "cpptest") fs[gv->name] = AddRelu(gv->name);
          }
          return codegen::MakeFunctionModule(std::move(fs));
        },
        true);
  }
  ~CppCodegen() { codegen::RemoveExternalCodegen("cpptest"); }
};

TEST(RunCodegen, HandsTaggedFunctionsAndCallsTheirSymbols) {
  CppCodegen cg;
  ir::IRModule before = Partition("cpptest")(Module(kModel));
  ir::IRModule after = RunCodegen()(before);
  EXPECT_EQ(cg.handed, (std::vector<std::string>{"cpptest_add_relu", "fused_cpptest_add_relu"}));
  ir::IRModule expected = Module(R"(
  func @main(x: Tensor((n, 8), float32), y: Tensor((n, 8), float32)) -> Tensor((n, 8), float32) {
    with dataflow {
      lv1: Tensor((n, 8), float32) = call_dps_packed(extern("fused_cpptest_add_relu"), (x, y), sinfo_args=[Tensor((n, 8), float32)])
      output gv: Tensor((n, 8), float32) = multiply(lv1, y)
    }
    return gv
  })");
  ExpectRewrite(before, after.WithAttrs({}), expected);
  auto mods = after.attrs().Find(kExternalModsAttr)->Cast<std::vector<runtime::Any>>();
  ASSERT_EQ(mods.size(), 1u);
  EXPECT_EQ(mods[0].Cast<runtime::Module>().kind(), "functions");
}

TEST(RunCodegen, NoTaggedFunctionsLeavesTheModule) {
  ir::IRModule mod = Module(kModel);
  EXPECT_EQ(RunCodegen()(mod).get(), mod.get());
}

TEST(RunCodegen, Errors) {
  EXPECT_KILN_ERROR(RunCodegen()(Partition("nosuch")(Module(kModel))),
                    "function 'fused_nosuch_add_relu' has attr Codegen=\"nosuch\", but no external code generator is "
                    "registered as 'nosuch' (registered: c");
  codegen::RegisterExternalCodegen(
      "emptytest", [](const ir::IRModule&) { return codegen::MakeFunctionModule({}); }, true);
  EXPECT_KILN_ERROR(
      RunCodegen()(Partition("emptytest")(Module(kModel))),
      "the code generator 'emptytest' returned (kind functions) has no function 'fused_emptytest_add_relu'");
  codegen::RemoveExternalCodegen("emptytest");
  EXPECT_KILN_ERROR(codegen::RegisterExternalCodegen("c", [](const ir::IRModule&) { return runtime::Module(); }),
                    "already registered as 'c'");
  // Compile refuses a tagged function that no RunCodegen handed over.
  EXPECT_KILN_ERROR(Compile(Partition("cpptest")(Module(kModel)), "llvm"), "has attr Codegen=\"cpptest\"");
}

// relu(x + y) * y through the default pipeline with the partition and
// RunCodegen in front, for a C++ code generator and the "c" one.
void ExpectEndToEnd(const std::string& codegen) {
  std::vector<Pass> passes = GetPipelinePasses("default", "llvm");
  passes.insert(passes.begin() + 1, {Partition(codegen), RunCodegen()});
  CompiledModule c = Compile(Module(kModel), "llvm", Sequential(passes, "byoc"));
  ASSERT_EQ(c->kernels.imports().size(), 1u);
  runtime::vm::VirtualMachine vm(c->exec, c->kernels, runtime::Device::CPU());
  for (int64_t n : {1, 3}) {
    std::vector<float> x(n * 8), y(n * 8);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = static_cast<float>(i % 5) - 2.0f;
      y[i] = 0.5f * static_cast<float>(i % 3) - 0.5f;
    }
    std::vector<float> got = Values(vm.Invoke("main", {Array(n, x), Array(n, y)}).Cast<NDArray>());
    ASSERT_EQ(got.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(got[i], std::max(x[i] + y[i], 0.0f) * y[i]) << codegen;
  }
}

TEST(RunCodegen, EndToEndWithCppCodegen) {
  CppCodegen cg;
  ExpectEndToEnd("cpptest");
}

TEST(RunCodegen, EndToEndWithCCodegen) {
  ExpectEndToEnd("c");
}

}  // namespace
}  // namespace kiln::transform
