// Helpers for pass tests: build a module, and compare a pass's output with
// the expected module structurally, showing the first difference on failure.
#pragma once

#include <gtest/gtest.h>

#include "kiln/relax/block_builder.h"
#include "kiln/relax/structural_equal.h"
#include "relax/test_ops.h"

namespace kiln::transform::testing {

// Also checks that the pass did something: `before` differs from `expected`.
inline void ExpectRewrite(const ir::IRModule& before, const ir::IRModule& after, const ir::IRModule& expected) {
  EXPECT_TRUE(relax::FindMismatch(before, expected).has_value()) << "the test's before and expected are the same";
  std::optional<std::string> mismatch = relax::FindMismatch(after, expected);
  EXPECT_FALSE(mismatch.has_value()) << mismatch.value_or("");
}

// A module of one function "main" with `params`, built by `body`, which
// emits bindings through the builder and returns the output.
template <typename F>
ir::IRModule BuildMain(const std::vector<relax::Var>& params, F body) {
  relax::BlockBuilder bb;
  bb.BeginFunction("main", params);
  relax::Expr out = body(bb);
  bb.EndFunction(out);
  return bb.GetModule();
}

}  // namespace kiln::transform::testing
