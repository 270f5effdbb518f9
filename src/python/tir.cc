// Bindings of tir (kiln.tir): expression and statement nodes with their
// fields, constructors that check their inputs, Python operators on
// expressions, buffers and PrimFuncs. The visitors and mutators to subclass
// in Python are in tir_functor.cc.
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "ir_convert.h"
#include "kiln/tir/function.h"
#include "kiln/tir/printer.h"

namespace kiln::python {
namespace {
using namespace kiln::tir;
using E = PyNode<PrimExprNode>;
using S = PyNode<StmtNode>;

BinaryOp ParseBinaryOp(const std::string& name) {
#define KILN_X(n, sym) \
  if (name == #n) return BinaryOp::k##n;
  KILN_TIR_BINARY_OPS(KILN_X)
#undef KILN_X
  KILN_THROW() << "unknown binary operator '" << name << "' (expected Add, Sub, Mul, FloorDiv, LT, ...)";
}

ForKind ParseForKind(const std::string& name) {
  for (ForKind k :
       {ForKind::kSerial, ForKind::kParallel, ForKind::kVectorized, ForKind::kUnrolled, ForKind::kThreadBinding}) {
    if (name == ForKindName(k)) return k;
  }
  KILN_THROW() << "unknown loop kind '" << name
               << "' (expected serial, parallel, vectorized, unrolled, thread_binding)";
}

Range ToRange(nb::handle obj) {
  if (nb::isinstance<Range>(obj)) return nb::cast<Range>(obj);
  nb::tuple t = nb::cast<nb::tuple>(obj);
  KILN_CHECK(t.size() == 2) << "a range is (min, extent)";
  return {ToPrimExpr(t[0], "range min"), ToPrimExpr(t[1], "range extent")};
}

Buffer ToBuffer(nb::handle obj, const char* what) {
  return Buffer(Unwrap<BufferNode>(obj, what));
}
Var ToVar(nb::handle obj, const char* what) {
  return Var(Unwrap<PrimExprNode>(obj, what));
}
Stmt ToStmt(nb::handle obj, const char* what) {
  return Stmt(Unwrap<StmtNode>(obj, what));
}

// Python operators: `a + b`, `b + 1`, `n * 2`, comparisons build nodes.
template <typename F>
void DefBinary(nb::class_<E, PyNode<ir::BaseExprNode>>& cls, const char* name, const char* rname, F f) {
  cls.def(name, [f](const E& a, nb::handle b) { return Wrap(f(PrimExpr(a.handle()), ToPrimExpr(b))); });
  if (rname) cls.def(rname, [f](const E& a, nb::handle b) { return Wrap(f(ToPrimExpr(b), PrimExpr(a.handle()))); });
}

void BindExprs(nb::module_& m) {
  auto expr = BindNode<PrimExprNode>(m, "PrimExpr", "A tir expression.");
  expr.def_prop_ro("dtype", [](const E& e) { return e->dtype.str(); })
      .def("__repr__", [](const E& e) { return ToText(PrimExpr(e.handle())); })
      .def("__neg__", [](const E& e) { return Wrap(-PrimExpr(e.handle())); })
      .def("__bool__", [](const E&) -> bool {
        KILN_THROW() << "a tir expression has no truth value; use kiln.tir.logical_and/or/not for logic, "
                        "and build conditions with comparisons";
      });
  DefBinary(expr, "__add__", "__radd__", [](PrimExpr a, PrimExpr b) { return a + b; });
  DefBinary(expr, "__sub__", "__rsub__", [](PrimExpr a, PrimExpr b) { return a - b; });
  DefBinary(expr, "__mul__", "__rmul__", [](PrimExpr a, PrimExpr b) { return a * b; });
  DefBinary(expr, "__truediv__", "__rtruediv__", [](PrimExpr a, PrimExpr b) { return a / b; });
  DefBinary(expr, "__floordiv__", "__rfloordiv__", [](PrimExpr a, PrimExpr b) { return floordiv(a, b); });
  DefBinary(expr, "__mod__", "__rmod__", [](PrimExpr a, PrimExpr b) { return floormod(a, b); });
  DefBinary(expr, "__lt__", nullptr, [](PrimExpr a, PrimExpr b) { return a < b; });
  DefBinary(expr, "__le__", nullptr, [](PrimExpr a, PrimExpr b) { return a <= b; });
  DefBinary(expr, "__gt__", nullptr, [](PrimExpr a, PrimExpr b) { return a > b; });
  DefBinary(expr, "__ge__", nullptr, [](PrimExpr a, PrimExpr b) { return a >= b; });

  BindNode<IntImmNode>(m, "IntImm", "An integer (or bool) constant.")
      .def(
          "__init__",
          [](PyNode<IntImmNode>* self, int64_t v, nb::handle dtype) {
            new (self) PyNode<IntImmNode>();
            self->ref = IntImm(dtype.is_none() ? DataType::Int(64) : ToDataType(dtype), v);
          },
          nb::arg("value"), nb::arg("dtype").none() = nb::none())
      .def_prop_ro("value", [](const PyNode<IntImmNode>& e) { return e->value; });
  BindNode<FloatImmNode>(m, "FloatImm", "A floating-point constant.")
      .def(
          "__init__",
          [](PyNode<FloatImmNode>* self, double v, nb::handle dtype) {
            new (self) PyNode<FloatImmNode>();
            self->ref = FloatImm(dtype.is_none() ? DataType::Float(32) : ToDataType(dtype), v);
          },
          nb::arg("value"), nb::arg("dtype").none() = nb::none())
      .def_prop_ro("value", [](const PyNode<FloatImmNode>& e) { return e->value; });
  BindNode<StringImmNode>(m, "StringImm", "A string constant (for intrinsics).")
      .def(
          "__init__",
          [](PyNode<StringImmNode>* self, std::string v) {
            new (self) PyNode<StringImmNode>();
            self->ref = StringImm(std::move(v));
          },
          nb::arg("value"))
      .def_prop_ro("value", [](const PyNode<StringImmNode>& e) { return e->value; });
  BindNode<VarNode>(m, "Var", "A variable; identity is the object, not the name.")
      .def(
          "__init__",
          [](PyNode<VarNode>* self, std::string name, nb::handle dtype) {
            new (self) PyNode<VarNode>();
            self->ref = Var(std::move(name), dtype.is_none() ? DataType::Int(64) : ToDataType(dtype));
          },
          nb::arg("name"), nb::arg("dtype").none() = nb::none())
      .def_prop_ro("name", [](const PyNode<VarNode>& e) { return e->name; })
      .def_prop_ro("is_size_var", [](const PyNode<VarNode>& e) { return e->is_size_var; });
  m.def(
      "SizeVar",
      [](std::string name, nb::handle dtype) {
        return Wrap(SizeVar(std::move(name), dtype.is_none() ? DataType::Int(64) : ToDataType(dtype)));
      },
      nb::arg("name"), nb::arg("dtype").none() = nb::none(), "A variable known to be non-negative (a dimension).");
  BindNode<BinaryNode>(m, "Binary",
                       "A binary operation: Add, Sub, Mul, Div, Mod, FloorDiv, FloorMod, Min, Max, "
                       "EQ, NE, LT, LE, GT, GE, And, Or.")
      .def(
          "__init__",
          [](PyNode<BinaryNode>* self, const std::string& op, nb::handle a, nb::handle b) {
            new (self) PyNode<BinaryNode>();
            self->ref = Binary(ParseBinaryOp(op), ToPrimExpr(a), ToPrimExpr(b));
          },
          nb::arg("op"), nb::arg("a"), nb::arg("b"))
      .def_prop_ro("op", [](const PyNode<BinaryNode>& e) { return std::string(BinaryOpName(e->op)); })
      .def_prop_ro("a", [](const PyNode<BinaryNode>& e) { return Wrap(e->a); })
      .def_prop_ro("b", [](const PyNode<BinaryNode>& e) { return Wrap(e->b); });
  BindNode<NotNode>(m, "Not", "Logical negation.")
      .def(
          "__init__",
          [](PyNode<NotNode>* self, nb::handle a) {
            new (self) PyNode<NotNode>();
            self->ref = Not(ToPrimExpr(a));
          },
          nb::arg("a"))
      .def_prop_ro("a", [](const PyNode<NotNode>& e) { return Wrap(e->a); });
  BindNode<CastNode>(m, "Cast", "A conversion to another dtype.")
      .def(
          "__init__",
          [](PyNode<CastNode>* self, nb::handle dtype, nb::handle v) {
            new (self) PyNode<CastNode>();
            self->ref = Cast(ToDataType(dtype), ToPrimExpr(v));
          },
          nb::arg("dtype"), nb::arg("value"))
      .def_prop_ro("value", [](const PyNode<CastNode>& e) { return Wrap(e->value); });
  BindNode<SelectNode>(m, "Select", "condition ? true_value : false_value (both evaluated).")
      .def(
          "__init__",
          [](PyNode<SelectNode>* self, nb::handle c, nb::handle t, nb::handle f) {
            new (self) PyNode<SelectNode>();
            self->ref = Select(ToPrimExpr(c), ToPrimExpr(t), ToPrimExpr(f));
          },
          nb::arg("condition"), nb::arg("true_value"), nb::arg("false_value"))
      .def_prop_ro("condition", [](const PyNode<SelectNode>& e) { return Wrap(e->condition); })
      .def_prop_ro("true_value", [](const PyNode<SelectNode>& e) { return Wrap(e->true_value); })
      .def_prop_ro("false_value", [](const PyNode<SelectNode>& e) { return Wrap(e->false_value); });
  BindNode<BufferLoadNode>(m, "BufferLoad", "buffer[indices]")
      .def(
          "__init__",
          [](PyNode<BufferLoadNode>* self, nb::handle buffer, nb::handle indices) {
            new (self) PyNode<BufferLoadNode>();
            self->ref = BufferLoad(ToBuffer(buffer, "BufferLoad"), ToPrimExprs(indices));
          },
          nb::arg("buffer"), nb::arg("indices"))
      .def_prop_ro("buffer", [](const PyNode<BufferLoadNode>& e) { return Wrap(e->buffer); })
      .def_prop_ro("indices", [](const PyNode<BufferLoadNode>& e) { return WrapList(e->indices); });
  BindNode<CallNode>(m, "Call", "A call of an intrinsic by name (exp, sqrt, if_then_else, ...).")
      .def(
          "__init__",
          [](PyNode<CallNode>* self, nb::handle dtype, std::string op, nb::handle args) {
            new (self) PyNode<CallNode>();
            self->ref = Call(ToDataType(dtype), std::move(op), ToPrimExprs(args));
          },
          nb::arg("dtype"), nb::arg("op"), nb::arg("args"))
      .def_prop_ro("op", [](const PyNode<CallNode>& e) { return e->op; })
      .def_prop_ro("args", [](const PyNode<CallNode>& e) { return WrapList(e->args); });
  BindNode<RampNode>(m, "Ramp", "The vector base, base + stride, ... (lanes values).")
      .def(
          "__init__",
          [](PyNode<RampNode>* self, nb::handle base, nb::handle stride, int lanes) {
            new (self) PyNode<RampNode>();
            self->ref = Ramp(ToPrimExpr(base), ToPrimExpr(stride), lanes);
          },
          nb::arg("base"), nb::arg("stride"), nb::arg("lanes"))
      .def_prop_ro("base", [](const PyNode<RampNode>& e) { return Wrap(e->base); })
      .def_prop_ro("stride", [](const PyNode<RampNode>& e) { return Wrap(e->stride); })
      .def_prop_ro("lanes", [](const PyNode<RampNode>& e) { return e->lanes; });
  BindNode<BroadcastNode>(m, "Broadcast", "A scalar repeated in every lane.")
      .def(
          "__init__",
          [](PyNode<BroadcastNode>* self, nb::handle v, int lanes) {
            new (self) PyNode<BroadcastNode>();
            self->ref = Broadcast(ToPrimExpr(v), lanes);
          },
          nb::arg("value"), nb::arg("lanes"))
      .def_prop_ro("value", [](const PyNode<BroadcastNode>& e) { return Wrap(e->value); })
      .def_prop_ro("lanes", [](const PyNode<BroadcastNode>& e) { return e->lanes; });
  BindNode<LetNode>(m, "Let", "let var = value in body")
      .def(
          "__init__",
          [](PyNode<LetNode>* self, nb::handle var, nb::handle value, nb::handle body) {
            new (self) PyNode<LetNode>();
            self->ref = Let(ToVar(var, "Let"), ToPrimExpr(value), ToPrimExpr(body));
          },
          nb::arg("var"), nb::arg("value"), nb::arg("body"))
      .def_prop_ro("var", [](const PyNode<LetNode>& e) { return Wrap(e->var); })
      .def_prop_ro("value", [](const PyNode<LetNode>& e) { return Wrap(e->value); })
      .def_prop_ro("body", [](const PyNode<LetNode>& e) { return Wrap(e->body); });

  m.def("floordiv", [](nb::handle a, nb::handle b) { return Wrap(floordiv(ToPrimExpr(a), ToPrimExpr(b))); });
  m.def("floormod", [](nb::handle a, nb::handle b) { return Wrap(floormod(ToPrimExpr(a), ToPrimExpr(b))); });
  m.def("min", [](nb::handle a, nb::handle b) { return Wrap(min(ToPrimExpr(a), ToPrimExpr(b))); });
  m.def("max", [](nb::handle a, nb::handle b) { return Wrap(max(ToPrimExpr(a), ToPrimExpr(b))); });
  m.def("logical_and", [](nb::handle a, nb::handle b) { return Wrap(logical_and(ToPrimExpr(a), ToPrimExpr(b))); });
  m.def("logical_or", [](nb::handle a, nb::handle b) { return Wrap(logical_or(ToPrimExpr(a), ToPrimExpr(b))); });
  m.def("logical_not", [](nb::handle a) { return Wrap(logical_not(ToPrimExpr(a))); });
  m.def(
      "equal", [](nb::handle a, nb::handle b) { return Wrap(ToPrimExpr(a) == ToPrimExpr(b)); },
      "Builds a == b (Python's == on expressions compares identity, not values).");
  m.def("not_equal", [](nb::handle a, nb::handle b) { return Wrap(ToPrimExpr(a) != ToPrimExpr(b)); });
}

void BindBuffer(nb::module_& m) {
  using B = PyNode<BufferNode>;
  BindNode<BufferNode>(m, "Buffer", "A memory region with a shape and a dtype.")
      .def_prop_ro("name", [](const B& b) { return b->name; })
      .def_prop_ro("dtype", [](const B& b) { return b->dtype.str(); })
      .def_prop_ro("shape", [](const B& b) { return WrapList(b->shape); })
      .def_prop_ro("strides", [](const B& b) { return WrapList(b->strides); })
      .def_prop_ro("elem_offset", [](const B& b) { return Wrap(b->elem_offset); })
      .def_prop_ro("scope", [](const B& b) { return b->scope; })
      .def_prop_ro("data", [](const B& b) { return Wrap(b->data); })
      .def(
          "__getitem__",
          [](const B& b, nb::handle idx) {
            nb::object seq = PyTuple_Check(idx.ptr()) ? nb::borrow(idx) : nb::object(nb::make_tuple(idx));
            return Wrap(BufferLoad(Buffer(b.handle()), ToPrimExprs(seq)));
          },
          "buffer[i, j] builds a BufferLoad.")
      .def("__repr__", [](const B& b) { return "<kiln.tir.Buffer " + b->name + ">"; });
  m.def(
      "decl_buffer",
      [](nb::handle shape, nb::handle dtype, std::string name, std::string scope, nb::handle strides,
         nb::handle elem_offset, nb::handle data) {
        PrimExpr offset = elem_offset.is_none() ? PrimExpr() : ToPrimExpr(elem_offset);
        if (data.is_none()) {
          return Wrap(DeclBuffer(std::move(name), ToPrimExprs(shape), ToDataType(dtype), std::move(scope),
                                 ToPrimExprs(strides), offset));
        }
        return Wrap(BufferView(ToVar(data, "decl_buffer data"), std::move(name), ToPrimExprs(shape), ToDataType(dtype),
                               ToPrimExprs(strides), offset, std::move(scope)));
      },
      nb::arg("shape"), nb::arg("dtype") = "float32", nb::arg("name") = "buffer", nb::arg("scope") = "global",
      nb::arg("strides").none() = nb::none(), nb::arg("elem_offset").none() = nb::none(),
      nb::arg("data").none() = nb::none(),
      "Declares a new buffer, or with data= (another buffer's data) a view of existing storage for a DeclBuffer.");
}

void BindStmts(nb::module_& m) {
  BindNode<StmtNode>(m, "Stmt", "A tir statement.").def("__repr__", [](const S& s) {
    return ToText(Stmt(s.handle()));
  });
  nb::class_<Range>(m, "Range", "The half-open range [min, min + extent).")
      .def(
          "__init__",
          [](Range* self, nb::handle min, nb::handle extent) {
            new (self) Range{ToPrimExpr(min), ToPrimExpr(extent)};
          },
          nb::arg("min"), nb::arg("extent"))
      .def_prop_ro("min", [](const Range& r) { return Wrap(r.min); })
      .def_prop_ro("extent", [](const Range& r) { return Wrap(r.extent); });
  nb::class_<IterVar>(m, "IterVar", "An iteration variable of a block, its domain, kind and binding.")
      .def(
          "__init__",
          [](IterVar* self, nb::handle var, nb::handle dom, const std::string& kind, nb::handle binding) {
            KILN_CHECK(kind == "spatial" || kind == "reduce")
                << "iteration kind must be spatial or reduce, got " << kind;
            new (self) IterVar{ToVar(var, "IterVar"), ToRange(dom),
                               kind == "reduce" ? IterKind::kReduce : IterKind::kSpatial, ToPrimExpr(binding)};
          },
          nb::arg("var"), nb::arg("dom"), nb::arg("kind"), nb::arg("binding"))
      .def_prop_ro("var", [](const IterVar& v) { return Wrap(v.var); })
      .def_prop_ro("dom", [](const IterVar& v) { return v.dom; })
      .def_prop_ro("kind", [](const IterVar& v) { return v.kind == IterKind::kReduce ? "reduce" : "spatial"; })
      .def_prop_ro("binding", [](const IterVar& v) { return Wrap(v.binding); });
  nb::class_<BufferRegion>(m, "BufferRegion", "A region of a buffer: one range per dimension.")
      .def(
          "__init__",
          [](BufferRegion* self, nb::handle buffer, nb::handle ranges) {
            std::vector<Range> region;
            for (nb::handle r : ranges) region.push_back(ToRange(r));
            new (self) BufferRegion{ToBuffer(buffer, "BufferRegion"), region};
          },
          nb::arg("buffer"), nb::arg("region"))
      .def_prop_ro("buffer", [](const BufferRegion& r) { return Wrap(r.buffer); })
      .def_prop_ro("region", [](const BufferRegion& r) { return r.region; });

  BindNode<BufferStoreNode>(m, "BufferStore", "buffer[indices] = value")
      .def(
          "__init__",
          [](PyNode<BufferStoreNode>* self, nb::handle buffer, nb::handle value, nb::handle indices) {
            new (self) PyNode<BufferStoreNode>();
            self->ref = BufferStore(ToBuffer(buffer, "BufferStore"), ToPrimExpr(value), ToPrimExprs(indices));
          },
          nb::arg("buffer"), nb::arg("value"), nb::arg("indices"))
      .def_prop_ro("buffer", [](const PyNode<BufferStoreNode>& s) { return Wrap(s->buffer); })
      .def_prop_ro("value", [](const PyNode<BufferStoreNode>& s) { return Wrap(s->value); })
      .def_prop_ro("indices", [](const PyNode<BufferStoreNode>& s) { return WrapList(s->indices); });
  BindNode<ForNode>(m, "For", "A loop: for loop_var in [min, min + extent).")
      .def(
          "__init__",
          [](PyNode<ForNode>* self, nb::handle var, nb::handle min, nb::handle extent, const std::string& kind,
             nb::handle body, std::string thread_tag, nb::handle annotations) {
            new (self) PyNode<ForNode>();
            self->ref = For(ToVar(var, "For"), ToPrimExpr(min), ToPrimExpr(extent), ParseForKind(kind),
                            ToStmt(body, "For body"), std::move(thread_tag), ToAttrs(annotations));
          },
          nb::arg("loop_var"), nb::arg("min"), nb::arg("extent"), nb::arg("kind"), nb::arg("body"),
          nb::arg("thread_tag") = "", nb::arg("annotations").none() = nb::none())
      .def_prop_ro("loop_var", [](const PyNode<ForNode>& s) { return Wrap(s->loop_var); })
      .def_prop_ro("min", [](const PyNode<ForNode>& s) { return Wrap(s->min); })
      .def_prop_ro("extent", [](const PyNode<ForNode>& s) { return Wrap(s->extent); })
      .def_prop_ro("kind", [](const PyNode<ForNode>& s) { return std::string(ForKindName(s->for_kind)); })
      .def_prop_ro("thread_tag", [](const PyNode<ForNode>& s) { return s->thread_tag; })
      .def_prop_ro("body", [](const PyNode<ForNode>& s) { return Wrap(s->body); })
      .def_prop_ro("annotations", [](const PyNode<ForNode>& s) { return AttrsToPython(s->annotations); });
  BindNode<WhileNode>(m, "While", "while condition: body")
      .def(
          "__init__",
          [](PyNode<WhileNode>* self, nb::handle c, nb::handle body) {
            new (self) PyNode<WhileNode>();
            self->ref = While(ToPrimExpr(c), ToStmt(body, "While body"));
          },
          nb::arg("condition"), nb::arg("body"))
      .def_prop_ro("condition", [](const PyNode<WhileNode>& s) { return Wrap(s->condition); })
      .def_prop_ro("body", [](const PyNode<WhileNode>& s) { return Wrap(s->body); });
  BindNode<SeqNode>(m, "Seq", "Statements in order.").def_prop_ro("seq", [](const PyNode<SeqNode>& s) {
    return WrapList(s->seq);
  });
  m.def(
      "seq",
      [](nb::handle stmts) {
        std::vector<Stmt> seq;
        for (nb::handle s : stmts) seq.push_back(ToStmt(s, "seq"));
        return Wrap(Seq(seq));
      },
      nb::arg("stmts"), "A sequence of statements (nested ones flattened).");
  BindNode<IfThenElseNode>(m, "IfThenElse", "if condition: then_case else: else_case")
      .def(
          "__init__",
          [](PyNode<IfThenElseNode>* self, nb::handle c, nb::handle t, nb::handle e) {
            new (self) PyNode<IfThenElseNode>();
            self->ref = IfThenElse(ToPrimExpr(c), ToStmt(t, "then"), e.is_none() ? Stmt() : ToStmt(e, "else"));
          },
          nb::arg("condition"), nb::arg("then_case"), nb::arg("else_case").none() = nb::none())
      .def_prop_ro("condition", [](const PyNode<IfThenElseNode>& s) { return Wrap(s->condition); })
      .def_prop_ro("then_case", [](const PyNode<IfThenElseNode>& s) { return Wrap(s->then_case); })
      .def_prop_ro("else_case", [](const PyNode<IfThenElseNode>& s) { return Wrap(s->else_case); });
  BindNode<LetStmtNode>(m, "LetStmt", "let var = value in body")
      .def(
          "__init__",
          [](PyNode<LetStmtNode>* self, nb::handle var, nb::handle value, nb::handle body) {
            new (self) PyNode<LetStmtNode>();
            self->ref = LetStmt(ToVar(var, "LetStmt"), ToPrimExpr(value), ToStmt(body, "LetStmt body"));
          },
          nb::arg("var"), nb::arg("value"), nb::arg("body"))
      .def_prop_ro("var", [](const PyNode<LetStmtNode>& s) { return Wrap(s->var); })
      .def_prop_ro("value", [](const PyNode<LetStmtNode>& s) { return Wrap(s->value); })
      .def_prop_ro("body", [](const PyNode<LetStmtNode>& s) { return Wrap(s->body); });
  BindNode<AllocateNode>(m, "Allocate", "Storage for a buffer during the body.")
      .def(
          "__init__",
          [](PyNode<AllocateNode>* self, nb::handle buffer, nb::handle body) {
            new (self) PyNode<AllocateNode>();
            self->ref = Allocate(ToBuffer(buffer, "Allocate"), ToStmt(body, "Allocate body"));
          },
          nb::arg("buffer"), nb::arg("body"))
      .def_prop_ro("buffer", [](const PyNode<AllocateNode>& s) { return Wrap(s->buffer); })
      .def_prop_ro("body", [](const PyNode<AllocateNode>& s) { return Wrap(s->body); });
  BindNode<DeclBufferNode>(m, "DeclBuffer",
                           "Declares a buffer for the body as a view of storage that exists already (the buffer's "
                           "data is defined elsewhere; see decl_buffer(..., data=)); allocates nothing.")
      .def(
          "__init__",
          [](PyNode<DeclBufferNode>* self, nb::handle buffer, nb::handle body) {
            new (self) PyNode<DeclBufferNode>();
            self->ref = DeclBuffer(ToBuffer(buffer, "DeclBuffer"), ToStmt(body, "DeclBuffer body"));
          },
          nb::arg("buffer"), nb::arg("body"))
      .def_prop_ro("buffer", [](const PyNode<DeclBufferNode>& s) { return Wrap(s->buffer); })
      .def_prop_ro("body", [](const PyNode<DeclBufferNode>& s) { return Wrap(s->body); });
  BindNode<EvaluateNode>(m, "Evaluate", "Evaluates an expression for its effect.")
      .def(
          "__init__",
          [](PyNode<EvaluateNode>* self, nb::handle v) {
            new (self) PyNode<EvaluateNode>();
            self->ref = Evaluate(ToPrimExpr(v));
          },
          nb::arg("value"))
      .def_prop_ro("value", [](const PyNode<EvaluateNode>& s) { return Wrap(s->value); });
  BindNode<BlockNode>(m, "Block", "The unit of scheduling: iteration variables, regions, init and body.")
      .def(
          "__init__",
          [](PyNode<BlockNode>* self, std::string name, std::vector<IterVar> iter_vars, std::vector<BufferRegion> reads,
             std::vector<BufferRegion> writes, nb::handle body, nb::handle init, nb::handle alloc_buffers,
             nb::handle predicate, nb::handle annotations) {
            BlockSpec spec;
            spec.name = std::move(name);
            spec.iter_vars = std::move(iter_vars);
            spec.reads = std::move(reads);
            spec.writes = std::move(writes);
            spec.body = ToStmt(body, "block body");
            spec.init = init.is_none() ? Stmt() : ToStmt(init, "block init");
            for (const auto& b : UnwrapList<BufferNode>(alloc_buffers, "alloc_buffers"))
              spec.alloc_buffers.push_back(Buffer(b));
            spec.predicate = predicate.is_none() ? PrimExpr() : ToPrimExpr(predicate);
            spec.annotations = ToAttrs(annotations);
            new (self) PyNode<BlockNode>();
            self->ref = Block(std::move(spec));
          },
          nb::arg("name"), nb::arg("iter_vars"), nb::arg("reads"), nb::arg("writes"), nb::arg("body"),
          nb::arg("init").none() = nb::none(), nb::arg("alloc_buffers").none() = nb::none(),
          nb::arg("predicate").none() = nb::none(), nb::arg("annotations").none() = nb::none())
      .def_prop_ro("name", [](const PyNode<BlockNode>& s) { return s->name; })
      .def_prop_ro("iter_vars", [](const PyNode<BlockNode>& s) { return s->iter_vars; })
      .def_prop_ro("reads", [](const PyNode<BlockNode>& s) { return s->reads; })
      .def_prop_ro("writes", [](const PyNode<BlockNode>& s) { return s->writes; })
      .def_prop_ro("init", [](const PyNode<BlockNode>& s) { return Wrap(s->init); })
      .def_prop_ro("body", [](const PyNode<BlockNode>& s) { return Wrap(s->body); })
      .def_prop_ro("alloc_buffers", [](const PyNode<BlockNode>& s) { return WrapList(s->alloc_buffers); })
      .def_prop_ro("predicate", [](const PyNode<BlockNode>& s) { return Wrap(s->predicate); })
      .def_prop_ro("annotations", [](const PyNode<BlockNode>& s) { return AttrsToPython(s->annotations); });
}

void BindPrimFunc(nb::module_& m) {
  using F = PyNode<PrimFuncNode>;
  BindNode<PrimFuncNode>(m, "PrimFunc", "A tir function; outputs are parameters (destination-passing style).")
      .def(
          "__init__",
          [](F* self, nb::handle buffers, nb::handle body, nb::handle scalars, nb::handle attrs) {
            std::vector<Buffer> bufs;
            for (const auto& b : UnwrapList<BufferNode>(buffers, "PrimFunc buffers")) bufs.push_back(Buffer(b));
            std::vector<Var> vars;
            for (const auto& v : UnwrapList<PrimExprNode>(scalars, "PrimFunc scalars")) vars.push_back(Var(v));
            new (self) F();
            self->ref = MakePrimFunc(bufs, ToStmt(body, "PrimFunc body"), vars, ToAttrs(attrs));
          },
          nb::arg("buffers"), nb::arg("body"), nb::arg("scalars").none() = nb::none(),
          nb::arg("attrs").none() = nb::none(),
          "A PrimFunc whose parameters are the buffers (one handle each), then the scalars.")
      .def_prop_ro("params", [](const F& f) { return WrapList(f->params); })
      .def_prop_ro("buffer_map",
                   [](const F& f) {
                     nb::list out;
                     for (const auto& [v, b] : f->buffer_map) out.append(nb::make_tuple(Wrap(v), Wrap(b)));
                     return out;
                   })
      .def_prop_ro("body", [](const F& f) { return Wrap(f->body); })
      .def_prop_ro("attrs", [](const F& f) { return AttrsToPython(f->attrs); })
      .def(
          "with_body",
          [](const F& f, nb::handle body) {
            return Wrap(MakePrimFunc(f->params, f->buffer_map, ToStmt(body, "with_body"), f->attrs, f->span));
          },
          nb::arg("body"), "This function with another body (same parameters, buffers and attributes).")
      .def(
          "script", [](const F& f, const std::string& name) { return ToText(PrimFunc(f.handle()), name); },
          nb::arg("name") = "func", "The function in the text format.")
      .def("__repr__", [](const F& f) { return ToText(PrimFunc(f.handle())); });
}
}  // namespace

void BindTirFunctors(nb::module_& m);  // tir_functor.cc

void BindTir(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("tir", "Loop-level IR.");
  BindExprs(m);
  BindBuffer(m);
  BindStmts(m);
  BindPrimFunc(m);
  BindTirFunctors(m);
}

}  // namespace kiln::python
