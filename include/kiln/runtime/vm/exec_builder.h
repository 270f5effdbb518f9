// ExecBuilder: how a compiler (or a test) writes an Executable. Declare the
// functions it calls, add constants, then write each VM function's body
// between BeginFunction and EndFunction with Emit*; labels stand for
// instruction indices until they are bound. Finish validates and returns the
// Executable.
//
//   ExecBuilder b;
//   int64_t add = b.Kernel("add");
//   int64_t alloc = b.Global("vm.builtin.alloc_tensor_simple");
//   b.BeginFunction("main", {{"x", ParamInfo::Parse("Tensor((n,), float32)")}});
//   Operand shape = b.NewRegister(), y = b.NewRegister();
//   b.EmitCall(b.Global("vm.builtin.shape_of"), {b.Param(0)}, shape);
//   b.EmitCall(alloc, {shape, b.AddConstant(DataType::Float(32)), Operand::DeviceOf(kVMDevice)}, y);
//   b.EmitCall(add, {b.Param(0), b.Param(0), y});  // destination-passing: y = x + x
//   b.EmitRet(y);
//   b.EndFunction();
//   Executable ex = b.Finish();
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kiln/runtime/vm/executable.h"

namespace kiln::runtime::vm {

class ExecBuilder {
 public:
  struct Label {
    int64_t id = -1;
  };

  // Function table entries; asking twice for one name (and kind) gives the
  // same index. A VM function may be declared before its body is written, so
  // that functions can call each other (and themselves) in any order.
  int64_t Kernel(const std::string& name);
  int64_t Global(const std::string& name);
  int64_t DeclareFunction(const std::string& name);

  // A constant-pool operand for None, an int, float, bool, str, DataType
  // (not void), Shape or NDArray. Equal scalars, strings, dtypes and shapes
  // share one slot; each array gets its own.
  Operand AddConstant(const Any& value);

  // Starts the body of VM function `name` (declaring it if needed) with one
  // (name, expected info) per parameter; parameter i is register i. Raises
  // kiln::Error when a body is already open or `name` has a body.
  void BeginFunction(const std::string& name, std::vector<std::pair<std::string, ParamInfo>> params);
  Operand Param(int64_t index) const;
  // A fresh register of the open function.
  Operand NewRegister();
  Label NewLabel();
  // Binds `label` to the index of the next instruction emitted.
  void BindLabel(Label label);

  // dst = functions[func](args...); the second form drops the result.
  void EmitCall(int64_t func, std::vector<Operand> args, Operand dst);
  void EmitCall(int64_t func, std::vector<Operand> args);
  void EmitRet(Operand value);
  void EmitGoto(Label target);
  // Falls through when `cond` is truthy, else jumps to `else_label`.
  void EmitIf(Operand cond, Label else_label);
  // Resolves the function's labels (each must be bound) and closes it;
  // returns its index in the function table.
  int64_t EndFunction();

  // Every declared VM function must have a body. Validates, and leaves the
  // builder empty.
  Executable Finish();

 private:
  VMFunction& Open(const char* what);
  int64_t Entry(FuncKind kind, const std::string& name);

  Executable exec_ = MakeObject<ExecutableObj>();
  std::map<std::pair<int, std::string>, int64_t> entries_;
  std::vector<bool> has_body_;
  std::map<std::string, int64_t> scalar_constants_;  // key: kind and text
  int64_t open_ = -1;
  std::vector<int64_t> label_pc_;                       // -1 until bound
  std::vector<std::pair<size_t, int64_t>> label_uses_;  // (instruction, label)
};

}  // namespace kiln::runtime::vm
