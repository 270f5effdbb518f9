// The VM's run loop on hand-built executables: kernel calls in
// destination-passing style, if/else, a loop with Goto, calls between VM
// functions and recursion, tuples, function values, errors inside a run
// (with where they happened) and the VM still usable afterwards.
#include "common/test_util.h"
#include "kiln/runtime/runtime.h"
#include "kiln/runtime/vm/builtins.h"
#include "kiln/runtime/vm/exec_builder.h"
#include "kiln/runtime/vm/vm.h"

namespace kiln::runtime::vm {
namespace {

// Stand-ins for kernels and integer arithmetic.
KILN_REGISTER_FUNCTION("test.vm.add", [](NDArray a, NDArray b, NDArray out) {
  KILN_CHECK(a.numel() == out.numel() && b.numel() == out.numel()) << "test.vm.add: sizes differ";
  auto* pa = static_cast<const float*>(a.data());
  auto* pb = static_cast<const float*>(b.data());
  auto* po = static_cast<float*>(out.data());
  for (int64_t i = 0; i < out.numel(); ++i) po[i] = pa[i] + pb[i];
});
KILN_REGISTER_FUNCTION("test.vm.iadd", [](int64_t a, int64_t b) { return a + b; });
KILN_REGISTER_FUNCTION("test.vm.imul", [](int64_t a, int64_t b) { return a * b; });
KILN_REGISTER_FUNCTION("test.vm.ilt", [](int64_t a, int64_t b) { return a < b; });
KILN_REGISTER_FUNCTION("test.vm.fail",
                       [](int64_t code) -> int64_t { KILN_THROW() << "test.vm.fail was asked to fail with " << code; });

NDArray Floats(std::vector<float> values) {
  NDArray a = NDArray::Empty({static_cast<int64_t>(values.size())}, DataType::Float(32), Device::CPU());
  a.CopyFromBytes(values.data(), values.size() * sizeof(float));
  return a;
}

std::vector<float> Values(const Any& a) {
  NDArray t = a.Cast<NDArray>();
  std::vector<float> v(t.numel());
  t.CopyToBytes(v.data(), v.size() * sizeof(float));
  return v;
}

ParamInfo Info(const std::string& text) {
  return ParamInfo::Parse(text);
}

// main(x, y) = x + y with a symbolic length n: the shape heap holds n and
// the byte count, the output lives in a planned storage.
Executable AddProgram() {
  ExecBuilder b;
  b.BeginFunction("main", {{"x", Info("Tensor((n,), float32)")}, {"y", Info("Tensor((n,), float32)")}});
  Operand heap = b.NewRegister(), nbytes = b.NewRegister(), storage = b.NewRegister(), shape = b.NewRegister(),
          out = b.NewRegister();
  int64_t match = b.Global("vm.builtin.match_shape");
  b.EmitCall(b.Global("vm.builtin.alloc_shape_heap"), {Operand::Imm(2)}, heap);
  b.EmitCall(match, {b.Param(0), heap, b.AddConstant(ShapePattern().Store(0).codes()), b.AddConstant("main: x")});
  b.EmitCall(match, {b.Param(1), heap, b.AddConstant(ShapePattern().Load(0).codes()), b.AddConstant("main: y")});
  ShapeProgram bytes;
  bytes.PushSlot(0).PushConst(4).Op(HeapOp::kMul).Store(1);
  b.EmitCall(b.Global("vm.builtin.shape_compute"), {heap, b.AddConstant(bytes.codes())});
  b.EmitCall(b.Global("vm.builtin.heap_load"), {heap, Operand::Imm(1)}, nbytes);
  b.EmitCall(b.Global("vm.builtin.alloc_storage"), {nbytes, Operand::DeviceOf(kVMDevice), Operand::Imm(64)}, storage);
  b.EmitCall(b.Global("vm.builtin.make_shape"), {heap, b.AddConstant(ShapePattern().Load(0).codes())}, shape);
  b.EmitCall(b.Global("vm.builtin.alloc_tensor"), {storage, Operand::Imm(0), shape, b.AddConstant(DataType::Float(32))},
             out);
  b.EmitCall(b.Global("test.vm.add"), {b.Param(0), b.Param(1), out});
  b.EmitRet(out);
  b.EndFunction();
  return b.Finish();
}

TEST(VMBytecode, KernelCallInDestinationPassingStyle) {
  VirtualMachine vm(AddProgram(), Module(), Device::CPU());
  Any y = vm.Invoke("main", {Floats({1, 2, 3}), Floats({10, 20, 30})});
  EXPECT_EQ(Values(y), (std::vector<float>{11, 22, 33}));
  Function main = vm.GetFunction("main");
  EXPECT_EQ(Values(main(Floats({1}), Floats({2}))), (std::vector<float>{3}));
  EXPECT_EQ(vm.module().kind(), "vm");
  EXPECT_EQ(vm.module()["main"].name(), "main");
}

// abs_sum(a, b): if a < b then b - ... expressed with ints: returns
// 100 + a when a < b, else 200 + b.
Executable IfElseProgram() {
  ExecBuilder b;
  b.BeginFunction("pick", {{"a", Info("Prim(int64)")}, {"b", Info("Prim(int64)")}});
  Operand cond = b.NewRegister(), r = b.NewRegister();
  ExecBuilder::Label else_ = b.NewLabel(), join = b.NewLabel();
  b.EmitCall(b.Global("test.vm.ilt"), {b.Param(0), b.Param(1)}, cond);
  b.EmitIf(cond, else_);
  b.EmitCall(b.Global("test.vm.iadd"), {b.Param(0), Operand::Imm(100)}, r);
  b.EmitGoto(join);
  b.BindLabel(else_);
  b.EmitCall(b.Global("test.vm.iadd"), {b.Param(1), Operand::Imm(200)}, r);
  b.BindLabel(join);
  b.EmitRet(r);
  b.EndFunction();
  return b.Finish();
}

TEST(VMBytecode, IfElse) {
  VirtualMachine vm(IfElseProgram(), Module(), Device::CPU());
  EXPECT_EQ(vm.Invoke("pick", {1, 5}).Cast<int64_t>(), 101);
  EXPECT_EQ(vm.Invoke("pick", {7, 5}).Cast<int64_t>(), 205);
}

TEST(VMBytecode, IfOnTensorsAndErrors) {
  ExecBuilder b;
  b.BeginFunction("f", {{"c", Info("Object")}});
  ExecBuilder::Label no = b.NewLabel();
  b.EmitIf(b.Param(0), no);
  b.EmitRet(Operand::Imm(1));
  b.BindLabel(no);
  b.EmitRet(Operand::Imm(0));
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  NDArray t = NDArray::Empty({}, DataType::Bool(), Device::CPU());
  *static_cast<uint8_t*>(t.data()) = 1;
  EXPECT_EQ(vm.Invoke("f", {t}).Cast<int64_t>(), 1);
  *static_cast<uint8_t*>(t.data()) = 0;
  EXPECT_EQ(vm.Invoke("f", {t}).Cast<int64_t>(), 0);
  EXPECT_EQ(vm.Invoke("f", {true}).Cast<int64_t>(), 1);
  EXPECT_EQ(vm.Invoke("f", {int64_t{0}}).Cast<int64_t>(), 0);
  EXPECT_KILN_ERROR(vm.Invoke("f", {Floats({1, 2})}),
                    "If: the condition must be a bool, an int, or a one-element bool or int tensor, got "
                    "Tensor((2,), float32)\n  in VM function 'f', instruction 0 (if)");
}

// sum(n) = 0 + 1 + ... + (n - 1), a loop with Goto.
TEST(VMBytecode, LoopWithGoto) {
  ExecBuilder b;
  b.BeginFunction("sum", {{"n", Info("Prim(int64)")}});
  Operand i = b.NewRegister(), acc = b.NewRegister(), cond = b.NewRegister();
  int64_t copy = b.Global("vm.builtin.copy"), iadd = b.Global("test.vm.iadd");
  b.EmitCall(copy, {Operand::Imm(0)}, i);
  b.EmitCall(copy, {Operand::Imm(0)}, acc);
  ExecBuilder::Label head = b.NewLabel(), done = b.NewLabel();
  b.BindLabel(head);
  b.EmitCall(b.Global("test.vm.ilt"), {i, b.Param(0)}, cond);
  b.EmitIf(cond, done);
  b.EmitCall(iadd, {acc, i}, acc);
  b.EmitCall(iadd, {i, Operand::Imm(1)}, i);
  b.EmitGoto(head);
  b.BindLabel(done);
  b.EmitRet(acc);
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  EXPECT_EQ(vm.Invoke("sum", {int64_t{0}}).Cast<int64_t>(), 0);
  EXPECT_EQ(vm.Invoke("sum", {int64_t{1000}}).Cast<int64_t>(), 499500);
}

// fact(n) = n < 2 ? 1 : n * fact(n - 1); main(n) = twice(fact(n)) with twice
// declared after its caller.
Executable RecursiveProgram() {
  ExecBuilder b;
  int64_t fact = b.DeclareFunction("fact");
  int64_t twice = b.DeclareFunction("twice");
  b.BeginFunction("main", {{"n", Info("Prim(int64)")}});
  Operand f = b.NewRegister(), r = b.NewRegister();
  b.EmitCall(fact, {b.Param(0)}, f);
  b.EmitCall(twice, {f}, r);
  b.EmitRet(r);
  b.EndFunction();

  b.BeginFunction("fact", {{"n", Info("Prim(int64)")}});
  Operand small = b.NewRegister(), m = b.NewRegister(), sub = b.NewRegister(), out = b.NewRegister();
  ExecBuilder::Label recurse = b.NewLabel();
  b.EmitCall(b.Global("test.vm.ilt"), {b.Param(0), Operand::Imm(2)}, small);
  b.EmitIf(small, recurse);
  b.EmitRet(Operand::Imm(1));
  b.BindLabel(recurse);
  b.EmitCall(b.Global("test.vm.iadd"), {b.Param(0), Operand::Imm(-1)}, m);
  b.EmitCall(fact, {m}, sub);
  b.EmitCall(b.Global("test.vm.imul"), {b.Param(0), sub}, out);
  b.EmitRet(out);
  b.EndFunction();

  b.BeginFunction("twice", {{"x", Info("Prim(int64)")}});
  Operand y = b.NewRegister();
  b.EmitCall(b.Global("test.vm.imul"), {b.Param(0), Operand::Imm(2)}, y);
  b.EmitRet(y);
  b.EndFunction();
  return b.Finish();
}

TEST(VMBytecode, CallsBetweenFunctionsAndRecursion) {
  VirtualMachine vm(RecursiveProgram(), Module(), Device::CPU());
  EXPECT_EQ(vm.Invoke("fact", {int64_t{10}}).Cast<int64_t>(), 3628800);
  EXPECT_EQ(vm.Invoke("main", {int64_t{5}}).Cast<int64_t>(), 240);
  EXPECT_EQ(vm.Invoke("fact", {int64_t{20}}).Cast<int64_t>(), 2432902008176640000);
}

TEST(VMBytecode, UnboundedRecursionIsAnError) {
  ExecBuilder b;
  int64_t self = b.DeclareFunction("loop");
  b.BeginFunction("loop", {{"n", Info("Prim(int64)")}});
  Operand r = b.NewRegister();
  b.EmitCall(self, {b.Param(0)}, r);
  b.EmitRet(r);
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  EXPECT_KILN_ERROR(vm.Invoke("loop", {int64_t{1}}), "VM function 'loop': calls nested deeper than 10000");
  EXPECT_KILN_ERROR(vm.Invoke("loop", {int64_t{1}}), "calls nested deeper");  // and again: the stack unwound
}

TEST(VMBytecode, Tuples) {
  ExecBuilder b;
  b.BeginFunction("swap", {{"t", Info("Tuple(Tensor((2,), float32), Prim(int64))")}});
  Operand a = b.NewRegister(), k = b.NewRegister(), out = b.NewRegister();
  int64_t get = b.Global("vm.builtin.tuple_get_item");
  b.EmitCall(get, {b.Param(0), Operand::Imm(0)}, a);
  b.EmitCall(get, {b.Param(0), Operand::Imm(1)}, k);
  b.EmitCall(b.Global("vm.builtin.make_tuple"), {k, a, b.AddConstant(std::string("tag"))}, out);
  b.EmitRet(out);
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  NDArray x = Floats({1, 2});
  auto items = vm.Invoke("swap", {Any(std::vector<Any>{x, int64_t{7}})}).Cast<std::vector<Any>>();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].Cast<int64_t>(), 7);
  EXPECT_EQ(items[1].Cast<NDArray>().obj(), x.obj());
  EXPECT_EQ(items[2].Cast<std::string>(), "tag");
}

TEST(VMBytecode, FunctionValuesAndInvoke) {
  ExecBuilder b;
  int64_t twice = b.DeclareFunction("twice");
  b.BeginFunction("apply", {{"f", Info("Func")}, {"x", Info("Prim(int64)")}});
  Operand r = b.NewRegister();
  b.EmitCall(b.Global("vm.builtin.invoke"), {b.Param(0), b.Param(1)}, r);
  b.EmitRet(r);
  b.EndFunction();
  b.BeginFunction("main", {{"x", Info("Prim(int64)")}});
  Operand s = b.NewRegister(), t = b.NewRegister();
  b.EmitCall(b.DeclareFunction("apply"), {Operand::Func(twice), b.Param(0)}, s);
  b.EmitCall(b.DeclareFunction("apply"), {Operand::Func(b.Global("test.vm.iadd")), s}, t);  // wrong arity
  b.EmitRet(t);
  b.EndFunction();
  b.BeginFunction("twice", {{"x", Info("Prim(int64)")}});
  Operand y = b.NewRegister();
  b.EmitCall(b.Global("test.vm.imul"), {b.Param(0), Operand::Imm(2)}, y);
  b.EmitRet(y);
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  EXPECT_EQ(vm.Invoke("apply", {vm.GetFunction("twice"), int64_t{21}}).Cast<int64_t>(), 42);
  EXPECT_KILN_ERROR(vm.Invoke("main", {int64_t{3}}),
                    "function 'test.vm.iadd' takes 2 arguments but was called with 1\n"
                    "  in VM function 'apply', instruction 0 (call of global function 'vm.builtin.invoke')\n"
                    "  in VM function 'main', instruction 1 (call of VM function 'apply')");
}

TEST(VMBytecode, ErrorsUnwindAndTheVMStaysUsable) {
  ExecBuilder b;
  b.BeginFunction("main", {{"code", Info("Prim(int64)")}});
  Operand r = b.NewRegister(), cond = b.NewRegister();
  ExecBuilder::Label ok = b.NewLabel();
  b.EmitCall(b.Global("test.vm.ilt"), {b.Param(0), Operand::Imm(0)}, cond);
  b.EmitIf(cond, ok);
  b.EmitRet(Operand::Imm(-1));
  b.BindLabel(ok);
  b.EmitCall(b.Global("test.vm.fail"), {b.Param(0)}, r);
  b.EmitRet(r);
  b.EndFunction();
  VirtualMachine vm(b.Finish(), Module(), Device::CPU());
  for (int i = 0; i < 3; ++i) {
    EXPECT_KILN_ERROR(vm.Invoke("main", {int64_t{7}}),
                      "test.vm.fail was asked to fail with 7\n"
                      "  in VM function 'main', instruction 3 (call of global function 'test.vm.fail')");
    EXPECT_EQ(vm.Invoke("main", {int64_t{-5}}).Cast<int64_t>(), -1);
  }
}

TEST(VMBytecode, ResolutionErrors) {
  ExecBuilder b;
  b.BeginFunction("main", {});
  b.EmitCall(b.Kernel("matmul"), {});
  b.EmitRet(Operand::Imm(0));
  b.EndFunction();
  Executable ex = b.Finish();
  EXPECT_KILN_ERROR(VirtualMachine(ex, Module(), Device::CPU()),
                    "VirtualMachine: the executable calls kernel 'matmul' but no kernel module was given");
  ExecBuilder b2;
  b2.BeginFunction("main", {});
  b2.EmitCall(b2.Global("test.vm.addd"), {});
  b2.EmitRet(Operand::Imm(0));
  b2.EndFunction();
  EXPECT_KILN_ERROR(VirtualMachine(b2.Finish(), Module(), Device::CPU()),
                    "VirtualMachine: cannot resolve global function 'test.vm.addd': no global function named "
                    "'test.vm.addd' (did you mean 'test.vm.add'?)");
  VirtualMachine vm(IfElseProgram(), Module(), Device::CPU());
  EXPECT_KILN_ERROR(vm.GetFunction("pik"),
                    "VirtualMachine: no function 'pik' (did you mean 'pick'?); the executable has: pick");
  EXPECT_FALSE(vm.module().GetFunction("pik").defined());
}

TEST(VMBytecode, ProfileTimesEachPackedFunction) {
  VirtualMachine vm(AddProgram(), Module(), Device::CPU());
  ProfileReport report = vm.Profile("main", {Floats({1, 2}), Floats({3, 4})});
  EXPECT_EQ(report->function, "main");
  ASSERT_EQ(report->rows.size(), 8u);
  int64_t calls = 0;
  for (const auto& row : report->rows) {
    calls += row.calls;
    EXPECT_GE(row.total_us, 0);
    EXPECT_EQ(row.kind, "global");
  }
  EXPECT_EQ(calls, 9);
  EXPECT_GT(report->total_us, 0);
  std::string table = report->Table();
  EXPECT_NE(table.find("test.vm.add"), std::string::npos) << table;
  EXPECT_NE(table.find("total"), std::string::npos) << table;
  // Timing through GetFunction, as for any function.
  TimingResult t = TimeEvaluator(vm.GetFunction("main"), 10, 2)(Floats({1}), Floats({2})).Cast<TimingResult>();
  EXPECT_EQ(t->results.size(), 2u);
}

}  // namespace
}  // namespace kiln::runtime::vm
