// tir statements: the loop programs. A Block is the unit that schedules
// transform: it names its iteration variables (spatial or reduce, each bound
// to an expression of the loops around it), the regions it reads and writes,
// an optional reduction init, and may allocate buffers for its body.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kiln/ir/attrs.h"
#include "kiln/tir/expr.h"

namespace kiln::tir {

#define KILN_TIR_STMT_KINDS(X) \
  X(BufferStore)               \
  X(For)                       \
  X(While)                     \
  X(Seq)                       \
  X(IfThenElse)                \
  X(LetStmt)                   \
  X(Allocate)                  \
  X(DeclBuffer)                \
  X(Evaluate)                  \
  X(Block)

enum class StmtKind : uint8_t {
#define KILN_X(name) k##name,
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
};
const char* StmtKindName(StmtKind kind);  // "BufferStore", "For", ...

class StmtNode : public runtime::Object {
 public:
  KILN_OBJECT_TYPE(StmtNode, runtime::Object, "tir.Stmt")
  StmtKind kind;
  Span span;

 protected:
  explicit StmtNode(StmtKind k) : kind(k) {}
};

class Stmt : public Ref<StmtNode> {
 public:
  Stmt() = default;
  Stmt(Ref<StmtNode> n) : Ref<StmtNode>(std::move(n)) {}
  StmtKind kind() const { return get()->kind; }
  template <typename T>
  const T* as() const {
    return get() != nullptr && get()->kind == T::kKind ? static_cast<const T*>(get()) : nullptr;
  }
};

#define KILN_TIR_STMT_NODE(Name, key)                  \
  KILN_OBJECT_TYPE(Name##Node, StmtNode, key)          \
  static constexpr StmtKind kKind = StmtKind::k##Name; \
  Name##Node() : StmtNode(kKind) {}

class BufferStoreNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(BufferStore, "tir.BufferStore")
  Buffer buffer;
  PrimExpr value;
  std::vector<PrimExpr> indices;
};

enum class ForKind : uint8_t { kSerial, kParallel, kVectorized, kUnrolled, kThreadBinding };
const char* ForKindName(ForKind kind);  // "serial", "parallel", ...

class ForNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(For, "tir.For")
  Var loop_var;
  PrimExpr min, extent;
  ForKind for_kind = ForKind::kSerial;
  std::string thread_tag;  // for kThreadBinding: "blockIdx.x", "threadIdx.x", ...
  Stmt body;
  ir::Attrs annotations;
};

class WhileNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(While, "tir.While")
  PrimExpr condition;
  Stmt body;
};

class SeqNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(Seq, "tir.Seq")
  std::vector<Stmt> seq;
};

class IfThenElseNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(IfThenElse, "tir.IfThenElse")
  PrimExpr condition;
  Stmt then_case;
  Stmt else_case;  // may be empty
};

class LetStmtNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(LetStmt, "tir.LetStmt")
  Var var;
  PrimExpr value;
  Stmt body;
};

// Storage for `buffer` (in its scope) that lives for the body.
class AllocateNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(Allocate, "tir.Allocate")
  Buffer buffer;
  Stmt body;
};

// Declares `buffer` for the body as a view of storage that exists already:
// its data variable is defined elsewhere (a parameter's buffer, an
// Allocate). Nothing is allocated; accesses through the view address the
// shared data at the view's elem_offset and strides.
class DeclBufferNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(DeclBuffer, "tir.DeclBuffer")
  Buffer buffer;
  Stmt body;
};

class EvaluateNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(Evaluate, "tir.Evaluate")
  PrimExpr value;
};

enum class IterKind : uint8_t { kSpatial, kReduce };

// An iteration variable of a block: it ranges over `dom` and takes the value
// `binding` (an expression of the enclosing loop variables).
struct IterVar {
  Var var;
  Range dom;
  IterKind kind = IterKind::kSpatial;
  PrimExpr binding;
};

struct BufferRegion {
  Buffer buffer;
  std::vector<Range> region;
};

class BlockNode : public StmtNode {
 public:
  KILN_TIR_STMT_NODE(Block, "tir.Block")
  std::string name;
  std::vector<IterVar> iter_vars;
  std::vector<BufferRegion> reads, writes;
  Stmt init;  // runs before the first reduction step; may be empty
  Stmt body;
  std::vector<Buffer> alloc_buffers;
  PrimExpr predicate;  // the block runs only where it holds; empty means true
  ir::Attrs annotations;
};

// Factories; each checks what it can locally (dtypes, arity, extents).
Stmt BufferStore(Buffer buffer, PrimExpr value, std::vector<PrimExpr> indices, Span span = {});
Stmt For(Var loop_var, PrimExpr min, PrimExpr extent, ForKind kind, Stmt body, std::string thread_tag = "",
         ir::Attrs annotations = {}, Span span = {});
Stmt While(PrimExpr condition, Stmt body, Span span = {});
// A Seq; nested Seqs are flattened and a single statement is returned as is.
Stmt Seq(std::vector<Stmt> seq, Span span = {});
Stmt IfThenElse(PrimExpr condition, Stmt then_case, Stmt else_case = {}, Span span = {});
Stmt LetStmt(Var var, PrimExpr value, Stmt body, Span span = {});
Stmt Allocate(Buffer buffer, Stmt body, Span span = {});
// The statement; DeclBuffer(name, shape, ...) in expr.h makes a buffer.
Stmt DeclBuffer(Buffer buffer, Stmt body, Span span = {});
// A buffer over the storage of `data` (a handle variable defined elsewhere,
// such as another buffer's data), checked like DeclBuffer(name, shape, ...):
// what a DeclBuffer statement declares.
Buffer BufferView(Var data, std::string name, std::vector<PrimExpr> shape, DataType dtype = DataType::Float(32),
                  std::vector<PrimExpr> strides = {}, PrimExpr elem_offset = {}, std::string scope = "global",
                  Span span = {});
// A new buffer object with the fields of `buffer` (the same data variable
// included) and those `edit` sets changed; unchecked, so the edit must keep
// the fields consistent.
Buffer EditBuffer(const Buffer& buffer, const std::function<void(BufferNode&)>& edit);
Stmt Evaluate(PrimExpr value, Span span = {});

struct BlockSpec {
  std::string name;
  std::vector<IterVar> iter_vars;
  std::vector<BufferRegion> reads, writes;
  Stmt init, body;
  std::vector<Buffer> alloc_buffers;
  PrimExpr predicate;
  ir::Attrs annotations;
  Span span;
};
Stmt Block(BlockSpec spec);

}  // namespace kiln::tir
