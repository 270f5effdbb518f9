// ExecBuilder: function table entries, constants, bodies with labels.
#include "kiln/runtime/vm/exec_builder.h"

namespace kiln::runtime::vm {

int64_t ExecBuilder::Entry(FuncKind kind, const std::string& name) {
  KILN_CHECK(!name.empty()) << "ExecBuilder: a function needs a name";
  auto [it, inserted] = entries_.emplace(std::make_pair(static_cast<int>(kind), name), 0);
  if (!inserted) return it->second;
  VMFunction f;
  f.kind = kind;
  f.name = name;
  exec_->functions.push_back(std::move(f));
  has_body_.push_back(false);
  it->second = static_cast<int64_t>(exec_->functions.size()) - 1;
  return it->second;
}

int64_t ExecBuilder::Kernel(const std::string& name) {
  return Entry(FuncKind::kKernel, name);
}
int64_t ExecBuilder::Global(const std::string& name) {
  return Entry(FuncKind::kGlobal, name);
}
int64_t ExecBuilder::DeclareFunction(const std::string& name) {
  return Entry(FuncKind::kVM, name);
}

Operand ExecBuilder::AddConstant(const Any& value) {
  std::string key;
  switch (value.kind()) {
    case Any::Kind::kInt: key = "i" + std::to_string(value.AsInt()); break;
    case Any::Kind::kBool: key = "b" + std::to_string(value.AsInt()); break;
    case Any::Kind::kNone: key = "n"; break;
    case Any::Kind::kDataType: {
      DLDataType t;
      try {
        t = value.AsDataType().dl();
      } catch (const Error&) {
        KILN_THROW() << "ExecBuilder::AddConstant: the void DataType cannot be a constant (use None for any dtype)";
      }
      key = "t" + std::to_string(t.code) + "." + std::to_string(t.bits) + "." + std::to_string(t.lanes);
      break;
    }
    case Any::Kind::kFloat: {
      double f = value.AsFloat();
      key = "f" + std::string(reinterpret_cast<const char*>(&f), sizeof f);
      break;
    }
    case Any::Kind::kObject: {
      const Object* o = value.AsObject().get();
      if (o->IsInstance<StrObj>()) key = "s" + static_cast<const StrObj*>(o)->value;
      if (o->IsInstance<ShapeObj>()) {
        key = "d";
        for (int64_t d : static_cast<const ShapeObj*>(o)->dims) key += std::to_string(d) + ",";
      }
      KILN_CHECK(!key.empty() || o->IsInstance<NDArrayObj>())
          << "ExecBuilder::AddConstant: a " << value.TypeName()
          << " cannot be a constant (None, int, float, bool, str, DataType, Shape or NDArray)";
      break;
    }
    default:
      KILN_THROW() << "ExecBuilder::AddConstant: a " << value.TypeName()
                   << " cannot be a constant (None, int, float, bool, str, DataType, Shape or NDArray)";
  }
  if (!key.empty()) {
    auto it = scalar_constants_.find(key);
    if (it != scalar_constants_.end()) return Operand::Const(it->second);
    scalar_constants_[key] = static_cast<int64_t>(exec_->constants.size());
  }
  exec_->constants.push_back(value);
  return Operand::Const(static_cast<int64_t>(exec_->constants.size()) - 1);
}

VMFunction& ExecBuilder::Open(const char* what) {
  KILN_CHECK(open_ >= 0) << "ExecBuilder::" << what << ": no function is open (call BeginFunction first)";
  return exec_->functions[open_];
}

void ExecBuilder::BeginFunction(const std::string& name, std::vector<std::pair<std::string, ParamInfo>> params) {
  KILN_CHECK(open_ < 0) << "ExecBuilder::BeginFunction('" << name << "'): function '" << exec_->functions[open_].name
                        << "' is still open (call EndFunction first)";
  int64_t index = DeclareFunction(name);
  KILN_CHECK(!has_body_[index]) << "ExecBuilder::BeginFunction: function '" << name << "' already has a body";
  VMFunction& f = exec_->functions[index];
  for (auto& [pname, info] : params) {
    f.param_names.push_back(pname);
    f.params.push_back(std::move(info));
  }
  f.num_registers = static_cast<int64_t>(f.params.size());
  has_body_[index] = true;
  open_ = index;
  label_pc_.clear();
  label_uses_.clear();
}

Operand ExecBuilder::Param(int64_t index) const {
  KILN_CHECK(open_ >= 0) << "ExecBuilder::Param: no function is open";
  const VMFunction& f = exec_->functions[open_];
  KILN_CHECK(index >= 0 && index < static_cast<int64_t>(f.params.size()))
      << "ExecBuilder::Param: function '" << f.name << "' has " << f.params.size() << " parameters, not " << index + 1;
  return Operand::Reg(index);
}

Operand ExecBuilder::NewRegister() {
  return Operand::Reg(Open("NewRegister").num_registers++);
}

ExecBuilder::Label ExecBuilder::NewLabel() {
  Open("NewLabel");
  label_pc_.push_back(-1);
  return Label{static_cast<int64_t>(label_pc_.size()) - 1};
}

void ExecBuilder::BindLabel(Label label) {
  VMFunction& f = Open("BindLabel");
  KILN_CHECK(label.id >= 0 && label.id < static_cast<int64_t>(label_pc_.size()))
      << "ExecBuilder::BindLabel: label " << label.id << " was not made by NewLabel in function '" << f.name << "'";
  KILN_CHECK(label_pc_[label.id] < 0) << "ExecBuilder::BindLabel: label " << label.id << " is already bound";
  label_pc_[label.id] = static_cast<int64_t>(f.code.size());
}

void ExecBuilder::EmitCall(int64_t func, std::vector<Operand> args, Operand dst) {
  VMFunction& f = Open("EmitCall");
  KILN_CHECK(dst.kind == Operand::Kind::kRegister)
      << "ExecBuilder::EmitCall: the destination must be a register, got " << dst.str();
  f.code.push_back(Instruction::Call(func, std::move(args), dst.value));
}

void ExecBuilder::EmitCall(int64_t func, std::vector<Operand> args) {
  Open("EmitCall").code.push_back(Instruction::Call(func, std::move(args), kVoidRegister));
}

void ExecBuilder::EmitRet(Operand value) {
  Open("EmitRet").code.push_back(Instruction::Ret(value));
}

void ExecBuilder::EmitGoto(Label target) {
  VMFunction& f = Open("EmitGoto");
  label_uses_.push_back({f.code.size(), target.id});
  f.code.push_back(Instruction::Goto(-1));
}

void ExecBuilder::EmitIf(Operand cond, Label else_label) {
  VMFunction& f = Open("EmitIf");
  label_uses_.push_back({f.code.size(), else_label.id});
  f.code.push_back(Instruction::If(cond, -1));
}

int64_t ExecBuilder::EndFunction() {
  VMFunction& f = Open("EndFunction");
  for (auto [pc, label] : label_uses_) {
    KILN_CHECK(label >= 0 && label < static_cast<int64_t>(label_pc_.size()))
        << "ExecBuilder: function '" << f.name << "', instruction " << pc << " jumps to label " << label
        << " that was not made by NewLabel";
    KILN_CHECK(label_pc_[label] >= 0) << "ExecBuilder: function '" << f.name << "', instruction " << pc
                                      << " jumps to label " << label << " that was never bound";
    f.code[pc].target = label_pc_[label];
  }
  int64_t index = open_;
  open_ = -1;
  return index;
}

Executable ExecBuilder::Finish() {
  KILN_CHECK(open_ < 0) << "ExecBuilder::Finish: function '" << exec_->functions[open_].name
                        << "' is still open (call EndFunction first)";
  for (size_t i = 0; i < exec_->functions.size(); ++i) {
    const VMFunction& f = exec_->functions[i];
    KILN_CHECK(f.kind != FuncKind::kVM || has_body_[i])
        << "ExecBuilder::Finish: VM function '" << f.name << "' was declared but has no body";
  }
  exec_->Validate();
  Executable out = exec_;
  *this = ExecBuilder();
  return out;
}

}  // namespace kiln::runtime::vm
