// einsum. The subscripts name each operand's axes with letters (one "..."
// for broadcast axes); equal letters must have equal sizes, and the output
// lists the letters (and "...") it keeps: the rest are summed over.
#include "kiln/relax/op/einsum.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

// One term of the subscripts: its letters, and where "..." sits (or -1).
struct Term {
  std::string letters;
  int ellipsis = -1;
};

Term ParseTerm(const CallNode* call, const std::string& text) {
  Term term;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "...") == 0) {
      KILN_CHECK(term.ellipsis < 0) << OpName(call) << ": \"" << text << "\" holds \"...\" twice";
      term.ellipsis = static_cast<int>(term.letters.size());
      i += 2;
      continue;
    }
    KILN_CHECK(std::isalpha(static_cast<unsigned char>(text[i])))
        << OpName(call) << ": bad character '" << text[i] << "' in the subscripts";
    term.letters += text[i];
  }
  return term;
}

struct Subscripts {
  std::vector<Term> inputs;
  Term output;
};

// The implicit output: "..." when any input has it, then the letters used once, sorted.
Term ImplicitOutput(const std::vector<Term>& inputs) {
  std::map<char, int> uses;
  Term out;
  for (const Term& t : inputs) {
    for (char c : t.letters) ++uses[c];
    if (t.ellipsis >= 0) out.ellipsis = 0;
  }
  for (const auto& [c, n] : uses) {
    if (n == 1) out.letters += c;
  }
  return out;
}

Subscripts ParseSubscripts(const CallNode* call, std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  size_t arrow = text.find("->");
  std::string lhs = text.substr(0, arrow);
  Subscripts s;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    s.inputs.push_back(ParseTerm(call, lhs.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (arrow == std::string::npos) {
    s.output = ImplicitOutput(s.inputs);
    return s;
  }
  s.output = ParseTerm(call, text.substr(arrow + 2));
  for (char c : s.output.letters) {
    KILN_CHECK(std::count(s.output.letters.begin(), s.output.letters.end(), c) == 1)
        << OpName(call) << ": the output names '" << c << "' twice";
    bool used = std::any_of(s.inputs.begin(), s.inputs.end(),
                            [c](const Term& t) { return t.letters.find(c) != std::string::npos; });
    KILN_CHECK(used) << OpName(call) << ": the output names '" << c << "', which no operand has";
  }
  return s;
}

// Binds each letter to its size, and broadcasts the "..." axes of all operands.
struct Sizes {
  std::map<char, tir::PrimExpr> letters;
  Dims ellipsis;
};

void BindTerm(const CallNode* call, size_t k, const Term& term, const Dims& shape, Sizes* sizes) {
  size_t extra = shape.size() - term.letters.size();
  Dims dots;
  for (size_t i = 0, axis = 0; i < term.letters.size(); ++i, ++axis) {
    if (static_cast<int>(i) == term.ellipsis) {
      dots.assign(shape.begin() + axis, shape.begin() + axis + extra);
      axis += extra;
    }
    char c = term.letters[i];
    auto [it, fresh] = sizes->letters.emplace(c, shape[axis]);
    KILN_CHECK(fresh || !DimsDiffer(it->second, shape[axis]))
        << OpName(call) << ": '" << c << "' has size " << DimString(shape[axis]) << " in operand " << k << " but size "
        << DimString(it->second) << " before";
  }
  if (term.ellipsis == static_cast<int>(term.letters.size())) dots.assign(shape.end() - extra, shape.end());
  sizes->ellipsis = BroadcastShapes(call, sizes->ellipsis, dots);
}

// Operand k's rank must fit its term.
void CheckTermRank(const CallNode* call, size_t k, const Term& term, int ndim) {
  int letters = static_cast<int>(term.letters.size());
  KILN_CHECK(ndim < 0 || ndim == letters || (term.ellipsis >= 0 && ndim > letters))
      << OpName(call) << ": operand " << k << " has rank " << ndim << " but its subscripts name " << letters << " axes"
      << (term.ellipsis >= 0 ? " and \"...\"" : "");
}

StructInfo InferEinsum(const CallNode* call) {
  CheckNumArgs(call, 1);
  std::vector<TensorRef> operands = TensorTupleArg(call, 0);
  Subscripts s = ParseSubscripts(call, StringAttr(call, "subscripts"));
  KILN_CHECK(s.inputs.size() == operands.size()) << OpName(call) << ": the subscripts name " << s.inputs.size()
                                                 << " operands but " << operands.size() << " are given";
  DataType dtype = SameDtype(call, operands);
  bool shapes_known = true;
  for (size_t k = 0; k < operands.size(); ++k) {
    CheckTermRank(call, k, s.inputs[k], operands[k]->ndim);
    shapes_known = shapes_known && operands[k]->shape.has_value();
  }
  if (!shapes_known) {
    return TensorSInfoOfRank(s.output.ellipsis >= 0 ? -1 : static_cast<int>(s.output.letters.size()), dtype);
  }
  Sizes sizes;
  for (size_t k = 0; k < operands.size(); ++k) BindTerm(call, k, s.inputs[k], *operands[k]->shape, &sizes);
  Dims out;
  for (size_t i = 0; i <= s.output.letters.size(); ++i) {
    if (static_cast<int>(i) == s.output.ellipsis) out.insert(out.end(), sizes.ellipsis.begin(), sizes.ellipsis.end());
    if (i < s.output.letters.size()) out.push_back(sizes.letters.at(s.output.letters[i]));
  }
  return TensorSInfo(out, dtype);
}

// ---- legalization ----
//
// One compute over the output: each output letter (and output "..." dim) is
// an index of the compute, each other letter a reduce axis, and the value the
// sum over those axes of the operands' product. A "..." the output leaves
// out is summed over, as PyTorch does (NumPy rejects it).

using tir::PrimExpr;
using tir::Var;
using tir::te::ReduceAxis;
using tir::te::Tensor;

// Where each letter and "..." dim is read: an output index or a reduce axis.
struct EinsumIndex {
  std::map<char, PrimExpr> letters;
  std::vector<PrimExpr> ellipsis;  // the broadcast "..." dims
};

// The index of an operand with subscripts `term`: its "..." dims right-aligned
// with the broadcast ones, a dim of constant 1 read at 0.
std::vector<PrimExpr> OperandIndex(const Term& term, const Tensor& t, const EinsumIndex& at) {
  size_t extra = t.ndim() - term.letters.size();
  std::vector<PrimExpr> idx;
  for (size_t i = 0; i <= term.letters.size(); ++i) {
    if (static_cast<int>(i) == term.ellipsis) {
      for (size_t e = 0; e < extra; ++e) {
        const PrimExpr& dim = t.shape()[idx.size()];
        idx.push_back(IsConstDim(dim, 1) ? tir::IntImm(dim.dtype(), 0) : at.ellipsis[at.ellipsis.size() - extra + e]);
      }
    }
    if (i < term.letters.size()) idx.push_back(at.letters.at(term.letters[i]));
  }
  return idx;
}

// The reduce axes: one per letter the output lacks (in letter order), then
// the "..." dims when the output lacks "...".
std::vector<ReduceAxis> EinsumReduceAxes(const Subscripts& s, const Sizes& sizes, EinsumIndex* at) {
  std::vector<ReduceAxis> axes;
  auto add = [&](const PrimExpr& extent, const std::string& name) {
    axes.push_back(tir::te::reduce_axis({tir::IntImm(extent.dtype(), 0), extent}, name));
    return axes.back().var;
  };
  for (const auto& [c, extent] : sizes.letters) {
    if (s.output.letters.find(c) == std::string::npos) at->letters[c] = add(extent, std::string(1, c));
  }
  if (s.output.ellipsis < 0) {
    for (size_t e = 0; e < sizes.ellipsis.size(); ++e) at->ellipsis.push_back(add(sizes.ellipsis[e], "e"));
  }
  return axes;
}

Expr LegalizeEinsum(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  Subscripts s = ParseSubscripts(call, StringAttr(call, "subscripts"));
  return CallTEOn(bb, call, "einsum", TupleFields(bb, call, 0), [&](const std::vector<Tensor>& in) {
    Sizes sizes;
    for (size_t k = 0; k < in.size(); ++k) BindTerm(call, k, s.inputs[k], in[k].shape(), &sizes);
    EinsumIndex reduced;
    std::vector<ReduceAxis> axes = EinsumReduceAxes(s, sizes, &reduced);
    return tir::te::compute(
        out,
        [&](const std::vector<Var>& i) {
          EinsumIndex at = reduced;
          for (size_t pos = 0, d = 0; pos <= s.output.letters.size(); ++pos) {
            if (static_cast<int>(pos) == s.output.ellipsis) {
              for (size_t e = 0; e < sizes.ellipsis.size(); ++e) at.ellipsis.push_back(i[d++]);
            }
            if (pos < s.output.letters.size()) at.letters[s.output.letters[pos]] = i[d++];
          }
          PrimExpr product;
          for (size_t k = 0; k < in.size(); ++k) {
            PrimExpr v = in[k][OperandIndex(s.inputs[k], in[k], at)];
            product = product ? product * v : v;
          }
          return axes.empty() ? product : tir::te::sum(product, axes);
        },
        "einsum");
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.einsum")
      .Describe("sum of products over axes named by subscripts, e.g. \"ij,jk->ik\"")
      .Args({"operands"})
      .Attr("subscripts", AttrKind::kString, {}, "NumPy einsum subscripts")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferEinsum)
      .Legalize(LegalizeEinsum);
  return true;
}();
}  // namespace

namespace op {
Expr einsum(std::vector<Expr> operands, std::string subscripts) {
  return MakeOpCall("relax.einsum", {MakeTuple(std::move(operands))}, {{"subscripts", std::move(subscripts)}});
}
}  // namespace op

}  // namespace kiln::relax
