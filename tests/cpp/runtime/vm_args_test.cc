// Arguments of calls into the VM: the parameter infos (text form both ways)
// and the checks before a run, with their exact messages: wrong count, kind,
// rank, dtype, constant dimension, and a symbolic n bound by one argument and
// broken by another. The VM stays usable after each.
#include "common/test_util.h"
#include "kiln/runtime/runtime.h"
#include "kiln/runtime/vm/exec_builder.h"
#include "kiln/runtime/vm/vm.h"

namespace kiln::runtime::vm {
namespace {

TEST(VMParamInfo, TextRoundTrip) {
  for (const char* text :
       {"Object", "Tensor", "Tensor((n, 784), float32)", "Tensor((), int64)", "Tensor((8,), bool)",
        "Tensor(float16, ndim=3)", "Tensor(ndim=2)", "Tensor((n, m))", "Shape", "Shape((n, 4))", "Shape(ndim=2)",
        "Prim(int64)", "Prim(float32)", "Prim(value=n)", "Prim(value=3)", "Tuple()",
        "Tuple(Tensor((n,), float32), Tuple(Prim(int64), Object))", "Func", "Tensor((n * 2, n + 1), float32)"}) {
    EXPECT_EQ(ParamInfo::Parse(text).str(), text);
  }
  ParamInfo p = ParamInfo::Parse("  Tensor( ( n ,784 ) ,float32 )");
  EXPECT_EQ(p, ParamInfo::Tensor({DimInfo::Var("n"), DimInfo::Const(784)}, DataType::Float(32)));
  EXPECT_EQ(ParamInfo::Parse("Tensor((n * 2,), float32)").dims->at(0), DimInfo::Expr("n * 2"));
  EXPECT_EQ(ParamInfo::Parse("Func([Tensor((n,), float32)], Object)").kind, ParamInfo::Kind::kFunc);
  EXPECT_EQ(ParamInfo::Parse("Tensor(float32, ndim=2)"), ParamInfo::TensorOfRank(2, DataType::Float(32)));
}

TEST(VMParamInfo, ParseErrors) {
  EXPECT_KILN_ERROR(ParamInfo::Parse("Tensr((n,), float32)"),
                    "cannot parse struct info \"Tensr((n,), float32)\" at position 0: expected Object, Tensor, "
                    "Shape, Prim, Tuple or Func, got 'Tensr'");
  EXPECT_KILN_ERROR(ParamInfo::Parse("Tensor((n,), float33)"), "unknown dtype \"float33\"");
  EXPECT_KILN_ERROR(ParamInfo::Parse("Tensor((n,), float32"), "expected ')'");
  EXPECT_KILN_ERROR(ParamInfo::Parse("Tensor((n,), float32) x"), "unexpected text");
  EXPECT_KILN_ERROR(ParamInfo::Parse("Shape(3)"), "expected a shape or ndim=k");
  EXPECT_KILN_ERROR(ParamInfo::Parse(""), "expected a name");
}

// main(x: Tensor((n, 4), float32), w: Tensor((4, n), float32),
//      k: Prim(value=n), t: Tuple(Shape((n, 2)), Prim(int64))) returns x.
VirtualMachine CheckedVM() {
  ExecBuilder b;
  b.BeginFunction("main", {{"x", ParamInfo::Parse("Tensor((n, 4), float32)")},
                           {"w", ParamInfo::Parse("Tensor((4, n), float32)")},
                           {"k", ParamInfo::Parse("Prim(value=n)")},
                           {"t", ParamInfo::Parse("Tuple(Shape((n, 2)), Prim(int64))")}});
  b.EmitRet(b.Param(0));
  b.EndFunction();
  return VirtualMachine(b.Finish(), Module(), Device::CPU());
}

NDArray Zeros(std::vector<int64_t> shape, DataType dtype = DataType::Float(32)) {
  return NDArray::Empty(shape, dtype, Device::CPU());
}

std::vector<Any> GoodArgs(int64_t n) {
  return {Zeros({n, 4}), Zeros({4, n}), n, std::vector<Any>{std::vector<int64_t>{n, 2}, int64_t{0}}};
}

TEST(VMArgs, GoodArgumentsRun) {
  VirtualMachine vm = CheckedVM();
  std::vector<Any> args = GoodArgs(3);
  EXPECT_EQ(vm.Invoke("main", args).Cast<NDArray>().obj(), args[0].Cast<NDArray>().obj());
  EXPECT_EQ(vm.Invoke("main", GoodArgs(5)).Cast<NDArray>().shape(), (std::vector<int64_t>{5, 4}));
}

TEST(VMArgs, ExactMessages) {
  VirtualMachine vm = CheckedVM();
  const std::string sig =
      "main(x: Tensor((n, 4), float32), w: Tensor((4, n), float32), k: Prim(value=n), "
      "t: Tuple(Shape((n, 2)), Prim(int64)))";
  struct Case {
    std::function<void(std::vector<Any>&)> edit;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](std::vector<Any>& a) { a.pop_back(); }, "main takes 4 arguments but was called with 3: " + sig},
      {[](std::vector<Any>& a) { a[0] = int64_t{1}; },
       "main: argument 'x' (0) must be Tensor((n, 4), float32), got int 1"},
      {[](std::vector<Any>& a) {
         a[0] = Zeros({3, 4, 1});
       },
       "main: argument 'x' (0) must be Tensor((n, 4), float32), got Tensor((3, 4, 1), float32): rank 3, expected 2"},
      {[](std::vector<Any>& a) {
         a[0] = Zeros({3, 4}, DataType::Int(32));
       },
       "main: argument 'x' (0) must be Tensor((n, 4), float32), got Tensor((3, 4), int32): dtype int32, expected "
       "float32"},
      {[](std::vector<Any>& a) {
         a[0] = Zeros({3, 5});
       },
       "main: argument 'x' (0) must be Tensor((n, 4), float32), got Tensor((3, 5), float32): dimension 1 is 5, "
       "expected 4"},
      {[](std::vector<Any>& a) {
         a[1] = Zeros({4, 2});
       },
       "main: argument 'w' (1) must be Tensor((4, n), float32), got Tensor((4, 2), float32): dimension 1 is 2 but "
       "n = 3 from argument 'x' (0)"},
      {[](std::vector<Any>& a) { a[2] = int64_t{4}; },
       "main: argument 'k' (2) must be Prim(value=n), got int 4: value is 4 but n = 3 from argument 'x' (0)"},
      {[](std::vector<Any>& a) { a[2] = 3.0; }, "main: argument 'k' (2) must be Prim(value=n), got float 3"},
      {[](std::vector<Any>& a) { a[3] = std::vector<Any>{int64_t{1}}; },
       "main: argument 't' (3) must be Tuple(Shape((n, 2)), Prim(int64)), got Tuple(int 1): 1 fields, expected 2"},
      {[](std::vector<Any>& a) {
         a[3] = std::vector<Any>{std::vector<int64_t>{3, 3}, int64_t{0}};
       },
       "main: argument 't' (3) field 0 must be Shape((n, 2)), got Shape((3, 3)): dimension 1 is 3, expected 2"},
      {[](std::vector<Any>& a) {
         a[3] = std::vector<Any>{std::vector<int64_t>{3, 2}, 0.5};
       },
       "main: argument 't' (3) field 1 must be Prim(int64), got float 0.5"},
  };
  for (const Case& c : cases) {
    std::vector<Any> args = GoodArgs(3);
    c.edit(args);
    try {
      vm.Invoke("main", args);
      ADD_FAILURE() << "no error for: " << c.message;
    } catch (const Error& e) {
      EXPECT_EQ(e.message(), c.message);
    }
    // The VM is ready for the next call, and n binds afresh.
    EXPECT_EQ(vm.Invoke("main", GoodArgs(2)).Cast<NDArray>().shape(), (std::vector<int64_t>{2, 4}));
  }
}

TEST(VMArgs, SymbolicNamesBindInParameterOrder) {
  ExecBuilder b;
  b.BeginFunction("f", {{"s", ParamInfo::Parse("Shape((m, n))")}, {"x", ParamInfo::Parse("Tensor((n, m), float32)")}});
  b.EmitRet(b.Param(1));
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  EXPECT_NO_THROW(vm.Invoke("f", {std::vector<int64_t>{2, 3}, Zeros({3, 2})}));
  EXPECT_KILN_ERROR(vm.Invoke("f", {std::vector<int64_t>{2, 3}, Zeros({2, 3})}),
                    "f: argument 'x' (1) must be Tensor((n, m), float32), got Tensor((2, 3), float32): dimension 0 "
                    "is 2 but n = 3 from argument 's' (0)");
}

TEST(VMArgs, UncheckedKindsAcceptAnything) {
  ExecBuilder b;
  b.BeginFunction("f", {{"a", ParamInfo::Object()},
                        {"b", ParamInfo::Parse("Tensor")},
                        {"c", ParamInfo::Parse("Tensor((n + 1,), float32)")}});
  b.EmitRet(b.Param(0));
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  EXPECT_EQ(vm.Invoke("f", {"anything", Zeros({1, 2, 3}, DataType::Int(8)), Zeros({7})}).Cast<std::string>(),
            "anything");
  EXPECT_KILN_ERROR(vm.Invoke("f", {1, 2, Zeros({7})}), "f: argument 'b' (1) must be Tensor, got int 2");
}

}  // namespace
}  // namespace kiln::runtime::vm
