// Shared by the arith tests: EXPECT_SIMPLIFY compares Simplify's result with
// the expected expression structurally and prints both on a mismatch.
#pragma once

#include "common/test_util.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

#define EXPECT_SIMPLIFY(ana, input, expected)                                         \
  do {                                                                                \
    ::kiln::tir::PrimExpr out_ = (ana).Simplify(input), want_ = (expected);           \
    EXPECT_TRUE(::kiln::tir::StructuralEqual(out_, want_))                            \
        << ::kiln::tir::ToText(out_) << "  expected  " << ::kiln::tir::ToText(want_); \
  } while (0)
