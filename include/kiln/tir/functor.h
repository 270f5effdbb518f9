// Visitors and mutators over tir, derived from the kind lists in expr.h and
// stmt.h: adding a kind there adds it here. Mutators copy on write: a node
// whose children come back unchanged is returned as the same object.
#pragma once

#include <functional>
#include <utility>

#include "kiln/tir/function.h"
#include "kiln/tir/stmt.h"

namespace kiln::tir {

template <typename FType>
class ExprFunctor;

// Dispatches on an expression's kind to VisitExpr_(const XNode*, args...).
template <typename R, typename... Args>
class ExprFunctor<R(const PrimExpr&, Args...)> {
 public:
  virtual ~ExprFunctor() = default;
  virtual R VisitExpr(const PrimExpr& e, Args... args) {
    switch (e.kind()) {
#define KILN_X(name) \
  case ExprKind::k##name: return VisitExpr_(static_cast<const name##Node*>(e.get()), std::forward<Args>(args)...);
      KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
    }
    return R();
  }

 protected:
#define KILN_X(name) virtual R VisitExpr_(const name##Node* op, Args... args) = 0;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
};

template <typename FType>
class StmtFunctor;

template <typename R, typename... Args>
class StmtFunctor<R(const Stmt&, Args...)> {
 public:
  virtual ~StmtFunctor() = default;
  virtual R VisitStmt(const Stmt& s, Args... args) {
    switch (s.kind()) {
#define KILN_X(name) \
  case StmtKind::k##name: return VisitStmt_(static_cast<const name##Node*>(s.get()), std::forward<Args>(args)...);
      KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
    }
    return R();
  }

 protected:
#define KILN_X(name) virtual R VisitStmt_(const name##Node* op, Args... args) = 0;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
};

// Visits every expression and statement (and the expressions inside buffers:
// shapes, strides, offsets, and block regions). Override what you need and
// call the base to keep descending.
class ExprVisitor : public ExprFunctor<void(const PrimExpr&)> {
 protected:
#define KILN_X(name) void VisitExpr_(const name##Node* op) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
  // Buffers referenced by loads; the default visits nothing of the buffer.
  virtual void VisitBufferUse(const Buffer& buffer);
};

class StmtVisitor : public StmtFunctor<void(const Stmt&)>, public ExprVisitor {
 public:
  using ExprVisitor::VisitExpr;
  using StmtFunctor::VisitStmt;

 protected:
  using ExprVisitor::VisitExpr_;
#define KILN_X(name) void VisitStmt_(const name##Node* op) override;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
};

class ExprMutator : public ExprFunctor<PrimExpr(const PrimExpr&)> {
 protected:
#define KILN_X(name) PrimExpr VisitExpr_(const name##Node* op) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
  // Buffers referenced by loads and stores; the default keeps them.
  virtual Buffer VisitBufferUse(const Buffer& buffer) { return buffer; }
};

class StmtMutator : public StmtFunctor<Stmt(const Stmt&)>, public ExprMutator {
 public:
  using ExprMutator::VisitExpr;
  using StmtFunctor::VisitStmt;

 protected:
  using ExprMutator::VisitExpr_;
#define KILN_X(name) Stmt VisitStmt_(const name##Node* op) override;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
  Range VisitRange(const Range& r);
  BufferRegion VisitBufferRegion(const BufferRegion& r);
};

// Calls f on every expression node in pre-order (statements included).
void PreOrderVisit(const Stmt& stmt, const std::function<void(const PrimExpr&)>& f);
void PreOrderVisit(const PrimExpr& expr, const std::function<void(const PrimExpr&)>& f);

// Replaces variables by expressions, in the statement and in the shapes,
// strides and offsets of the buffers it declares (Allocate, DeclBuffer,
// alloc_buffers), whose uses then refer to the rewritten buffers. Buffers
// declared outside (parameters) are kept as they are.
PrimExpr Substitute(const PrimExpr& expr, const std::function<PrimExpr(const Var&)>& vmap);
Stmt Substitute(const Stmt& stmt, const std::function<PrimExpr(const Var&)>& vmap);

}  // namespace kiln::tir
