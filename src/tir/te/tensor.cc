// te tensors: placeholders, computes and reads, with the checks a compute
// body must pass (reductions only at the top, reads only of tensors).
#include "kiln/tir/te/tensor.h"

#include "kiln/runtime/error.h"
#include "kiln/tir/functor.h"
#include "reduction.h"

namespace kiln::tir::te {

namespace {
// The one integer dtype of a shape's dimensions (int64 for a scalar).
DataType ShapeDType(const std::vector<PrimExpr>& shape, const std::string& what) {
  DataType t = shape.empty() || !shape[0] ? DataType::Int(64) : shape[0].dtype();
  for (size_t d = 0; d < shape.size(); ++d) {
    KILN_CHECK(shape[d]) << what << ": dimension " << d << " is undefined";
    KILN_CHECK(shape[d].dtype() == t) << what << ": dimension " << d << " is " << shape[d].dtype()
                                      << " but dimension 0 is " << t << " (mixed dtypes; cast one)";
  }
  return t;
}

// A tensor node with the buffer fields DeclBuffer would give it.
Ref<TensorNode> NewTensor(const std::string& name, std::vector<PrimExpr> shape, DataType dtype) {
  KILN_CHECK(dtype.lanes() == 1 && !dtype.is_handle())
      << "tensor '" << name << "': elements must be scalars, not " << dtype;
  Buffer b = DeclBuffer(name, std::move(shape), dtype);  // checks the dimensions
  auto n = runtime::MakeObject<TensorNode>();
  n->name = b->name;
  n->data = b->data;
  n->dtype = b->dtype;
  n->shape = b->shape;
  n->elem_offset = b->elem_offset;
  return n;
}

bool HasReduction(const PrimExpr& e) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) { found |= DecodeReduction(x).has_value(); });
  return found;
}

// The first of `vars` that `e` uses, or nullptr.
const VarNode* FindUse(const PrimExpr& e, const std::vector<Var>& vars) {
  const VarNode* found = nullptr;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    for (const Var& v : vars) {
      if (!found && x.get() == v.get()) found = v.get();
    }
  });
  return found;
}

void CheckReduction(const std::string& name, const Reduction& r, const std::vector<Var>& axis) {
  KILN_CHECK(!HasReduction(r.source) && !HasReduction(r.init))
      << "compute '" << name << "': a reduction inside a reduction; use one compute per reduction";
  std::vector<Var> reduce_vars;
  for (const ReduceAxis& a : r.axes) {
    reduce_vars.push_back(a.var);
    const VarNode* v = FindUse(a.dom.min, axis);
    if (!v) v = FindUse(a.dom.extent, axis);
    KILN_CHECK(!v) << "compute '" << name << "': the domain of reduce axis '" << a.var.name() << "' depends on index '"
                   << v->name << "'; bound the source with a condition instead";
  }
  const VarNode* misused = FindUse(r.init, reduce_vars);
  KILN_CHECK(!misused) << "compute '" << name << "': reduce axis '" << misused->name
                       << "' is used outside a reduction (in its init)";
}

void CheckBody(const std::string& name, const PrimExpr& body, const std::vector<Var>& axis) {
  KILN_CHECK(body) << "compute '" << name << "': the function returned an undefined expression";
  KILN_CHECK(body.dtype().lanes() == 1) << "compute '" << name << "': the value must be a scalar, not " << body.dtype();
  if (auto r = DecodeReduction(body)) return CheckReduction(name, *r, axis);
  KILN_CHECK(!HasReduction(body)) << "compute '" << name
                                  << "': a reduction must be the whole value of a compute, not part of it";
}

// The tensors `body` reads, in first-read order; raises on a plain buffer.
std::vector<Tensor> InputsOf(const std::string& name, const PrimExpr& body) {
  std::vector<Tensor> inputs;
  PreOrderVisit(body, [&](const PrimExpr& e) {
    const BufferLoadNode* load = e.as<BufferLoadNode>();
    if (!load) return;
    Tensor t(load->buffer.As<TensorNode>());
    KILN_CHECK(t) << "compute '" << name << "' reads buffer '" << load->buffer->name
                  << "', which is not a te tensor (use a placeholder)";
    for (const Tensor& seen : inputs) {
      if (seen == t) return;
    }
    inputs.push_back(t);
  });
  return inputs;
}

void CheckArity(size_t arity, const std::vector<PrimExpr>& shape, const std::string& name) {
  KILN_CHECK(arity == shape.size()) << "compute '" << name << "': the function takes " << arity
                                    << " indices but the shape has " << shape.size() << " dimensions";
}
}  // namespace

PrimExpr Tensor::Read(std::vector<PrimExpr> indices) const {
  KILN_CHECK(get()) << "read of an undefined tensor";
  KILN_CHECK(indices.size() == ndim()) << "tensor '" << name() << "' has " << ndim() << " dimensions; read with "
                                       << indices.size() << " indices";
  return BufferLoad(Buffer(Ref<BufferNode>(*this)), std::move(indices));
}

Tensor placeholder(std::vector<PrimExpr> shape, DataType dtype, std::string name) {
  ShapeDType(shape, "placeholder '" + name + "'");
  return Tensor(NewTensor(name, std::move(shape), dtype));
}

Tensor compute(std::vector<PrimExpr> shape, FCompute f, std::string name, ir::Attrs attrs) {
  DataType index_type = ShapeDType(shape, "compute '" + name + "'");
  std::vector<Var> axis;
  for (size_t d = 0; d < shape.size(); ++d) axis.emplace_back("i" + std::to_string(d), index_type);
  PrimExpr body = f(axis);
  CheckBody(name, body, axis);
  Ref<TensorNode> n = NewTensor(name, std::move(shape), body.dtype());
  n->inputs = InputsOf(name, body);
  n->axis = std::move(axis);
  n->body = std::move(body);
  n->attrs = std::move(attrs);
  return Tensor(n);
}

Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var)> f, std::string name, ir::Attrs attrs) {
  CheckArity(1, shape, name);
  return compute(
      std::move(shape), [&](const std::vector<Var>& i) { return f(i[0]); }, std::move(name), std::move(attrs));
}
Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var, Var)> f, std::string name, ir::Attrs attrs) {
  CheckArity(2, shape, name);
  return compute(
      std::move(shape), [&](const std::vector<Var>& i) { return f(i[0], i[1]); }, std::move(name), std::move(attrs));
}
Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var, Var, Var)> f, std::string name,
               ir::Attrs attrs) {
  CheckArity(3, shape, name);
  return compute(
      std::move(shape), [&](const std::vector<Var>& i) { return f(i[0], i[1], i[2]); }, std::move(name),
      std::move(attrs));
}
Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var, Var, Var, Var)> f, std::string name,
               ir::Attrs attrs) {
  CheckArity(4, shape, name);
  return compute(
      std::move(shape), [&](const std::vector<Var>& i) { return f(i[0], i[1], i[2], i[3]); }, std::move(name),
      std::move(attrs));
}

}  // namespace kiln::tir::te
