// `kiln inspect MODEL`: what a .kir or .onnx model holds before compiling it:
// the ops it uses with their counts and whether Kiln supports them, each
// function's inputs and outputs, and the module after import as text.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>

#include "commands.h"
#include "kiln/frontend/onnx.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/op.h"
#include "kiln/relax/printer.h"
#include "kiln/runtime/error.h"
#include "model.h"
#include "onnx_ops.h"
#include "printable.h"

namespace kiln::cli {

namespace {

using OpCounts = std::vector<std::pair<std::string, int>>;

// "title: 4 calls of 3 ops", then one line per op: name, count, status.
void PrintOps(const std::string& title, const std::string& calls_word, const OpCounts& ops,
              const std::function<std::string(const std::string&)>& status) {
  int calls = 0;
  size_t width = 2;
  for (const auto& [name, count] : ops) calls += count, width = std::max(width, name.size());
  std::cout << title << ": " << calls << " " << calls_word << " of " << ops.size() << " ops\n";
  for (const auto& [name, count] : ops) {
    std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << name << "  " << std::right << std::setw(5)
              << count << "  " << status(name) << "\n";
  }
}

// The relax ops called in the module's functions, in order of first use.
OpCounts CountRelaxOps(const ir::IRModule& mod) {
  OpCounts ops;
  std::map<std::string, size_t> index;
  for (const auto& [gv, func] : mod.functions()) {
    relax::Function f = func.As<relax::FunctionNode>();
    if (!f) continue;
    relax::PostOrderVisit(f, [&](const relax::Expr& e) {
      const auto* call = e.As<relax::CallNode>().get();
      if (call == nullptr) return;
      relax::Op op = call->op.As<relax::OpNode>();
      if (!op) return;
      std::string name = op->name.rfind("relax.", 0) == 0 ? op->name.substr(6) : op->name;
      auto [it, inserted] = index.emplace(name, ops.size());
      if (inserted) ops.emplace_back(name, 0);
      ++ops[it->second].second;
    });
  }
  return ops;
}

std::string RelaxOpStatus(const std::string& name) {
  // Built-in ops print without their "relax." prefix; custom ops (an ONNX
  // custom-domain op registered as "com.example.Rope") print their full name.
  relax::Op op = relax::FindOp(name);
  if (!op) op = relax::FindOp("relax." + name);
  if (!op) return "unknown";
  return op->legalize ? "supported" : "no legalization (must be lowered before codegen)";
}

void PrintFunctions(const ir::IRModule& mod) {
  for (const auto& [gv, func] : mod.functions()) {
    relax::Function f = func.As<relax::FunctionNode>();
    if (!f) continue;
    std::cout << "function " << gv->name << "\n";
    for (const relax::Var& p : f->params) {
      std::cout << "  input   " << p->name << ": " << relax::StructInfoString(p->struct_info) << "\n";
    }
    std::cout << "  output  " << relax::StructInfoString(f->ret_struct_info) << "\n";
  }
}

int Run(const Args& args) {
  const std::string& path = args.positional()[0];
  ModelKind kind = KindOf(path);
  if (kind == ModelKind::kLibrary) {
    throw UsageError("kiln inspect: " + path + " is compiled; inspect the .onnx or .kir it came from");
  }
  std::cout << "model: " << path << (kind == ModelKind::kONNX ? " (ONNX)" : " (relax text)") << "\n";
  if (kind == ModelKind::kONNX) {
    std::vector<std::string> unsupported = WithFileName(path, [&] { return frontend::UnsupportedONNXOps(path); });
    auto is_unsupported = [&](const std::string& op) {
      return std::find_if(unsupported.begin(), unsupported.end(),
                          [&](const std::string& u) { return Printable(u) == op; }) != unsupported.end();
    };
    PrintOps("ONNX ops", "nodes", CountONNXOps(path),
             [&](const std::string& op) { return is_unsupported(op) ? "unsupported" : "supported"; });
    if (!unsupported.empty()) {
      std::string list;
      for (const std::string& op : unsupported) list += (list.empty() ? "" : ", ") + Printable(op);
      KILN_THROW() << path << ": cannot import: Kiln does not support the ONNX op(s) " << list;
    }
  }
  ir::IRModule mod = ImportModel(path);
  PrintFunctions(mod);
  PrintOps(kind == ModelKind::kONNX ? "relax ops after import" : "relax ops", "calls", CountRelaxOps(mod),
           RelaxOpStatus);
  if (!args.Has("no-module")) std::cout << "module after import:\n" << relax::ToText(mod) << "\n";
  return 0;
}

}  // namespace

Command InspectCommand() {
  Command c;
  c.name = "inspect";
  c.summary = "list a model's ops (and which are supported), inputs, outputs and imported module";
  c.usage = "kiln inspect MODEL.onnx|MODEL.kir [--no-module]";
  c.options = {{"no-module", "", "do not print the module after import"}};
  c.min_positional = c.max_positional = 1;
  c.run = Run;
  return c;
}

}  // namespace kiln::cli
