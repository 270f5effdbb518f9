// The operator registry. One entry per op: its name, its arguments and
// attributes, struct-info inference (with clear errors on bad shapes and
// dtypes), its pattern kind for fusion, and a place for its legalization to
// tir. An Op is itself a relax expression, the callee of a Call.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/ir/op_pattern.h"
#include "kiln/relax/struct_info.h"

namespace kiln::relax {

// How an op's output elements depend on its inputs; fusion reads this.
using ir::OpPattern;
using ir::OpPatternName;

// Kinds of op attributes; the parser, printer and checks read them.
enum class AttrKind : uint8_t { kInt, kFloat, kBool, kString, kDataType, kIntList, kOptionalInt, kOptionalIntList };

struct OpAttrSpec {
  std::string name;
  AttrKind kind;
  runtime::Any default_value;  // none: required
  std::string doc;
};

class OpNode;
using Op = Ref<OpNode>;
using FInferStructInfo = std::function<StructInfo(const CallNode* call)>;
class BlockBuilder;
// Legalization to tir (see legalize.h): the call rewritten into relax that
// calls tir, usually call_tir of a PrimFunc the function adds to bb's module.
using FLegalize = std::function<Expr(BlockBuilder& bb, const CallNode* call)>;

class OpNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(OpNode, ir::RelaxExprNode, "relax.Op")
  std::string name;         // "relax.matmul"
  std::string description;  // one line, for docs and `kiln inspect`
  std::vector<std::string> arg_names;
  bool variadic = false;  // the last argument repeats (concat takes a tuple instead)
  int num_optional = 0;   // how many trailing arguments may be left out
  std::vector<OpAttrSpec> attrs;
  OpPattern pattern = OpPattern::kOpaque;
  bool is_pure = true;
  FInferStructInfo infer_struct_info;
  FLegalize legalize;

  const OpAttrSpec* FindAttr(const std::string& attr_name) const;
};

// Registration: `RegisterOp("relax.add").Describe(...).Args({"x1", "x2"})...`.
class OpRegistration {
 public:
  explicit OpRegistration(Op op) : op_(std::move(op)) {}
  OpRegistration& Describe(std::string text);
  // `num_optional` trailing arguments may be left out (linear's bias).
  OpRegistration& Args(std::vector<std::string> names, bool variadic = false, int num_optional = 0);
  OpRegistration& Attr(std::string name, AttrKind kind, runtime::Any default_value = {}, std::string doc = "");
  OpRegistration& Pattern(OpPattern pattern);
  OpRegistration& Impure();
  OpRegistration& InferStructInfo(FInferStructInfo f);
  OpRegistration& Legalize(FLegalize f);
  const Op& op() const { return op_; }

 private:
  Op op_;
};

// Registers a new op (raises when the name is taken) and returns its builder.
OpRegistration RegisterOp(const std::string& name);
// The op called `name` ("relax.add", or the short "add"); raises kiln::Error
// with the closest known name when there is none.
Op GetOp(const std::string& name);
// nullptr-like empty handle when absent.
Op FindOp(const std::string& name);
// Takes op `name` out of the registry (ops registered at run time, e.g. from
// Python or by a test); raises kiln::Error when there is none. Calls built
// before keep the Op object, but the name no longer parses or resolves.
void RemoveOp(const std::string& name);
std::vector<Op> ListOps();

// Checks that a call passes as many arguments as the op takes; raises
// kiln::Error naming the op and its arguments otherwise.
void CheckOpArity(const OpNode* op, size_t num_args);

// Checks a call's attributes against the op's declared ones (names, kinds,
// required ones present) and returns them completed with defaults.
Attrs CheckOpAttrs(const OpNode* op, const Attrs& attrs);

}  // namespace kiln::relax
