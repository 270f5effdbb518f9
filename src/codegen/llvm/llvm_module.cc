// Build for the llvm target, and the Module it returns: the optimized IR,
// assembly on request, and the JIT (ORC LLJIT over the module's object file,
// so the code that runs in process is the code that ExportLibrary ships).
#include "llvm_module.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include "codegen_llvm.h"
#include "../backends.h"
#include "kiln/codegen/build.h"
#include "kiln/runtime/error.h"
#include "llvm_target.h"

namespace kiln::codegen {

namespace {

template <typename T>
T Unwrap(llvm::Expected<T> value, const std::string& what) {
  if (!value) KILN_THROW() << what << ": " << llvm::toString(value.takeError());
  return std::move(*value);
}

void Check(llvm::Error error, const std::string& what) {
  if (error) KILN_THROW() << what << ": " << llvm::toString(std::move(error));
}

}  // namespace

LLVMModuleObj::LLVMModuleObj(Target target, std::unique_ptr<llvm::LLVMContext> context,
                             std::unique_ptr<llvm::Module> module, std::vector<std::string> names)
    : target_(std::move(target)), context_(std::move(context)), module_(std::move(module)), names_(std::move(names)) {}

LLVMModuleObj::~LLVMModuleObj() = default;

std::string LLVMModuleObj::GetSource(const std::string& format) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (format.empty() || format == "ll") {
    std::string text;
    llvm::raw_string_ostream os(text);
    module_->print(os, nullptr);
    return os.str();
  }
  KILN_CHECK(format == "asm" || format == "s")
      << "llvm module: no source in format '" << format << "' (available: ll, asm)";
  return EmitMachineCode(*module_, *CreateTargetMachine(target_), true);
}

std::string LLVMModuleObj::ObjectCode() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ObjectCodeLocked();
}

const std::string& LLVMModuleObj::ObjectCodeLocked() const {
  if (object_.empty()) object_ = EmitMachineCode(*module_, *CreateTargetMachine(target_), false);
  return object_;
}

void LLVMModuleObj::StartJITLocked() {
  std::string process = llvm::sys::getProcessTriple();
  KILN_CHECK(llvm::Triple(target_.triple).getArch() == llvm::Triple(process).getArch())
      << "a module built for '" << target_.str() << "' cannot run in this process (" << process
      << "); export it with ExportLibrary instead";
  // JITLink places all sections of the object in one allocation: with the
  // default linker (RuntimeDyld) text and data are mapped separately and may
  // land more than 2 GiB apart in a crowded address space (a process that
  // loaded PyTorch), which the small code model's 32-bit PC-relative
  // references cannot reach.
  auto jit = Unwrap(llvm::orc::LLJITBuilder()
                        .setObjectLinkingLayerCreator([](llvm::orc::ExecutionSession& es, const llvm::Triple&) {
                          return std::make_unique<llvm::orc::ObjectLinkingLayer>(es);
                        })
                        .create(),
                    "cannot start the LLVM JIT");
  // libm and libc resolve from the process.
  auto search =
      Unwrap(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(jit->getDataLayout().getGlobalPrefix()),
             "cannot search the process for symbols");
  jit->getMainJITDylib().addGenerator(std::move(search));
  Check(jit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(ObjectCodeLocked(), "kiln-module")),
        "cannot load the compiled module into the JIT");
  auto api = Unwrap(jit->lookup("__kiln_runtime_api"), "the compiled module lacks __kiln_runtime_api");
  *api.toPtr<const KilnRuntimeAPI**>() = KilnGetRuntimeAPI();
  for (const std::string& name : names_) {
    functions_[name] = Unwrap(jit->lookup(name), "cannot find compiled function '" + name + "'").toPtr<KilnCFunc>();
  }
  jit_ = std::move(jit);
}

runtime::Function LLVMModuleObj::GetFunction(const std::string& name) {
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) return runtime::Function();
  KilnCFunc f = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!jit_) StartJITLocked();
    f = functions_.at(name);
  }
  return runtime::WrapCFunction(name, f, runtime::ObjectRef(runtime::GetRef<runtime::Object>(this)));
}

runtime::Module BuildLLVM(const ir::IRModule& mod, const Target& target) {
  KILN_ICHECK(target.kind == "llvm") << "BuildLLVM: target " << target.str();
  std::unique_ptr<llvm::TargetMachine> tm = CreateTargetMachine(target);
  auto context = std::make_unique<llvm::LLVMContext>();
  // LLVM's warnings and remarks (a schedule's unroll hint it could not honor:
  // "loop not unrolled") are not the user's business; errors still print.
  context->setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo& di, void*) {
    if (di.getSeverity() != llvm::DS_Error) return;
    llvm::DiagnosticPrinterRawOStream printer(llvm::errs());
    llvm::errs() << "error: ";
    di.print(printer);
    llvm::errs() << "\n";
  });
  auto module = std::make_unique<llvm::Module>("kiln", *context);
  module->setTargetTriple(target.triple);
  module->setDataLayout(tm->createDataLayout());
  std::vector<std::string> names;
  CodeGenLLVM cg(*module, target);
  for (const auto& [name, func] : LoweredKernels(mod)) {
    cg.AddFunction(name, func);
    names.push_back(name);
  }
  std::string errors;
  llvm::raw_string_ostream es(errors);
  KILN_ICHECK(!llvm::verifyModule(*module, &es)) << "invalid LLVM IR was generated: " << es.str();
  OptimizeModule(*module, *tm, target.opt_level);
  return runtime::Module(runtime::MakeObject<LLVMModuleObj>(target, std::move(context), std::move(module), names));
}

}  // namespace kiln::codegen
