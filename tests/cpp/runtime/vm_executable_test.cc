// Executables: the builder's checks, validation, the text dump, and the
// binary form (round trip; every truncation, random corruption and bad
// headers raise kiln::Error and never crash).
#include <cstring>

#include "common/test_util.h"
#include "kiln/runtime/runtime.h"
#include "kiln/runtime/vm/builtins.h"
#include "kiln/runtime/vm/exec_builder.h"
#include "kiln/runtime/vm/vm.h"

namespace kiln::runtime::vm {
namespace {

// A program that uses every opcode, operand kind and constant kind.
Executable Sample() {
  ExecBuilder b;
  int64_t helper = b.DeclareFunction("helper");
  b.BeginFunction("main", {{"x", ParamInfo::Parse("Tensor((n, 2), float32)")},
                           {"flag", ParamInfo::Parse("Prim(bool)")},
                           {"t", ParamInfo::Parse("Tuple(Shape(ndim=2), Object, Func)")}});
  NDArray w = NDArray::Empty({2, 2}, DataType::Float(32), Device::CPU());
  for (int i = 0; i < 4; ++i) static_cast<float*>(w.data())[i] = static_cast<float>(i) + 0.5f;
  Operand r = b.NewRegister(), out = b.NewRegister();
  ExecBuilder::Label other = b.NewLabel();
  b.EmitIf(b.Param(1), other);
  b.EmitCall(
      b.Global("vm.builtin.make_tuple"),
      {b.AddConstant(w), b.AddConstant(2.5), b.AddConstant(true), b.AddConstant("text"),
       b.AddConstant(DataType::BFloat16()), b.AddConstant(std::vector<int64_t>{4, -1}), b.AddConstant(int64_t{9}),
       b.AddConstant(Any()), Operand::Imm(-3), Operand::DeviceOf(kHostDevice), Operand::Func(helper)},
      out);
  b.EmitRet(out);
  b.BindLabel(other);
  b.EmitCall(helper, {b.Param(0)}, r);
  b.EmitRet(r);
  b.EndFunction();
  b.BeginFunction("helper", {{"y", ParamInfo::Parse("Tensor((n * 2,), float32)")}});
  b.EmitCall(b.Kernel("some_kernel"), {b.Param(0), Operand::DeviceOf(kVMDevice)});
  b.EmitRet(b.Param(0));
  b.EndFunction();
  return b.Finish();
}

TEST(VMExecutable, TextDump) {
  std::string text = Sample()->AsText();
  EXPECT_EQ(text,
            "functions:\n"
            "  @0 vm helper(y: Tensor((n * 2,), float32)), 1 registers\n"
            "  @1 vm main(x: Tensor((n, 2), float32), flag: Prim(bool), t: Tuple(Shape(ndim=2), Object, Func)), 5 "
            "registers\n"
            "  @2 global vm.builtin.make_tuple\n"
            "  @3 kernel some_kernel\n"
            "constants:\n"
            "  c0 = tensor (2, 2) float32\n"
            "  c1 = float 2.5\n"
            "  c2 = bool true\n"
            "  c3 = str \"text\"\n"
            "  c4 = dtype bfloat16\n"
            "  c5 = shape (4, -1)\n"
            "  c6 = int 9\n"
            "  c7 = None\n"
            "\n"
            "helper(y: Tensor((n * 2,), float32)):\n"
            "  0: call @3 some_kernel(%0, vm_device)\n"
            "  1: ret %0\n"
            "\n"
            "main(x: Tensor((n, 2), float32), flag: Prim(bool), t: Tuple(Shape(ndim=2), Object, Func)):\n"
            "  0: if %1 else goto 3\n"
            "  1: %4 = call @2 vm.builtin.make_tuple(c0, c1, c2, c3, c4, c5, c6, c7, -3, host_device, @0)\n"
            "  2: ret %4\n"
            "  3: %3 = call @0 helper(%0)\n"
            "  4: ret %3\n");
}

// Resolves any kernel name to a function that does nothing.
struct AnyKernel : ModuleObj {
  Function GetFunction(const std::string& name) override {
    return Function(name, [](const Any*, int, Any*) {});
  }
  std::string kind() const override { return "test"; }
};

TEST(VMExecutable, BytesRoundTrip) {
  Executable ex = Sample();
  std::string bytes = ex->SaveToBytes();
  Executable back = ExecutableObj::LoadFromBytes(bytes);
  EXPECT_EQ(back->AsText(), ex->AsText());
  EXPECT_EQ(back->SaveToBytes(), bytes);
  ASSERT_EQ(back->functions.size(), ex->functions.size());
  for (size_t i = 0; i < ex->functions.size(); ++i) EXPECT_EQ(back->functions[i].params, ex->functions[i].params);
  NDArray w = back->constants[0].Cast<NDArray>();
  EXPECT_EQ(static_cast<float*>(w.data())[3], 3.5f);
  EXPECT_EQ(back->constants[4].AsDataType(), DataType::BFloat16());
  // The loaded executable runs (the kernel resolves from a module).
  VirtualMachine vm(back, Module(MakeObject<AnyKernel>()), Device::CPU());
  EXPECT_EQ(vm.module().GetSource(), ex->AsText());
  NDArray x = NDArray::Empty({3, 2}, DataType::Float(32), Device::CPU());
  auto items = vm.Invoke("main", {x, true, std::vector<Any>{std::vector<int64_t>{1, 1}, 0, vm.GetFunction("main")}})
                   .Cast<std::vector<Any>>();
  ASSERT_EQ(items.size(), 11u);
  EXPECT_EQ(items[2].Cast<bool>(), true);
  EXPECT_TRUE(items[7].is_none());
  EXPECT_EQ(items[8].Cast<int64_t>(), -3);
  EXPECT_EQ(items[9].Cast<Device>(), Device::CPU());
  EXPECT_EQ(items[10].Cast<Function>().name(), "helper");
  EXPECT_EQ(vm.Invoke("main", {x, false, std::vector<Any>{std::vector<int64_t>{1, 1}, 0, vm.GetFunction("main")}})
                .Cast<NDArray>()
                .obj(),
            x.obj());
}

TEST(VMExecutable, EveryTruncationIsAnError) {
  std::string bytes = Sample()->SaveToBytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(ExecutableObj::LoadFromBytes(bytes.substr(0, n)), Error) << "truncated at " << n;
  }
  EXPECT_KILN_ERROR(ExecutableObj::LoadFromBytes(bytes + "x"),
                    "executable bytes are corrupt: 1 unexpected bytes after the constants");
  EXPECT_KILN_ERROR(ExecutableObj::LoadFromBytes(bytes.substr(0, 10)),
                    "executable bytes are truncated: version at byte 8 needs 4 bytes but only 2 remain");
}

TEST(VMExecutable, CorruptHeaders) {
  std::string good = Sample()->SaveToBytes();
  std::string bad = good;
  bad[0] = 'X';
  EXPECT_KILN_ERROR(ExecutableObj::LoadFromBytes(bad), "not a Kiln VM executable (bad magic)");
  bad = good;
  bad[8] = 2;
  EXPECT_KILN_ERROR(ExecutableObj::LoadFromBytes(bad),
                    "executable bytes are corrupt: unsupported version 2 (this runtime reads version 1) (at byte 12)");
  bad = good;
  uint32_t huge = 0x7fffffff;
  std::memcpy(&bad[12], &huge, 4);  // the function count
  EXPECT_KILN_ERROR(ExecutableObj::LoadFromBytes(bad), "executable bytes are corrupt: function count 2147483647");
}

// Random byte flips never crash the loader, and what loads is valid: a VM
// can be made from it (or refuses with kiln::Error). Running it is not
// tried: a flipped jump target can make a loop that never ends.
TEST(VMExecutable, FuzzedBytesNeverCrash) {
  std::string good = Sample()->SaveToBytes();
  uint32_t rng = 12345;
  int loaded = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = good;
    int flips = 1 + trial % 4;
    for (int k = 0; k < flips; ++k) {
      rng = rng * 1664525u + 1013904223u;
      bad[(rng >> 8) % bad.size()] = static_cast<char>(rng >> 24);
    }
    try {
      Executable ex = ExecutableObj::LoadFromBytes(bad);
      ++loaded;
      ex->AsText();
      VirtualMachine(ex, Module(MakeObject<AnyKernel>()), Device::CPU());
    } catch (const Error&) {
    }
  }
  EXPECT_GT(loaded, 0);  // some flips land in data (the tensor's elements)
}

TEST(VMExecutable, ValidationNamesTheProblem) {
  auto one = [](Instruction in, int64_t nregs = 1) {
    auto ex = MakeObject<ExecutableObj>();
    VMFunction f;
    f.name = "f";
    f.num_registers = nregs;
    f.code = {std::move(in), Instruction::Ret(Operand::Imm(0))};
    ex->functions.push_back(f);
    return ex;
  };
  EXPECT_KILN_ERROR(one(Instruction::Ret(Operand::Reg(3)))->Validate(),
                    "executable: function @0 'f', instruction 0: register %3 out of range (the function has 1)");
  EXPECT_KILN_ERROR(one(Instruction::Ret(Operand::Const(0)))->Validate(), "constant c0 out of range (the pool has 0)");
  EXPECT_KILN_ERROR(one(Instruction::Goto(7))->Validate(),
                    "instruction 0: jump to 7 outside the function (2 instructions)");
  EXPECT_KILN_ERROR(one(Instruction::Call(4, {}))->Validate(), "call of function @4 out of range (the table has 1)");
  EXPECT_KILN_ERROR(one(Instruction::Call(0, {}, 5))->Validate(), "destination register %5 out of range");
  EXPECT_KILN_ERROR(one(Instruction::Call(0, {Operand::Imm(1)}))->Validate(), "f takes 0 arguments, not 1");
  EXPECT_KILN_ERROR(one(Instruction::Ret(Operand::DeviceOf(2)))->Validate(), "unknown device 2");
  auto ex = one(Instruction::Goto(1));
  ex->functions[0].code.back() = Instruction::Call(0, {});
  EXPECT_KILN_ERROR(ex->Validate(), "function @0 'f' can run off its end (its last instruction must be Ret or Goto)");
  ex = one(Instruction::Goto(1));
  ex->constants.push_back(Any(Device::CPU()));
  EXPECT_KILN_ERROR(ex->Validate(), "constant c0 is a Device");
  ex->constants[0] = Any(DataType());
  EXPECT_KILN_ERROR(ex->Validate(), "constant c0 is the void DataType");
  ex = one(Instruction::Goto(1));
  ex->functions.push_back(ex->functions[0]);
  EXPECT_KILN_ERROR(ex->Validate(), "function @1 'f': the name appears twice as a vm function");
}

TEST(VMExecutable, BuilderErrors) {
  ExecBuilder b;
  EXPECT_KILN_ERROR(b.EmitRet(Operand::Imm(0)), "ExecBuilder::EmitRet: no function is open (call BeginFunction first)");
  b.BeginFunction("f", {{"x", ParamInfo::Object()}});
  EXPECT_KILN_ERROR(b.BeginFunction("g", {}), "ExecBuilder::BeginFunction('g'): function 'f' is still open");
  EXPECT_KILN_ERROR(b.Param(1), "function 'f' has 1 parameters, not 2");
  EXPECT_KILN_ERROR(b.EmitCall(0, {}, Operand::Imm(1)), "the destination must be a register, got 1");
  EXPECT_KILN_ERROR(b.AddConstant(Any(Device::CPU())), "ExecBuilder::AddConstant: a Device cannot be a constant");
  EXPECT_KILN_ERROR(b.AddConstant(Any(DataType())),
                    "ExecBuilder::AddConstant: the void DataType cannot be a constant (use None for any dtype)");
  ExecBuilder::Label l = b.NewLabel();
  b.EmitGoto(l);
  EXPECT_KILN_ERROR(b.EndFunction(), "function 'f', instruction 0 jumps to label 0 that was never bound");
  ExecBuilder b2;
  b2.DeclareFunction("later");
  EXPECT_KILN_ERROR(b2.Finish(), "ExecBuilder::Finish: VM function 'later' was declared but has no body");
  ExecBuilder b3;
  EXPECT_EQ(b3.AddConstant(int64_t{3}), b3.AddConstant(int64_t{3}));
  EXPECT_EQ(b3.AddConstant(std::vector<int64_t>{1, 2}), b3.AddConstant(std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(b3.AddConstant(int64_t{1}) == b3.AddConstant(true));
  EXPECT_EQ(b3.Kernel("k"), b3.Kernel("k"));
  EXPECT_NE(b3.Kernel("k"), b3.Global("k"));
}

}  // namespace
}  // namespace kiln::runtime::vm
