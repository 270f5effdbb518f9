// SumForm, the canonical form of signed integer arithmetic: a constant plus
// integer multiples of sorted products of atoms (vars, and nodes other than
// +, -, *). Ring-equal expressions have equal forms: (i*4 + j) - j - i*4 is 0.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "kiln/tir/expr.h"

namespace kiln::tir::arith {

// coeff * atoms[0] * atoms[1] * ...; atoms sorted by CompareExpr.
struct Monomial {
  std::vector<PrimExpr> atoms;
  int64_t coeff = 1;
};
// The order of terms in a SumForm: atoms compared one by one, a prefix first.
int CompareMonomials(const Monomial& a, const Monomial& b);

class SumForm {
 public:
  // Products that would have more terms than this stay opaque atoms.
  static constexpr size_t kMaxTerms = 16;

  explicit SumForm(DataType dtype, int64_t constant = 0) : dtype_(dtype), constant_(constant) {}
  static SumForm Atom(const PrimExpr& atom);

  DataType dtype() const { return dtype_; }
  int64_t constant() const { return constant_; }
  const std::vector<Monomial>& terms() const { return terms_; }
  bool is_const() const { return terms_.empty(); }
  // The gcd of all coefficients (0 when there are no terms).
  int64_t TermGcd() const;

  // Ring operations; nullopt when a coefficient leaves the dtype's range or
  // a product grows past kMaxTerms.
  std::optional<SumForm> Plus(const SumForm& o) const;
  std::optional<SumForm> Minus(const SumForm& o) const;
  std::optional<SumForm> Times(const SumForm& o) const;
  std::optional<SumForm> Scaled(int64_t c) const;
  // Adds coeff * atoms to the form; false on overflow (the form is then unusable).
  bool AddTerm(const Monomial& m);
  bool AddConstant(int64_t c);

  // Terms in order, positive ones first where possible: `n - i*4 + 3`.
  PrimExpr ToExpr() const;

 private:
  DataType dtype_;
  int64_t constant_;
  std::vector<Monomial> terms_;  // sorted by CompareMonomials, no zero coefficients
};

// True for a scalar signed integer dtype: the domain of the canonical form.
inline bool IsIndexType(DataType t) {
  return t.is_int() && t.lanes() == 1;
}

// The form of an expression of index type: +, - and * are expanded and
// constants folded; every other node is handed to `leaf`, whose form is
// used as is. A sum that cannot be formed (overflow, too many terms) becomes
// an atom of its node rebuilt from the forms of its operands.
SumForm ToSumForm(const PrimExpr& e, const std::function<SumForm(const PrimExpr&)>& leaf);
// The same with every other node an atom (constants fold).
SumForm ToSumForm(const PrimExpr& e);

}  // namespace kiln::tir::arith
