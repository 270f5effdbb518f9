// PrimFunc: a tir function. Parameters are scalar Vars or handle Vars; each
// handle parameter maps to the Buffer it points to (buffer_map). A PrimFunc
// is called from relax in destination-passing style: outputs are parameters.
#pragma once

#include <utility>
#include <vector>

#include "kiln/ir/expr.h"
#include "kiln/tir/stmt.h"

namespace kiln::tir {

class PrimFuncNode : public ir::BaseFuncNode {
 public:
  KILN_OBJECT_TYPE(PrimFuncNode, ir::BaseFuncNode, "tir.PrimFunc")
  std::vector<Var> params;
  std::vector<std::pair<Var, Buffer>> buffer_map;  // handle param -> its buffer
  Stmt body;

  // The buffer of a handle parameter, or an empty handle.
  Buffer BufferOf(const Var& param) const;
};

class PrimFunc : public Ref<PrimFuncNode> {
 public:
  PrimFunc() = default;
  explicit PrimFunc(Ref<PrimFuncNode> n) : Ref<PrimFuncNode>(std::move(n)) {}
};

// Checks that every buffer_map key is a parameter of dtype handle.
PrimFunc MakePrimFunc(std::vector<Var> params, std::vector<std::pair<Var, Buffer>> buffer_map, Stmt body,
                      ir::Attrs attrs = {}, Span span = {});
// A PrimFunc whose parameters are exactly `buffers` (one handle each) and
// `scalars`, in that order.
PrimFunc MakePrimFunc(const std::vector<Buffer>& buffers, Stmt body, const std::vector<Var>& scalars = {},
                      ir::Attrs attrs = {});

}  // namespace kiln::tir
