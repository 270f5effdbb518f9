// The parser of the text format: recursive descent over the lexer's tokens,
// building IR nodes directly through their factories. One class whose
// methods are split by concern: parser.cc (tokens, errors, scopes),
// parse_tir_expr.cc, parse_tir_stmt.cc, parse_tir_func.cc, parse_attrs.cc,
// parse_struct_info.cc, parse_relax_expr.cc, parse_relax_func.cc and
// parse_module.cc.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/relax/expr.h"
#include "kiln/tir/function.h"
#include "lexer.h"

namespace kiln::text {

using runtime::DataType;

// What a name in scope stands for: exactly one of these is set.
struct Named {
  tir::Var tir_var;
  tir::Buffer buffer;
  relax::Var relax_var;
};

class Parser {
 public:
  Parser(const std::string& text, const std::string& source_name);

  ir::IRModule Module();
  tir::PrimExpr OnlyPrimExpr(const std::vector<tir::Var>& free_vars);
  relax::Expr OnlyRelaxExpr(const std::vector<relax::Var>& free_vars, const std::vector<tir::Var>& free_dims);
  ir::StructInfo OnlyStructInfo();

 private:
  // Nesting deeper than this is an error, so that no input exhausts the stack.
  static constexpr int kMaxDepth = 500;

  // ---- tokens, errors and scopes (parser.cc) ----
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool Check(const char* word) const { return Peek().Is(word); }
  bool Accept(const char* word);
  const Token& Expect(const char* word, const std::string& where);
  // `close` for the bracket `open`, naming where it was opened.
  void ExpectClose(const Token& open, const char* close);
  const Token& ExpectKind(TokenKind kind, const std::string& what);
  // A name that may be defined: an undotted identifier, not a reserved word.
  const Token& ExpectName(const std::string& what);
  int64_t ExpectInt(const std::string& what);
  void SkipNewlines();
  // A statement ends at a newline or before the `}` of its block.
  void EndStatement();
  // Nothing but newlines may follow.
  void ExpectEnd();
  [[noreturn]] void Fail(const Token& at, const std::string& message) const;
  static std::string Describe(const Token& token);

  // Runs a factory; its kiln::Error becomes a ParseError located at `at`.
  template <typename F>
  auto Build(const Token& at, F&& build) -> decltype(build()) {
    try {
      return build();
    } catch (const ParseError&) {
      throw;
    } catch (const Error& e) {
      Fail(at, e.message());
    }
  }

  class Nest {  // counts one level of nesting
   public:
    explicit Nest(Parser* p);
    ~Nest() { --p_->depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser* p_;
  };
  class Frame {  // a lexical scope
   public:
    explicit Frame(Parser* p) : p_(p) { p_->frames_.emplace_back(); }
    ~Frame() { p_->frames_.pop_back(); }
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;

   private:
    Parser* p_;
  };
  class FunctionFrame {  // a function's scope, where implicit dimensions go
   public:
    explicit FunctionFrame(Parser* p) : frame_(p), p_(p), saved_(p->function_frame_) {
      p_->function_frame_ = p_->frames_.size() - 1;
    }
    ~FunctionFrame() { p_->function_frame_ = saved_; }
    FunctionFrame(const FunctionFrame&) = delete;
    FunctionFrame& operator=(const FunctionFrame&) = delete;

   private:
    Frame frame_;
    Parser* p_;
    size_t saved_;
  };
  class DeclContext {  // where a new name in a shape defines a size var
   public:
    DeclContext(Parser* p, bool on) : p_(p), saved_(p->in_decl_) { p_->in_decl_ = on; }
    ~DeclContext() { p_->in_decl_ = saved_; }
    DeclContext(const DeclContext&) = delete;
    DeclContext& operator=(const DeclContext&) = delete;

   private:
    Parser* p_;
    bool saved_;
  };

  const Named* Lookup(const std::string& name) const;
  // Defines `name` in the innermost scope (or the function's).
  void Define(const Token& at, Named named, bool in_function_scope = false);
  void Undefine(const std::string& name);

  // ---- tir expressions (parse_tir_expr.cc) ----
  struct VarType {
    DataType dtype;
    bool is_size_var = false;
  };
  tir::PrimExpr PrimExpr();
  tir::PrimExpr LetExpr();
  tir::PrimExpr BinaryExpr(int min_prec);
  tir::PrimExpr UnaryExpr();
  tir::PrimExpr PrimaryExpr();
  tir::PrimExpr Literal(const Token& token, bool negative);
  tir::PrimExpr NameExpr(const Token& token);
  tir::PrimExpr CallExpr(const Token& name);
  // Arguments up to the bracket that closes `open` (`)` or `]`); a last
  // `dtype=T` is allowed when `dtype` is given.
  std::vector<tir::PrimExpr> CallArgs(const Token& open, std::optional<DataType>* dtype);
  // "(a, b)", "(a,)" or "()".
  std::vector<tir::PrimExpr> ExprTuple(const std::string& what);
  DataType DType(const std::string& what);
  VarType ParseVarType();
  std::optional<VarType> OptionalVarType();  // ": type" when present
  tir::Var NewVar(const Token& name, const std::optional<VarType>& type, DataType default_dtype);
  // An unsuffixed literal takes the dtype its context needs (x + 1 for an
  // int32 x); any other expression is returned as it is.
  tir::PrimExpr Adapt(const tir::PrimExpr& e, DataType dtype) const;
  void Unify(tir::PrimExpr* a, tir::PrimExpr* b) const;

  // ---- tir statements (parse_tir_stmt.cc) ----
  struct ScopedHead {  // a let, alloc or decl_buffer whose body is what follows it
    const Token* at = nullptr;
    const Token* name = nullptr;
    tir::Var var;
    tir::PrimExpr value;
    tir::Buffer buffer;
  };
  // Statements up to the `}` that closes their block (not consumed).
  tir::Stmt StmtList();
  // `{ statements }`.
  tir::Stmt Braced(const std::string& what);
  tir::Stmt Statement();
  tir::Stmt ForStmt();
  tir::Stmt IfStmt();
  tir::Stmt BlockStmt();
  bool BlockHeaderItem(tir::BlockSpec* spec);
  tir::IterVar IterVarLine();
  std::vector<tir::BufferRegion> Regions();
  // A statement with `=` outside brackets is a store: A[i, j] = value.
  bool AtStore() const;
  tir::Stmt Store();
  ScopedHead LetHead();
  ScopedHead BufferHead();  // alloc or decl_buffer
  void DefineHead(const ScopedHead& head);
  tir::Stmt Wrap(const ScopedHead& head, tir::Stmt body);

  // ---- buffers and PrimFuncs (parse_tir_func.cc) ----
  // After "name:": Buffer((shape), dtype, strides=..., ...). A `view` (the
  // buffer of a decl_buffer) must name its storage with data=.
  tir::Buffer BufferType(const Token& name, bool view = false);
  tir::PrimFunc PrimFunc(const Token& at);
  // Scalar parameters, visible in the whole signature.
  std::unordered_map<std::string, tir::Var> ScalarParams();
  // `[n: int32, m: SizeVar(int32)]` after a function's name.
  void DeclList();

  // ---- attributes (parse_attrs.cc) ----
  ir::Attrs AttrDict();
  runtime::Any AttrValue();
  runtime::Any NumberValue(bool negative);

  // ---- struct info (parse_struct_info.cc) ----
  ir::StructInfo StructInfo();
  ir::StructInfo PrimInfo();
  ir::StructInfo ShapeInfo();
  ir::StructInfo TensorInfo();
  ir::StructInfo FuncInfo();
  std::vector<ir::StructInfo> StructInfoList(const Token& open, const char* close);

  // ---- relax expressions (parse_relax_expr.cc) ----
  relax::Expr RelaxExpr();
  relax::Expr RelaxPrimary();
  relax::Expr RelaxName(const Token& token);
  relax::Expr TupleOrParens(const Token& open);
  relax::Expr TupleItem(const relax::Expr& tuple, const Token& open);
  // After `callee(`: the arguments, keyword attributes and sinfo_args.
  relax::Expr RelaxCall(const relax::Expr& callee, const Token& start, const Token& open);
  void FinishOpCall(const relax::OpNode* op, relax::CallNode* call, const Token& at);
  relax::Expr ConstExpr(const Token& at);
  std::vector<int64_t> ArrayLiteral(std::vector<std::pair<const Token*, bool>>* elements);
  relax::Expr MetaRef(const Token& at);
  relax::Expr IfExpr(const Token& at);

  // ---- relax bodies and functions (parse_relax_func.cc) ----
  struct SeqParts {
    std::vector<relax::BindingBlock> blocks;
    relax::Expr result;
  };
  // Bindings and blocks, then the result (after `return` in a function).
  SeqParts SeqBody(bool is_function);
  // A SeqExpr of the parts (with its result's struct info).
  relax::Expr SeqOf(const SeqParts& parts, const Token& at);
  // A branch or function body: the result alone when nothing is bound.
  relax::Expr BodyExpr(const SeqParts& parts, const Token& at);
  relax::Expr NestedSeq(const Token& open);
  bool AtBinding() const;
  relax::BindingBlock WithBlock();
  relax::Binding BindingLine(bool in_dataflow);
  ir::StructInfo InferBinding(const relax::Expr& value, const Token& name) const;
  relax::Function RelaxFunction(const Token& at, bool is_pure, bool top_level);

  // ---- modules (parse_module.cc) ----
  // Names every function of the module (calls may come before the callee)
  // and returns the token index of the meta section, if any.
  std::optional<size_t> ScanModule();
  void MetaSection();

  Source source_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool in_decl_ = false;
  std::vector<std::unordered_map<std::string, Named>> frames_;
  size_t function_frame_ = 0;
  std::unordered_map<std::string, ir::GlobalVar> globals_;
  std::vector<runtime::NDArray> meta_;
  // Unsuffixed literals (held so their addresses stay theirs).
  std::unordered_map<const runtime::Object*, tir::PrimExpr> plain_literals_;
};

}  // namespace kiln::text
