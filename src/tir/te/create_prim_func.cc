// create_prim_func: orders the compute stages an output needs, gives every
// tensor a uniquely named buffer, and wraps the stages in the root block.
#include "kiln/tir/te/create_prim_func.h"

#include <algorithm>
#include <unordered_set>

#include "kiln/runtime/error.h"
#include "reduction.h"
#include "stage.h"
#include "undefined_vars.h"

namespace kiln::tir::te {

namespace {
bool Contains(const std::vector<Tensor>& ts, const Tensor& t) {
  return std::find(ts.begin(), ts.end(), t) != ts.end();
}

void CheckArgs(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs, const std::vector<Var>& scalars) {
  KILN_CHECK(!outputs.empty()) << "create_prim_func: no outputs given";
  for (const auto* list : {&inputs, &outputs}) {
    for (size_t i = 0; i < list->size(); ++i) {
      const Tensor& t = (*list)[i];
      KILN_CHECK(t) << "create_prim_func: " << (list == &inputs ? "input " : "output ") << i << " is undefined";
      KILN_CHECK(std::count(list->begin(), list->end(), t) == 1)
          << "create_prim_func: tensor '" << t.name() << "' is given twice";
    }
  }
  for (const Tensor& t : outputs) {
    KILN_CHECK(!Contains(inputs, t)) << "create_prim_func: tensor '" << t.name() << "' is both an input and an output";
  }
  for (const Var& v : scalars) {
    KILN_CHECK(v && !v.dtype().is_handle()) << "create_prim_func: a scalar must be a defined non-handle variable";
  }
}

// The computes that `outputs` need, each after the tensors it reads.
class StageOrder {
 public:
  explicit StageOrder(const std::vector<Tensor>& inputs) : inputs_(inputs) {}
  std::vector<Tensor> operator()(const std::vector<Tensor>& outputs) {
    for (const Tensor& out : outputs) Visit(out, out);
    return order_;
  }

 private:
  void Visit(const Tensor& t, const Tensor& output) {
    if (Contains(inputs_, t) || !visited_.insert(t.get()).second) return;
    KILN_CHECK(!t->is_placeholder()) << "create_prim_func: output '" << output.name() << "' depends on placeholder '"
                                     << t.name() << "', which is not among the inputs";
    for (const Tensor& in : t->inputs) Visit(in, output);
    order_.push_back(t);
  }

  const std::vector<Tensor>& inputs_;
  std::unordered_set<const TensorNode*> visited_;
  std::vector<Tensor> order_;
};

// Buffers named after tensors, with a suffix where a name is taken: A, A_1.
class BufferNamer {
 public:
  Buffer Declare(const Tensor& t) {
    std::string name = t.name();
    for (int k = 1; !used_.insert(name).second; ++k) name = t.name() + "_" + std::to_string(k);
    return DeclBuffer(name, t.shape(), t.dtype());
  }

 private:
  std::unordered_set<std::string> used_;
};

std::unordered_set<const VarNode*> ReduceVars(const std::vector<Tensor>& stages) {
  std::unordered_set<const VarNode*> vars;
  for (const Tensor& t : stages) {
    if (auto r = DecodeReduction(t->body)) {
      for (const ReduceAxis& a : r->axes) vars.insert(a.var.get());
    }
  }
  return vars;
}
}  // namespace

PrimFunc create_prim_func(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs,
                          const std::vector<Var>& scalars) {
  CheckArgs(inputs, outputs, scalars);
  std::vector<Tensor> stages = StageOrder(inputs)(outputs);
  BufferNamer namer;
  BufferMap buffers;
  std::vector<Buffer> params, intermediates;
  for (const auto* list : {&inputs, &outputs}) {
    for (const Tensor& t : *list) params.push_back(buffers[t.get()] = namer.Declare(t));
  }
  for (const Tensor& t : stages) {
    if (!buffers.count(t.get())) intermediates.push_back(buffers[t.get()] = namer.Declare(t));
  }
  std::vector<Stmt> body;
  for (const Tensor& t : stages) body.push_back(MakeStage(t, buffers));
  BlockSpec root;
  root.name = "root";
  root.body = Seq(std::move(body));
  root.alloc_buffers = std::move(intermediates);
  Stmt func_body = Block(std::move(root));
  CheckNoUndefinedVars(func_body, params, scalars, ReduceVars(stages));
  return MakePrimFunc(params, func_body, scalars);
}

}  // namespace kiln::tir::te
