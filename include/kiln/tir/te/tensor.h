// te tensors: placeholders (the inputs of a computation) and computes
// (out[i...] = f(i...)). Reading a tensor, t(i, j), builds a tir expression;
// create_prim_func (create_prim_func.h) turns a graph of tensors into loops.
#pragma once

#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "kiln/ir/attrs.h"
#include "kiln/tir/expr.h"

namespace kiln::tir::te {

class Tensor;

// A tensor is a buffer that remembers how it is produced: its node extends
// BufferNode, so a read is a plain BufferLoad of the tensor and still leads
// back to the producer. create_prim_func replaces every tensor by a fresh
// Buffer; no tensor survives into a PrimFunc.
class TensorNode : public BufferNode {
 public:
  KILN_OBJECT_TYPE(TensorNode, BufferNode, "te.Tensor")
  std::vector<Var> axis;       // a compute's index variables, one per dimension
  PrimExpr body;               // the value at `axis` (maybe a reduction); empty for a placeholder
  std::vector<Tensor> inputs;  // the tensors `body` reads, in first-read order
  ir::Attrs attrs;             // annotations for the compute's block

  bool is_placeholder() const { return !body; }
};

class Tensor : public Ref<TensorNode> {
 public:
  Tensor() = default;
  explicit Tensor(Ref<TensorNode> n) : Ref<TensorNode>(std::move(n)) {}

  const std::string& name() const { return get()->name; }
  DataType dtype() const { return get()->dtype; }
  const std::vector<PrimExpr>& shape() const { return get()->shape; }
  size_t ndim() const { return get()->shape.size(); }

  // The element at `indices`; raises kiln::Error naming the tensor when the
  // number of indices is not ndim().
  PrimExpr Read(std::vector<PrimExpr> indices) const;
  template <typename... Index>
  PrimExpr operator()(Index... indices) const {
    return Read({PrimExpr(indices)...});
  }
  PrimExpr operator[](std::vector<PrimExpr> indices) const { return Read(std::move(indices)); }
  // t[axis] for the std::vector<Var> a compute function receives.
  template <typename T>
    requires std::is_convertible_v<T, PrimExpr>
  PrimExpr operator[](const std::vector<T>& indices) const {
    std::vector<PrimExpr> exprs;
    for (const PrimExpr& i : indices) exprs.push_back(i);
    return Read(std::move(exprs));
  }
};

// An input of `shape` and `dtype`. Dimensions are integer expressions of one
// dtype; symbolic ones (a SizeVar n) are fine.
Tensor placeholder(std::vector<PrimExpr> shape, DataType dtype, std::string name);

// out[i...] = f(i...): one Var per dimension of `shape`, of the dimensions'
// dtype. f may return a reduction (sum, max, ... of reduce.h) as its whole
// value. `attrs` become the annotations of the compute's block.
using FCompute = std::function<PrimExpr(const std::vector<Var>&)>;
Tensor compute(std::vector<PrimExpr> shape, FCompute f, std::string name = "compute", ir::Attrs attrs = {});
// The same for one to four dimensions, taking the indices one by one; the
// number of parameters must match the shape.
Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var)> f, std::string name = "compute",
               ir::Attrs attrs = {});
Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var, Var)> f, std::string name = "compute",
               ir::Attrs attrs = {});
Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var, Var, Var)> f, std::string name = "compute",
               ir::Attrs attrs = {});
Tensor compute(std::vector<PrimExpr> shape, std::function<PrimExpr(Var, Var, Var, Var)> f, std::string name = "compute",
               ir::Attrs attrs = {});

}  // namespace kiln::tir::te
