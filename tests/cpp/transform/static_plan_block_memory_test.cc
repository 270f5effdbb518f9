// StaticPlanBlockMemory: in a chain a -> b -> c -> d, a and c share a
// storage and d (the output) stays unplanned; overlapping lifetimes get
// their own storage; tensors returned alone, in a tuple or through an alias
// are not planned; symbolic sizes reuse only the same size expression, and
// with "tir_var_upper_bound" are planned at their bound.
#include "kiln/transform/static_plan_block_memory.h"

#include "common/test_util.h"
#include "kiln/relax/printer.h"
#include "kiln/text/parser.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

const char* kKernel = R"(
  prim @k(A: Buffer((1,), float32), B: Buffer((1,), float32)) {
    B[0] = A[0]
  }
)";

ir::IRModule Module(const std::string& funcs) {
  return text::Parse(std::string("module {\n") + kKernel + funcs + "}");
}

void ExpectPlanned(const std::string& before_text, const std::string& expected_text) {
  ir::IRModule before = Module(before_text), expected = Module(expected_text);
  ir::IRModule after = StaticPlanBlockMemory()(before);
  ExpectRewrite(before, after, expected);
  if (::testing::Test::HasFailure()) ADD_FAILURE() << "after:\n" << relax::ToText(after);
}

void ExpectUnchanged(const std::string& text) {
  ir::IRModule mod = Module(text);
  ir::IRModule after = StaticPlanBlockMemory()(mod);
  EXPECT_FALSE(relax::FindMismatch(mod, after)) << relax::ToText(after);
}

TEST(StaticPlanBlockMemory, ChainReusesStorage) {
  ExpectPlanned(R"(
  func @main(x: Tensor((2, 4), float32)) -> Tensor((2, 4), float32) {
    a = relax.builtin.alloc_tensor(shape(2, 4), dtype=float32)
    k0: Object = @k(x, a)
    b = relax.builtin.alloc_tensor(shape(2, 4), dtype=float32)
    k1: Object = @k(a, b)
    c = relax.builtin.alloc_tensor(shape(2, 4), dtype=float32)
    k2: Object = @k(b, c)
    d = relax.builtin.alloc_tensor(shape(2, 4), dtype=float32)
    k3: Object = @k(c, d)
    return d
  }
)",
                R"(
  func @main(x: Tensor((2, 4), float32)) -> Tensor((2, 4), float32) {
    s0 = relax.memory.alloc_storage(shape(32))
    a = relax.memory.alloc_tensor(s0, shape(2, 4), dtype=float32)
    k0: Object = @k(x, a)
    s1 = relax.memory.alloc_storage(shape(32))
    b = relax.memory.alloc_tensor(s1, shape(2, 4), dtype=float32)
    k1: Object = @k(a, b)
    u0 = relax.memory.kill_tensor(a)
    c = relax.memory.alloc_tensor(s0, shape(2, 4), dtype=float32)
    k2: Object = @k(b, c)
    u1 = relax.memory.kill_tensor(b)
    u2 = relax.memory.kill_storage(s1)
    d = relax.builtin.alloc_tensor(shape(2, 4), dtype=float32)
    k3: Object = @k(c, d)
    u3 = relax.memory.kill_tensor(c)
    u4 = relax.memory.kill_storage(s0)
    return d
  }
)");
}

// a is read by the last kernel: nothing can take its storage; the smaller c
// takes b's freed storage (best fit).
TEST(StaticPlanBlockMemory, OverlappingLifetimesDoNotShare) {
  ExpectPlanned(R"(
  func @main(x: Tensor((8,), float32)) -> Tensor((8,), float32) {
    a = relax.builtin.alloc_tensor(shape(8), dtype=float32)
    k0: Object = @k(x, a)
    b = relax.builtin.alloc_tensor(shape(8), dtype=float32)
    k1: Object = @k(a, b)
    c = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k2: Object = @k(b, c)
    d = relax.builtin.alloc_tensor(shape(8), dtype=float32)
    k3: Object = @k(a, c, d)
    return d
  }
)",
                R"(
  func @main(x: Tensor((8,), float32)) -> Tensor((8,), float32) {
    s0 = relax.memory.alloc_storage(shape(32))
    a = relax.memory.alloc_tensor(s0, shape(8), dtype=float32)
    k0: Object = @k(x, a)
    s1 = relax.memory.alloc_storage(shape(32))
    b = relax.memory.alloc_tensor(s1, shape(8), dtype=float32)
    k1: Object = @k(a, b)
    s2 = relax.memory.alloc_storage(shape(16))
    c = relax.memory.alloc_tensor(s2, shape(4), dtype=float32)
    k2: Object = @k(b, c)
    u0 = relax.memory.kill_tensor(b)
    u1 = relax.memory.kill_storage(s1)
    d = relax.builtin.alloc_tensor(shape(8), dtype=float32)
    k3: Object = @k(a, c, d)
    u2 = relax.memory.kill_tensor(a)
    u3 = relax.memory.kill_storage(s0)
    u4 = relax.memory.kill_tensor(c)
    u5 = relax.memory.kill_storage(s2)
    return d
  }
)");
}

TEST(StaticPlanBlockMemory, BestFitPicksTheSmallestTokenThatHolds) {
  // a (64 B) and b (16 B) die together; c (16 B) takes b's storage, not a's.
  ExpectPlanned(R"(
  func @main(x: Tensor((16,), float32)) -> Tensor((4,), float32) {
    a = relax.builtin.alloc_tensor(shape(16), dtype=float32)
    k0: Object = @k(x, a)
    b = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k1: Object = @k(a, b)
    c = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k2: Object = @k(c)
    d = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k3: Object = @k(c, d)
    return d
  }
)",
                R"(
  func @main(x: Tensor((16,), float32)) -> Tensor((4,), float32) {
    s0 = relax.memory.alloc_storage(shape(64))
    a = relax.memory.alloc_tensor(s0, shape(16), dtype=float32)
    k0: Object = @k(x, a)
    s1 = relax.memory.alloc_storage(shape(16))
    b = relax.memory.alloc_tensor(s1, shape(4), dtype=float32)
    k1: Object = @k(a, b)
    u0 = relax.memory.kill_tensor(a)
    u1 = relax.memory.kill_storage(s0)
    u2 = relax.memory.kill_tensor(b)
    c = relax.memory.alloc_tensor(s1, shape(4), dtype=float32)
    k2: Object = @k(c)
    d = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k3: Object = @k(c, d)
    u3 = relax.memory.kill_tensor(c)
    u4 = relax.memory.kill_storage(s1)
    return d
  }
)");
}

TEST(StaticPlanBlockMemory, OutputsAndTheirAliasesAreNotPlanned) {
  // a returned in a tuple, b through an alias; nothing else to plan.
  ExpectUnchanged(R"(
  func @main(x: Tensor((4,), float32)) -> Tuple(Tensor((4,), float32), Tensor((4,), float32)) {
    a = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k0: Object = @k(x, a)
    b = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k1: Object = @k(a, b)
    p = (b, x)
    q = p[0]
    t = (a, q)
    return t
  }
)");
}

TEST(StaticPlanBlockMemory, UsesThroughAliasesExtendLifetimes) {
  // a lives as long as the tuple p that holds it is read.
  ExpectPlanned(R"(
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    a = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k0: Object = @k(x, a)
    p = (a, x)
    b = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k1: Object = @k(x, b)
    q = p[0]
    c = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k2: Object = @k(q, b, c)
    return c
  }
)",
                R"(
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    s0 = relax.memory.alloc_storage(shape(16))
    a = relax.memory.alloc_tensor(s0, shape(4), dtype=float32)
    k0: Object = @k(x, a)
    p = (a, x)
    s1 = relax.memory.alloc_storage(shape(16))
    b = relax.memory.alloc_tensor(s1, shape(4), dtype=float32)
    k1: Object = @k(x, b)
    q = p[0]
    c = relax.builtin.alloc_tensor(shape(4), dtype=float32)
    k2: Object = @k(q, b, c)
    u0 = relax.memory.kill_tensor(a)
    u1 = relax.memory.kill_storage(s0)
    u2 = relax.memory.kill_tensor(b)
    u3 = relax.memory.kill_storage(s1)
    return c
  }
)");
}

TEST(StaticPlanBlockMemory, SymbolicSizesReuseTheSameExpression) {
  // c has a's size (n * 16 bytes) and takes its storage; b's size differs.
  ExpectPlanned(R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    a = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k0: Object = @k(x, a)
    b = relax.builtin.alloc_tensor(shape(n, 2), dtype=float32)
    k1: Object = @k(a, b)
    c = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k2: Object = @k(b, c)
    d = relax.builtin.alloc_tensor(shape(n, 2), dtype=float32)
    k3: Object = @k(c, d)
    e = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k4: Object = @k(d, e)
    return e
  }
)",
                R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    s0 = relax.memory.alloc_storage(shape(n * 16))
    a = relax.memory.alloc_tensor(s0, shape(n, 4), dtype=float32)
    k0: Object = @k(x, a)
    s1 = relax.memory.alloc_storage(shape(n * 8))
    b = relax.memory.alloc_tensor(s1, shape(n, 2), dtype=float32)
    k1: Object = @k(a, b)
    u0 = relax.memory.kill_tensor(a)
    c = relax.memory.alloc_tensor(s0, shape(n, 4), dtype=float32)
    k2: Object = @k(b, c)
    u1 = relax.memory.kill_tensor(b)
    d = relax.memory.alloc_tensor(s1, shape(n, 2), dtype=float32)
    k3: Object = @k(c, d)
    u2 = relax.memory.kill_tensor(c)
    u3 = relax.memory.kill_storage(s0)
    e = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k4: Object = @k(d, e)
    u4 = relax.memory.kill_tensor(d)
    u5 = relax.memory.kill_storage(s1)
    return e
  }
)");
}

TEST(StaticPlanBlockMemory, UpperBoundPlansSymbolicSizesAsConstants) {
  // n <= 8: a (n * 16 bytes, at most 128) and c (n * 8, at most 64) share one
  // storage of 128 bytes.
  ExpectPlanned(R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    attrs {"tir_var_upper_bound": [["n", 8]]}
    a = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k0: Object = @k(x, a)
    b = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k1: Object = @k(a, b)
    c = relax.builtin.alloc_tensor(shape(n, 2), dtype=float32)
    k2: Object = @k(b, c)
    d = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k3: Object = @k(c, d)
    return d
  }
)",
                R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    attrs {"tir_var_upper_bound": [["n", 8]]}
    s0 = relax.memory.alloc_storage(shape(128))
    a = relax.memory.alloc_tensor(s0, shape(n, 4), dtype=float32)
    k0: Object = @k(x, a)
    s1 = relax.memory.alloc_storage(shape(128))
    b = relax.memory.alloc_tensor(s1, shape(n, 4), dtype=float32)
    k1: Object = @k(a, b)
    u0 = relax.memory.kill_tensor(a)
    c = relax.memory.alloc_tensor(s0, shape(n, 2), dtype=float32)
    k2: Object = @k(b, c)
    u1 = relax.memory.kill_tensor(b)
    u2 = relax.memory.kill_storage(s1)
    d = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k3: Object = @k(c, d)
    u3 = relax.memory.kill_tensor(c)
    u4 = relax.memory.kill_storage(s0)
    return d
  }
)");
}

TEST(StaticPlanBlockMemory, BadUpperBoundAttributeIsAnError) {
  ir::IRModule mod = Module(R"(
  func @main(x: Tensor((n, 4), float32)) -> Tensor((n, 4), float32) {
    attrs {"tir_var_upper_bound": [["n"]]}
    a = relax.builtin.alloc_tensor(shape(n, 4), dtype=float32)
    k0: Object = @k(x, a)
    return a
  }
)");
  EXPECT_KILN_ERROR(StaticPlanBlockMemory()(mod),
                    "StaticPlanBlockMemory: function 'main': attribute 'tir_var_upper_bound' must be a list");
}

TEST(StaticPlanBlockMemory, LeavesFunctionsWithDataflowBlocks) {
  ExpectUnchanged(R"(
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    with dataflow {
      a = relu(x)
      output b = relu(a)
    }
    return b
  }
)");
}

}  // namespace
}  // namespace kiln::transform
