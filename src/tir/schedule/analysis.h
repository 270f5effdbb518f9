// Analyses primitives share: the regions a block accesses, relaxing a region
// over loops (the part of a buffer a whole loop nest touches), and
// predicates taken apart into their conjuncts and put back together.
#pragma once

#include <utility>
#include <vector>

#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/stmt.h"

namespace kiln::tir::schedule {

struct AccessRegions {
  std::vector<BufferRegion> reads, writes;
};

// The regions one instance of a block reads and writes, from its init and
// body, in terms of its iteration variables: the hull of every access while
// the loops (and nested blocks) inside range over their domains. Buffers the
// block allocates are left out, and so are reads of a buffer the block also
// writes when it has an init (a reduction's update; the convention te uses).
AccessRegions InferAccessRegions(const BlockSpec& block);

// `region` with each variable of `dom` ranging over its range: the smallest
// covering region (hull), in terms of the other variables. Extents are
// simplified; an access that cannot be bounded covers the whole dimension of
// `buffer`.
std::vector<Range> RelaxRegion(const Buffer& buffer, const std::vector<Range>& region,
                               const std::vector<std::pair<Var, Range>>& dom, arith::Analyzer& ana);

// The union (hull) of two regions of one buffer.
std::vector<Range> UnionRegion(const std::vector<Range>& a, const std::vector<Range>& b, arith::Analyzer& ana);

// Appends the operands of a chain of logical ands (`e` itself when it is
// not one) to `out`.
void Conjuncts(const PrimExpr& e, std::vector<PrimExpr>& out);
// The logical and of `conds`, in order; an undefined expression for none.
PrimExpr AndAll(const std::vector<PrimExpr>& conds);

}  // namespace kiln::tir::schedule
