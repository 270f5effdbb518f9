// PrimFunc construction and its checks.
#include "kiln/tir/function.h"

#include "kiln/runtime/error.h"

namespace kiln::tir {

Buffer PrimFuncNode::BufferOf(const Var& param) const {
  for (const auto& [v, b] : buffer_map) {
    if (v.get() == param.get()) return b;
  }
  return Buffer();
}

PrimFunc MakePrimFunc(std::vector<Var> params, std::vector<std::pair<Var, Buffer>> buffer_map, Stmt body,
                      ir::Attrs attrs, Span span) {
  KILN_CHECK(body) << "prim func: the body is undefined";
  for (const auto& [v, b] : buffer_map) {
    bool is_param = false;
    for (const Var& p : params) is_param |= p.get() == v.get();
    KILN_CHECK(is_param) << "prim func: buffer '" << b->name << "' is mapped from '" << v.name()
                         << "', which is not a parameter";
    KILN_CHECK(v.dtype().is_handle()) << "prim func: parameter '" << v.name() << "' maps to buffer '" << b->name
                                      << "' and must be a handle, not " << v.dtype();
  }
  auto n = runtime::MakeObject<PrimFuncNode>();
  n->params = std::move(params);
  n->buffer_map = std::move(buffer_map);
  n->body = std::move(body);
  n->attrs = std::move(attrs);
  n->span = span;
  return PrimFunc(n);
}

PrimFunc MakePrimFunc(const std::vector<Buffer>& buffers, Stmt body, const std::vector<Var>& scalars, ir::Attrs attrs) {
  std::vector<Var> params;
  std::vector<std::pair<Var, Buffer>> map;
  for (const Buffer& b : buffers) {
    Var handle(b->name + "_handle", DataType::Handle());
    params.push_back(handle);
    map.emplace_back(handle, b);
  }
  params.insert(params.end(), scalars.begin(), scalars.end());
  return MakePrimFunc(std::move(params), std::move(map), std::move(body), std::move(attrs));
}

}  // namespace kiln::tir
