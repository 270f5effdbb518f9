// Passes (IRModule -> IRModule, with a name, opt level, summary and required
// passes), PassContext with its config and instruments, Sequential, and the
// registry of passes by name that the `kiln` command and Python read.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/relax/expr.h"
#include "kiln/runtime/any.h"
#include "kiln/tir/function.h"

namespace kiln::transform {

using ir::IRModule;
using runtime::Ref;

struct PassInfo {
  std::string name;
  int opt_level = 0;  // Sequential skips the pass when the context's opt level is lower
  std::string summary;
  std::vector<std::string> required;  // registered passes that must run before this one
};

// ---- instruments ----

// Observes passes; a context calls these around every pass it runs, in the
// order its instruments are listed.
class PassInstrumentNode : public runtime::Object {
 public:
  KILN_OBJECT_TYPE(PassInstrumentNode, runtime::Object, "transform.PassInstrument")
  virtual void BeforePass(const IRModule&, const PassInfo&) {}
  virtual void AfterPass(const IRModule&, const PassInfo&) {}
};
using PassInstrument = Ref<PassInstrumentNode>;

// Times each pass; passes run inside another pass are nested under it.
class PassTimingNode : public PassInstrumentNode {
 public:
  KILN_OBJECT_TYPE(PassTimingNode, PassInstrumentNode, "transform.PassTiming")
  struct Record {
    std::string pass;
    double seconds = 0;
    int depth = 0;  // 0 for a pass run directly, 1 inside another pass, ...
  };
  void BeforePass(const IRModule& mod, const PassInfo& info) override;
  void AfterPass(const IRModule& mod, const PassInfo& info) override;
  // In the order the passes started.
  const std::vector<Record>& records() const { return records_; }
  // One line per pass: its name, milliseconds and share of the total.
  std::string Report() const;

 private:
  std::vector<Record> records_;
  std::vector<std::pair<size_t, double>> running_;  // record index, start time
};
using PassTiming = Ref<PassTimingNode>;
PassTiming MakePassTiming();

// Writes the module after each pass to `dir` (created when missing) as
// `NNN_<pass>.kir`, NNN counting the passes run in this context from 001.
PassInstrument MakeDumpIR(std::string dir);

// Checks well-formedness after each pass; raises kiln::Error naming the pass
// that broke it and listing the problems.
PassInstrument MakeWellFormedCheck();

// ---- configuration ----

enum class ConfigType : uint8_t { kBool, kInt, kFloat, kString };

struct PassConfigOption {
  std::string key;
  ConfigType type;
  runtime::Any default_value;
  std::string doc;
};

// Registers a configuration key that PassContexts accept; raises when taken.
// Built in: "dump_ir" (string: a folder to dump the module to after each
// pass; the environment variable KILN_DUMP_IR does the same) and
// "verify_well_formed" (bool: check the module after each pass).
void RegisterPassConfig(PassConfigOption option);
std::vector<PassConfigOption> ListPassConfigs();

// ---- context ----

// The opt level, a configuration checked against registered keys, and the
// instruments that observe every pass. Passes take their context as an
// argument: configuration is read where a pass runs, never from a global
// deep inside it.
class PassContextNode : public runtime::Object {
 public:
  KILN_OBJECT_TYPE(PassContextNode, runtime::Object, "transform.PassContext")
  int opt_level = 2;
  std::map<std::string, runtime::Any> config;  // registered keys, values of their type
  std::vector<PassInstrument> instruments;
};

class PassContext : public Ref<PassContextNode> {
 public:
  explicit PassContext(Ref<PassContextNode> n) : Ref<PassContextNode>(std::move(n)) {}

  // Checks opt_level (0..3) and every config key and value; adds the
  // instruments the config asks for (IR dumps, then well-formedness checks)
  // after `instruments`.
  static PassContext Create(int opt_level = 2, std::map<std::string, runtime::Any> config = {},
                            std::vector<PassInstrument> instruments = {});
  // The innermost entered context of this thread, else this thread's default.
  static PassContext Current();
  void Enter() const;
  void Exit() const;  // raises unless this is the innermost entered context

  int opt_level() const { return get()->opt_level; }
  // The value of config `key`, or its registered default.
  runtime::Any GetConfig(const std::string& key) const;
  template <typename T>
  T GetConfig(const std::string& key) const {
    return GetConfig(key).Cast<T>();
  }

  void BeforePass(const IRModule& mod, const PassInfo& info) const;
  void AfterPass(const IRModule& mod, const PassInfo& info) const;
};

// Enters `ctx` for the lifetime of the scope.
class PassContextScope {
 public:
  explicit PassContextScope(PassContext ctx) : ctx_(std::move(ctx)) { ctx_.Enter(); }
  ~PassContextScope() { ctx_.Exit(); }
  PassContextScope(const PassContextScope&) = delete;
  PassContextScope& operator=(const PassContextScope&) = delete;

 private:
  PassContext ctx_;
};

// ---- passes ----

class PassNode : public runtime::Object {
 public:
  KILN_OBJECT_TYPE(PassNode, runtime::Object, "transform.Pass")
  PassInfo info;
  virtual IRModule Run(const IRModule& mod, const PassContext& ctx) const = 0;
};

class Pass : public Ref<PassNode> {
 public:
  Pass() = default;
  explicit Pass(Ref<PassNode> n) : Ref<PassNode>(std::move(n)) {}
  IRModule operator()(const IRModule& mod) const { return (*this)(mod, PassContext::Current()); }
  IRModule operator()(const IRModule& mod, const PassContext& ctx) const { return get()->Run(mod, ctx); }
  const PassInfo& info() const { return get()->info; }
};

using ModulePassFunc = std::function<IRModule(const IRModule&, const PassContext&)>;
// The function of a per-function pass returns the new function (the same
// object when unchanged), or an empty handle to remove it from the module.
using FunctionPassFunc = std::function<relax::Function(const relax::Function&, const IRModule&, const PassContext&)>;
using PrimFuncPassFunc = std::function<tir::PrimFunc(const tir::PrimFunc&, const IRModule&, const PassContext&)>;

// A pass over the whole module, run between the context's instruments.
Pass CreateModulePass(ModulePassFunc func, PassInfo info);
// A module pass that applies `func` to each relax function.
Pass CreateFunctionPass(FunctionPassFunc func, PassInfo info);
// A module pass that applies `func` to each tir PrimFunc.
Pass CreatePrimFuncPass(PrimFuncPassFunc func, PassInfo info);

// Runs `passes` in order. A pass whose opt level is above the context's is
// skipped; before each pass that runs, each of its required passes that has
// not run yet in this sequence runs first (found in the registry, whatever
// its opt level). Not itself instrumented: its passes are.
Pass Sequential(std::vector<Pass> passes, std::string name = "Sequential");

// ---- registry ----

// Registers a pass factory under `name`, the name of the passes it makes;
// raises when the name is taken.
void RegisterPass(const std::string& name, std::function<Pass()> make);
// The registered pass called `name`, or an empty handle.
Pass FindPass(const std::string& name);
// Like FindPass, but raises kiln::Error listing the known passes.
Pass GetPass(const std::string& name);
// The info of every registered pass, by name.
std::vector<PassInfo> ListPasses();

struct PassRegistrar {
  PassRegistrar(const char* name, std::function<Pass()> make) { RegisterPass(name, std::move(make)); }
};
// KILN_REGISTER_PASS(DeadCodeElimination); in the pass's file registers the
// factory `DeadCodeElimination()` under its name.
#define KILN_REGISTER_PASS(Factory) \
  static const ::kiln::transform::PassRegistrar kiln_pass_registrar_##Factory(#Factory, [] { return Factory(); })

}  // namespace kiln::transform
