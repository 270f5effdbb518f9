// BlockBuilder: builds relax functions binding by binding, with inferred
// struct info, into a module; also the normalizer that infers struct info.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/relax/struct_info.h"

namespace kiln::relax {

// A variable like `var` (name, dataflow or not, span) with struct info `sinfo`.
Var WithStructInfo(const Var& var, StructInfo sinfo);

// Emitting a value flattens it to A-normal form: nested calls become bindings
// of their own, so call arguments are leaves (vars, constants, shapes, ...)
// or tuples of leaves.
//
//   BlockBuilder bb;
//   bb.BeginFunction("main", {x});
//   bb.BeginDataflowBlock();
//   Var y = bb.Emit(MakeCall(GetOp("relax.add"), {x, x}));
//   Var out = bb.EmitOutput(y);
//   bb.EndDataflowBlock();
//   GlobalVar main = bb.EndFunction(out);
//   ir::IRModule mod = bb.GetModule();
class BlockBuilder {
 public:
  explicit BlockBuilder(ir::IRModule mod = ir::IRModule()) : mod_(std::move(mod)) {}

  // ---- the module ----
  // Adds `func` under a name made unique from `name_hint`.
  ir::GlobalVar AddFunction(const ir::BaseFunc& func, const std::string& name_hint);
  void UpdateFunction(const ir::GlobalVar& gv, const ir::BaseFunc& func);
  const ir::IRModule& GetModule() const { return mod_; }

  // ---- functions ----
  // Opens a function; bindings emitted until EndFunction form its body.
  void BeginFunction(const std::string& name, std::vector<Var> params, Attrs attrs = {}, bool is_pure = true);
  // Closes the function with `output` as its result (normalized to a leaf),
  // adds it to the module and returns its GlobalVar. The return struct info
  // is the output's unless `ret` is given.
  ir::GlobalVar EndFunction(const Expr& output, StructInfo ret = {});

  // ---- blocks ----
  // Blocks nest: a block begun inside another is a new scope (an if branch,
  // a SeqExpr) and comes back from its End only; a block ended at a
  // function's top level also joins the function's body. Emitting with no
  // block open opens a binding block.
  void BeginDataflowBlock() { BeginBlock(true); }
  void BeginBindingBlock() { BeginBlock(false); }
  BindingBlock EndDataflowBlock() { return EndBlock(true); }
  BindingBlock EndBindingBlock() { return EndBlock(false); }
  bool InDataflowBlock() const { return !blocks_.empty() && blocks_.back().block.is_dataflow; }

  // ---- emission ----
  // Binds `value` (flattened and normalized) to a fresh variable: a
  // DataflowVar inside a dataflow block, else a Var. Names are made unique
  // from `name_hint` ("lv" / "gv" when empty).
  Var Emit(const Expr& value, const std::string& name_hint = "");
  // Inside a dataflow block: binds a Var that is visible after the block.
  Var EmitOutput(const Expr& value, const std::string& name_hint = "");
  // Binds `var = match_cast(value, sinfo)`: a run-time check that may define
  // the symbolic variables in `sinfo`.
  Var EmitMatchCast(const Expr& value, const StructInfo& sinfo, const std::string& name_hint = "");
  // Emits a prepared binding, its value flattened and normalized; returns the
  // variable bound: binding.var, or a copy with struct info when it had none.
  Var EmitBinding(const Binding& binding);

  // ---- normalization ----
  // `expr` with struct info filled in for it and every sub-expression
  // (nested calls stay nested); the same object when all was there. Raises
  // kiln::Error on ill-typed calls, bad tuple indices and the like.
  Expr Normalize(const Expr& expr);
  // `expr` normalized as a call argument: a leaf or a tuple of leaves; any
  // other expression is emitted and its variable returned.
  Expr NormalizeArgument(const Expr& expr);
  // A variable name made unique among the names seen in this function.
  std::string UniqueName(const std::string& hint);
  // Marks the names of the variables defined in `scope` as taken, so that
  // fresh names do not repeat them.
  void ReserveNames(const Expr& scope);

 private:
  struct BlockFrame {
    BindingBlock block;
    bool implicit = false;  // opened by an Emit with no block open
  };
  struct FunctionFrame {
    std::string name;
    std::vector<Var> params;
    Attrs attrs;
    bool is_pure = true;
    std::vector<BindingBlock> blocks;
  };

  void BeginBlock(bool dataflow);
  BindingBlock EndBlock(bool dataflow);
  void CloseImplicitBlock();
  BlockFrame& CurrentBlock();
  Var EmitNew(const Expr& value, const std::string& name_hint, bool output);
  // Flattens the operands of `value` (call args, tuple fields, ...) into
  // bindings and normalizes the result.
  Expr NormalizeBindingValue(const Expr& value);

  ir::IRModule mod_;
  std::vector<BlockFrame> blocks_;
  std::optional<FunctionFrame> function_;       // functions do not nest
  std::unordered_map<std::string, int> names_;  // name -> next suffix to try
};

}  // namespace kiln::relax
