// Bindings of the virtual machine (kiln._core.vm): Executable (bytes, text,
// C source), the ExecBuilder with its operands, labels and parameter infos,
// VirtualMachine and its ProfileReport. python/kiln/vm.py wraps them.
#include "kiln/runtime/vm/vm.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "kiln/runtime/vm/builtins.h"
#include "kiln/runtime/vm/deploy.h"
#include "kiln/runtime/vm/exec_builder.h"
#include "kiln/runtime/vm/storage.h"

namespace kiln::python {
namespace {
using runtime::vm::ExecBuilder;
using runtime::vm::Executable;
using runtime::vm::ExecutableObj;
using runtime::vm::Operand;
using runtime::vm::ParamInfo;
using runtime::vm::ProfileReport;
using runtime::vm::VirtualMachine;

const char* KindName(Operand::Kind k) {
  switch (k) {
    case Operand::Kind::kRegister: return "register";
    case Operand::Kind::kConst: return "const";
    case Operand::Kind::kImm: return "imm";
    case Operand::Kind::kFunc: return "func";
    case Operand::Kind::kDevice: return "device";
  }
  return "?";
}

ParamInfo ToParamInfo(nb::handle h) {
  if (nb::isinstance<ParamInfo>(h)) return nb::cast<ParamInfo>(h);
  if (nb::isinstance<nb::str>(h)) return ParamInfo::Parse(nb::cast<std::string>(h));
  KILN_THROW() << "ExecBuilder: a parameter info is a ParamInfo or its text (\"Tensor((n, 4), float32)\"), got a "
               << nb::cast<std::string>(nb::str(h.type().attr("__name__")));
}

// A constant from Python; arrays are copied so the executable owns them.
Operand AddConstant(ExecBuilder& b, nb::handle value) {
  Any v = FromPython(value);
  if (v.kind() == Any::Kind::kObject && v.AsObject()->IsInstance<runtime::NDArrayObj>()) {
    v = Any(v.Cast<NDArray>().CopyTo(Device::CPU()));
  }
  return b.AddConstant(v);
}

// An argument of emit_call: an Operand, an int (an immediate), or any other
// value (a constant).
Operand ToOperand(ExecBuilder& b, nb::handle h) {
  if (nb::isinstance<Operand>(h)) return nb::cast<Operand>(h);
  if (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) return Operand::Imm(nb::cast<int64_t>(h));
  return AddConstant(b, h);
}

void BindOperandsAndInfos(nb::module_& m) {
  nb::class_<Operand>(m, "Operand", "Where an instruction reads a value: a register, constant, immediate, ...")
      .def_static("reg", &Operand::Reg, nb::arg("index"), "Register `index` of the current frame.")
      .def_static("const", &Operand::Const, nb::arg("index"), "Constant `index` of the pool.")
      .def_static("imm", &Operand::Imm, nb::arg("value"), "An int64 immediate.")
      .def_static("func", &Operand::Func, nb::arg("index"), "Function table entry `index`, as a function value.")
      .def_static("device", &Operand::DeviceOf, nb::arg("which") = runtime::vm::kVMDevice,
                  "The VM's device (0) or the host (1).")
      .def_prop_ro("kind", [](const Operand& o) { return KindName(o.kind); })
      .def_prop_ro("value", [](const Operand& o) { return o.value; })
      .def("__eq__",
           [](const Operand& a, nb::handle b) { return nb::isinstance<Operand>(b) && a == nb::cast<Operand>(b); })
      .def("__hash__", [](const Operand& o) { return nb::hash(nb::make_tuple(static_cast<int>(o.kind), o.value)); })
      .def("__repr__", &Operand::str);

  nb::class_<ParamInfo>(m, "ParamInfo", "What a VM function expects of an argument, e.g. Tensor((n, 784), float32).")
      .def("__init__", [](ParamInfo* self, const std::string& text) { new (self) ParamInfo(ParamInfo::Parse(text)); })
      .def("__str__", &ParamInfo::str)
      .def("__repr__", [](const ParamInfo& p) { return "kiln.vm.ParamInfo(\"" + p.str() + "\")"; })
      .def("__eq__", [](const ParamInfo& a, nb::handle b) {
        return nb::isinstance<ParamInfo>(b) && a == nb::cast<ParamInfo>(b);
      });

  using runtime::vm::DimOp;
  using runtime::vm::HeapOp;
  nb::enum_<DimOp>(m, "DimOp", "Ops of a shape pattern: (op, value) pairs, one per dimension (see builtins.h).")
      .value("ANY", DimOp::kAny)
      .value("CONST", DimOp::kConst)
      .value("STORE", DimOp::kStore)
      .value("LOAD", DimOp::kLoad);
  nb::enum_<HeapOp>(m, "HeapOp", "Ops of a shape program run by vm.builtin.shape_compute (see builtins.h).")
      .value("PUSH_CONST", HeapOp::kPushConst)
      .value("PUSH_SLOT", HeapOp::kPushSlot)
      .value("STORE", HeapOp::kStore)
      .value("ADD", HeapOp::kAdd)
      .value("SUB", HeapOp::kSub)
      .value("MUL", HeapOp::kMul)
      .value("FLOOR_DIV", HeapOp::kFloorDiv)
      .value("FLOOR_MOD", HeapOp::kFloorMod)
      .value("MIN", HeapOp::kMin)
      .value("MAX", HeapOp::kMax);

  nb::class_<ExecBuilder::Label>(m, "Label", "An instruction index to be bound with ExecBuilder.bind_label.")
      .def_prop_ro("id", [](const ExecBuilder::Label& l) { return l.id; });
}

void BindExecutable(nb::module_& m) {
  nb::class_<Executable>(m, "Executable", "Bytecode, function table and constants that a VirtualMachine runs.")
      .def(
          "as_text", [](const Executable& e) { return e->AsText(); }, "The human-readable form.")
      .def(
          "save_to_bytes",
          [](const Executable& e) {
            std::string bytes = e->SaveToBytes();
            return nb::bytes(bytes.data(), bytes.size());
          },
          "The versioned binary form.")
      .def_static(
          "load_from_bytes", [](nb::bytes b) { return ExecutableObj::LoadFromBytes(b.c_str(), b.size()); },
          nb::arg("data"), "Reads save_to_bytes' output; raises kiln.Error for anything else.")
      .def(
          "as_c_source", [](const Executable& e) { return runtime::vm::ExecutableAsCSource(e); },
          "C source that carries the executable into a shared library (see deploy.h).")
      .def_prop_ro("function_names", [](const Executable& e) { return e->VMFunctionNames(); })
      .def("__repr__", [](const Executable& e) {
        std::string names;
        for (const std::string& n : e->VMFunctionNames()) names += (names.empty() ? "" : ", ") + n;
        return "<kiln.Executable " + names + ">";
      });
}

void BindBuilder(nb::module_& m) {
  nb::class_<ExecBuilder>(m, "ExecBuilder", "Writes an Executable: functions, constants, bytecode with labels.")
      .def(nb::init<>())
      .def("kernel", &ExecBuilder::Kernel, nb::arg("name"), "The function table index of kernel `name`.")
      .def("global_func", &ExecBuilder::Global, nb::arg("name"), "The index of global function `name`.")
      .def("declare_function", &ExecBuilder::DeclareFunction, nb::arg("name"), "The index of VM function `name`.")
      .def("const", &AddConstant, nb::arg("value"), "A constant operand (arrays are copied).")
      .def(
          "begin_function",
          [](ExecBuilder& b, const std::string& name, nb::iterable params) {
            std::vector<std::pair<std::string, ParamInfo>> ps;
            for (nb::handle p : params) {
              auto pair = nb::cast<nb::tuple>(p);
              KILN_CHECK(pair.size() == 2) << "ExecBuilder.begin_function: each parameter is (name, info)";
              ps.emplace_back(nb::cast<std::string>(pair[0]), ToParamInfo(pair[1]));
            }
            b.BeginFunction(name, std::move(ps));
          },
          nb::arg("name"), nb::arg("params") = nb::list(),
          "Starts VM function `name`; params are (name, info) pairs, info a ParamInfo or its text.")
      .def("param", &ExecBuilder::Param, nb::arg("index"))
      .def("new_register", &ExecBuilder::NewRegister)
      .def("new_label", &ExecBuilder::NewLabel)
      .def("bind_label", &ExecBuilder::BindLabel, nb::arg("label"))
      .def(
          "emit_call",
          [](ExecBuilder& b, int64_t func, nb::iterable args, nb::handle dst) {
            std::vector<Operand> ops;
            for (nb::handle a : args) ops.push_back(ToOperand(b, a));
            if (dst.is_none()) {
              b.EmitCall(func, std::move(ops));
            } else {
              b.EmitCall(func, std::move(ops), nb::cast<Operand>(dst));
            }
          },
          nb::arg("func"), nb::arg("args"), nb::arg("dst").none() = nb::none(),
          "dst = functions[func](*args); ints are immediates, other values constants.")
      .def(
          "emit_ret", [](ExecBuilder& b, nb::handle v) { b.EmitRet(ToOperand(b, v)); }, nb::arg("value"))
      .def("emit_goto", &ExecBuilder::EmitGoto, nb::arg("label"))
      .def(
          "emit_if", [](ExecBuilder& b, nb::handle cond, ExecBuilder::Label l) { b.EmitIf(ToOperand(b, cond), l); },
          nb::arg("cond"), nb::arg("else_label"), "Falls through when cond is truthy, else jumps to else_label.")
      .def("end_function", &ExecBuilder::EndFunction)
      .def("finish", &ExecBuilder::Finish);
}

std::vector<Any> Args(nb::iterable args) {
  std::vector<Any> out;
  for (nb::handle a : args) out.push_back(FromPython(a));
  return out;
}

void BindMachine(nb::module_& m) {
  nb::class_<runtime::vm::ProfileReportObj::Row>(m, "ProfileRow")
      .def_prop_ro("name", [](const runtime::vm::ProfileReportObj::Row& r) { return r.name; })
      .def_prop_ro("kind", [](const runtime::vm::ProfileReportObj::Row& r) { return r.kind; })
      .def_prop_ro("calls", [](const runtime::vm::ProfileReportObj::Row& r) { return r.calls; })
      .def_prop_ro("total_us", [](const runtime::vm::ProfileReportObj::Row& r) { return r.total_us; })
      .def("__repr__", [](const runtime::vm::ProfileReportObj::Row& r) {
        return "ProfileRow(" + r.name + ", " + r.kind + ", calls=" + std::to_string(r.calls) +
               ", total_us=" + std::to_string(r.total_us) + ")";
      });
  nb::class_<ProfileReport>(m, "ProfileReport", "Time per packed function over one run of a VM function.")
      .def_prop_ro("function", [](const ProfileReport& p) { return p->function; })
      .def_prop_ro("rows", [](const ProfileReport& p) { return p->rows; })
      .def_prop_ro("total_us", [](const ProfileReport& p) { return p->total_us; })
      .def("table", [](const ProfileReport& p) { return p->Table(); })
      .def("__str__", [](const ProfileReport& p) { return p->Table(); })
      .def("__repr__", [](const ProfileReport& p) { return p->Table(); });

  nb::class_<VirtualMachine>(m, "VirtualMachine", "Runs an Executable's functions on a device.")
      .def(
          "__init__",
          [](VirtualMachine* self, const Executable& exec, nb::handle kernels, Device device) {
            Module k = kernels.is_none() ? Module() : nb::cast<Module>(kernels);
            new (self) VirtualMachine(exec, k, device);
          },
          nb::arg("executable"), nb::arg("kernels").none(), nb::arg("device"))
      .def_static("from_library", &VirtualMachine::FromLibrary, nb::arg("library"), nb::arg("device"))
      .def("get_function", &VirtualMachine::GetFunction, nb::arg("name"))
      .def(
          "invoke",
          [](const VirtualMachine& vm, const std::string& name, nb::iterable args) {
            std::vector<Any> a = Args(args);
            Any result;
            {
              nb::gil_scoped_release release;
              result = vm.Invoke(name, a);
            }
            return ToPython(result);
          },
          nb::arg("name"), nb::arg("args"))
      .def(
          "profile",
          [](const VirtualMachine& vm, const std::string& name, nb::iterable args) {
            std::vector<Any> a = Args(args);
            nb::gil_scoped_release release;
            return vm.Profile(name, a);
          },
          nb::arg("name"), nb::arg("args"))
      .def_prop_ro("executable", &VirtualMachine::executable)
      .def_prop_ro("device", &VirtualMachine::device)
      .def_prop_ro("module", &VirtualMachine::module)
      .def_prop_ro("function_names", [](const VirtualMachine& vm) { return vm.executable()->VMFunctionNames(); });
}
}  // namespace

void BindVM(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("vm", "The virtual machine.");
  BindOperandsAndInfos(m);
  BindExecutable(m);
  BindBuilder(m);
  BindMachine(m);
  // The storage counters (kiln.runtime.memory_stats).
  m.def("_storage_stats", [] {
    runtime::vm::StorageStats s = runtime::vm::GetStorageStats();
    return std::make_pair(s.live_bytes, s.peak_bytes);
  });
  m.def("_reset_peak_storage_bytes", &runtime::vm::ResetPeakStorageBytes);
}

}  // namespace kiln::python
