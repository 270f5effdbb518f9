// Structural equality and hashing of tir modulo variable names: objects are
// equal when they differ only in which variables and buffers they define.
// The comparator and hasher classes below are shared with relax.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kiln/tir/function.h"
#include "kiln/tir/functor.h"

namespace kiln::tir {

// ---- The public face ----
//
// Definitions match by the position where they are defined: loop vars,
// Let/LetStmt vars, block iteration vars, PrimFunc params, the data vars of
// buffers declared by buffer_map, Allocate and alloc_buffers, and the bare
// Vars of buffer_map shapes, strides and offsets (their first occurrence
// binds them). A declared buffer compares by its fields (dtype, shape,
// strides, elem_offset, scope, align) once, then by the mapping.
// A free variable must be the same object on both sides, unless
// map_free_vars: then free variables map one-to-one on first encounter.
// Names and spans never matter; dtypes always do.
bool StructuralEqual(const PrimExpr& a, const PrimExpr& b, bool map_free_vars = false);
bool StructuralEqual(const Stmt& a, const Stmt& b, bool map_free_vars = false);
bool StructuralEqual(const Buffer& a, const Buffer& b, bool map_free_vars = false);  // as declarations
bool StructuralEqual(const PrimFunc& a, const PrimFunc& b, bool map_free_vars = false);

// Objects equal under StructuralEqual with the same map_free_vars hash equal.
// The hash reads structure only (never addresses), so it is stable across
// processes; free variables hash by name, or by first encounter when mapped.
size_t StructuralHash(const PrimExpr& e, bool map_free_vars = false);
size_t StructuralHash(const Stmt& s, bool map_free_vars = false);
size_t StructuralHash(const Buffer& b, bool map_free_vars = false);
size_t StructuralHash(const PrimFunc& f, bool map_free_vars = false);

// nullopt when equal, else the first difference with its path, e.g.
// "body / body / value / b / dtype: float32 vs float16".
std::optional<std::string> FindMismatch(const PrimExpr& a, const PrimExpr& b, bool map_free_vars = false);
std::optional<std::string> FindMismatch(const Stmt& a, const Stmt& b, bool map_free_vars = false);
std::optional<std::string> FindMismatch(const PrimFunc& a, const PrimFunc& b, bool map_free_vars = false);

// ---- Shared machinery (relax extends both classes with its nodes) ----

// One step of the path to a difference: `body`, `args[1]`, `function 'main'`;
// an empty field glues to the step before: `attrs['axis']`, `[2]`.
struct PathStep {
  enum class Style : uint8_t { kField, kIndex, kKey, kNamed };
  PathStep(const char* f) : field(f) {}  // implicit: a bare field name is a step
  static PathStep Index(const char* f, size_t i);
  static PathStep Key(const char* f, const std::string& key);
  static PathStep Named(const char* f, const std::string& name);

  const char* field;
  Style style = Style::kField;
  size_t index = 0;
  const std::string* key = nullptr;  // points into the compared objects
};

// Compares two objects field by field, mapping the definitions of each side
// one-to-one onto the other's, and records the path to the first difference.
class StructuralComparator : private ExprFunctor<bool(const PrimExpr&, const PrimExpr&)>,
                             private StmtFunctor<bool(const Stmt&, const Stmt&)> {
 public:
  explicit StructuralComparator(bool map_free_vars) : map_free_vars_(map_free_vars) {}
  virtual ~StructuralComparator() = default;

  bool EqualExpr(const PrimExpr& a, const PrimExpr& b);  // either may be empty
  bool EqualStmt(const Stmt& a, const Stmt& b);          // either may be empty
  bool EqualFunc(const PrimFunc& a, const PrimFunc& b);
  bool DeclareBuffer(const Buffer& a, const Buffer& b);
  bool EqualBufferUse(const Buffer& a, const Buffer& b);
  bool EqualAttrs(const ir::Attrs& a, const ir::Attrs& b);
  bool EqualAny(const runtime::Any& a, const runtime::Any& b);
  bool EqualArray(const runtime::NDArray& a, const runtime::NDArray& b);  // dtype, shape, bytes
  // Two IR objects held in an attribute value; relax adds its kinds.
  virtual bool EqualObject(const runtime::ObjectRef& a, const runtime::ObjectRef& b);

  // "path: what differs" for the first difference found, if any.
  const std::optional<std::string>& mismatch() const { return mismatch_; }

 protected:
  // True when a and b are one object that may be skipped: nothing is mapped
  // yet, free variables are not mapped and no definitions are due, so it can
  // only equal itself.
  bool CanSkip(const runtime::Object* a, const runtime::Object* b) const;

  // Variables and buffers. Bind records a definition (replacing an older one).
  void Bind(const runtime::Object* a, const runtime::Object* b);
  // How a use of `a` stands to a use of `b`: kMatched when bound to each
  // other (or one free variable, without map_free_vars); kFree when both are
  // free and the caller may compare and Bind them (free buffers always may);
  // else kFailed, with the mismatch recorded.
  enum class UseMatch : uint8_t { kMatched, kFree, kFailed };
  UseMatch MatchUse(const runtime::Object* a, const runtime::Object* b, const char* kind, const std::string& name_a,
                    const std::string& name_b, bool is_buffer = false);
  bool DefineVar(const VarNode* a, const VarNode* b);
  // Inside a DefiningScope a bare Var seen for the first time is a
  // definition (buffer_map shapes, relax parameter struct info, match_cast).
  bool EqualSymbolic(const PrimExpr& a, const PrimExpr& b);
  class DefiningScope {
   public:
    explicit DefiningScope(StructuralComparator* c) : c_(c), saved_(c->defining_) { c->defining_ = true; }
    ~DefiningScope() { c_->defining_ = saved_; }

   private:
    StructuralComparator* c_;
    bool saved_;
  };
  // Forgets every mapping (between the functions of a module).
  void ClearBindings();

  // The path. Fail records "path: detail" once and returns false.
  bool Fail(const std::string& detail);
  bool FailField(PathStep step, const std::string& a, const std::string& b);  // "step: a vs b"
  template <typename F>
  bool At(PathStep step, F&& compare) {
    path_.push_back(step);
    bool ok = compare();
    path_.pop_back();
    return ok;
  }
  template <typename T, typename F>
  bool EqualEach(const char* field, const std::vector<T>& a, const std::vector<T>& b, F&& compare) {
    if (a.size() != b.size()) return FailCount(field, a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      if (!At(PathStep::Index(field, i), [&] { return compare(a[i], b[i]); })) return false;
    }
    return true;
  }
  bool FailCount(const char* field, size_t a, size_t b);
  static std::string Quoted(const std::string& s);  // 'name'
  // The rhs of a comparison dispatched on the kind of the lhs.
  template <typename T, typename R>
  static const T* Other(const R& rhs) {
    return static_cast<const T*>(rhs.get());
  }

 private:
#define KILN_X(name) bool VisitExpr_(const name##Node* a, const PrimExpr& b) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
#define KILN_X(name) bool VisitStmt_(const name##Node* a, const Stmt& b) override;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
  bool EqualExprs(const char* field, const std::vector<PrimExpr>& a, const std::vector<PrimExpr>& b);
  bool EqualBufferFields(const Buffer& a, const Buffer& b, bool declare);
  bool EqualRegion(const BufferRegion& a, const BufferRegion& b);
  bool EqualIterVar(const IterVar& a, const IterVar& b);
  bool EqualAnyObject(const runtime::ObjectRef& a, const runtime::ObjectRef& b);
  std::string PathText() const;

  bool map_free_vars_;
  bool defining_ = false;
  std::unordered_map<const runtime::Object*, const runtime::Object*> lhs_to_rhs_, rhs_to_lhs_;
  std::vector<PathStep> path_;
  std::optional<std::string> mismatch_;
};

// Hashes what StructuralComparator compares, in the same order: definitions
// hash by the order in which they are defined, never by address.
class StructuralHasher : private ExprFunctor<uint64_t(const PrimExpr&)>, private StmtFunctor<uint64_t(const Stmt&)> {
 public:
  explicit StructuralHasher(bool map_free_vars) : map_free_vars_(map_free_vars) {}
  virtual ~StructuralHasher() = default;

  uint64_t HashExpr(const PrimExpr& e);  // may be empty
  uint64_t HashStmt(const Stmt& s);      // may be empty
  uint64_t HashFunc(const PrimFunc& f);
  uint64_t HashDeclaredBuffer(const Buffer& b);
  uint64_t HashBufferUse(const Buffer& b);
  uint64_t HashAttrs(const ir::Attrs& attrs);
  uint64_t HashAny(const runtime::Any& value);
  uint64_t HashArray(const runtime::NDArray& array);
  virtual uint64_t HashObject(const runtime::ObjectRef& obj);

  // Order-sensitive mixing of a value into a running hash.
  static uint64_t Combine(uint64_t seed, uint64_t value);
  static uint64_t HashString(std::string_view s);
  static uint64_t HashDType(DataType t);

 protected:
  bool map_free_vars() const { return map_free_vars_; }
  // Gives `def` the next definition number and returns its hash.
  uint64_t Define(const runtime::Object* def);
  // The hash of a use of a definition, or nullopt when `use` is free.
  std::optional<uint64_t> Lookup(const runtime::Object* use) const;
  uint64_t DefineVar(const Var& v);
  uint64_t HashSymbolic(const PrimExpr& e);  // mirrors EqualSymbolic
  class DefiningScope {
   public:
    explicit DefiningScope(StructuralHasher* h) : h_(h), saved_(h->defining_) { h->defining_ = true; }
    ~DefiningScope() { h_->defining_ = saved_; }

   private:
    StructuralHasher* h_;
    bool saved_;
  };
  void ClearBindings();

 private:
#define KILN_X(name) uint64_t VisitExpr_(const name##Node* e) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
#define KILN_X(name) uint64_t VisitStmt_(const name##Node* s) override;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
  uint64_t HashExprs(uint64_t seed, const std::vector<PrimExpr>& exprs);
  uint64_t HashBufferFields(const Buffer& b, bool declare);
  uint64_t HashRegion(const BufferRegion& r);
  uint64_t HashAnyObject(const runtime::ObjectRef& obj);

  bool map_free_vars_;
  bool defining_ = false;
  std::unordered_map<const runtime::Object*, uint64_t> index_;
  uint64_t next_index_ = 0;
};

namespace detail {
// The elements of an array in row-major order, copied to the host.
std::vector<uint8_t> HostBytes(const runtime::NDArray& array);
}  // namespace detail

}  // namespace kiln::tir
