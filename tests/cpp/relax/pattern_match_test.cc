// The relax pattern language: calls, wildcards, constants, attribute, dtype
// and shape constraints, alternatives and optional epilogues, matching over
// the bindings of a dataflow block (intermediates used elsewhere refuse the
// match), and RewriteCall.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "kiln/relax/op.h"
#include "kiln/relax/pattern/rewrite.h"
#include "kiln/relax/printer.h"
#include "kiln/text/parser.h"

namespace kiln::relax {
namespace {

Function Main(const std::string& body) {
  ir::IRModule mod = text::Parse("module {\n" + body + "\n}");
  return mod.Lookup("main").As<FunctionNode>();
}

const BindingBlock& Block(const Function& f) { return f->body.as<SeqExprNode>()->blocks.at(0); }

const char* kChain = R"(
  func @main(x: Tensor((4, 16), float32), w: Tensor((16, 8), float32), b: Tensor((8,), float32)) -> Tensor((4, 8), float32) {
    with dataflow {
      lv: Tensor((4, 8), float32) = matmul(x, w)
      lv1: Tensor((4, 8), float32) = add(lv, b)
      output gv: Tensor((4, 8), float32) = gelu(lv1)
    }
    return gv
  })";

TEST(PatternMatch, SequenceOverBindings) {
  Function f = Main(kChain);
  BlockMatcher matcher(Block(f));
  Pattern x = Wildcard(), w = Wildcard(), b = Wildcard();
  Pattern mm = IsOp("relax.matmul", {x, w});
  Pattern chain = IsOp("relax.gelu", {IsOp("relax.add", {mm, b})});
  std::optional<PatternMatch> m = matcher.MatchAt(chain, 2);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Get(x).get(), f->params[0].get());
  EXPECT_EQ(m->Get(w).get(), f->params[1].get());
  EXPECT_EQ(m->Get(b).get(), f->params[2].get());
  ASSERT_EQ(m->intermediates.size(), 2u);
  EXPECT_EQ(m->intermediates[0]->name, "lv");
  EXPECT_EQ(m->intermediates[1]->name, "lv1");
  ASSERT_EQ(m->inputs.size(), 3u);  // x, w, b in pattern order
  EXPECT_EQ(m->inputs[2].get(), f->params[2].get());
  EXPECT_TRUE(m->Get(mm).as<CallNode>());
  // Not at the wrong root, not with the wrong op, not with a taken binding.
  EXPECT_FALSE(matcher.MatchAt(chain, 1));
  EXPECT_FALSE(matcher.MatchAt(IsOp("relax.relu", {IsOp("relax.add", {mm, b})}), 2));
  EXPECT_FALSE(matcher.MatchAt(chain, 2, {true, false, false}));
}

TEST(PatternMatch, OptionalEpiloguesTakeTheLongestChain) {
  Function f = Main(kChain);
  BlockMatcher matcher(Block(f));
  Pattern mm = IsOp("relax.matmul", {Wildcard(), Wildcard()});
  Pattern bias = Optional(mm, [](const Pattern& p) { return IsOp("relax.add", {p, Wildcard()}); });
  Pattern act = Optional(bias, [](const Pattern& p) { return IsOp("relax.relu", {p}) | IsOp("relax.gelu", {p}); });
  EXPECT_EQ(matcher.MatchAt(act, 2)->intermediates.size(), 2u);
  EXPECT_EQ(matcher.MatchAt(act, 1)->intermediates.size(), 1u);
  EXPECT_EQ(matcher.MatchAt(act, 0)->intermediates.size(), 0u);
  EXPECT_EQ(PatternString(bias), "(relax.add(relax.matmul(*, *), *) | relax.matmul(*, *))");
}

TEST(PatternMatch, IntermediateUsedOutsideRefuses) {
  Function f = Main(R"(
  func @main(x: Tensor((4, 16), float32), w: Tensor((16, 16), float32)) -> Tensor((4, 16), float32) {
    with dataflow {
      lv: Tensor((4, 16), float32) = matmul(x, w)
      lv1: Tensor((4, 16), float32) = relu(lv)
      output gv: Tensor((4, 16), float32) = add(lv1, lv)
    }
    return gv
  })");
  BlockMatcher matcher(Block(f));
  Pattern p = IsOp("relax.relu", {IsOp("relax.matmul", {Wildcard(), Wildcard()})});
  EXPECT_FALSE(matcher.MatchAt(p, 1));
  EXPECT_TRUE(matcher.MatchAt(IsOp("relax.relu", {Wildcard()}), 1));
}

TEST(PatternMatch, ConstraintsAndRepeatedWildcards) {
  Function f = Main(R"(
  func @main(x: Tensor((1, 4, 8, 8), float32), w: Tensor((4, 4, 3, 3), float32), i: Tensor((4,), int32)) -> Tensor((1, 4, 8, 8), float32) {
    with dataflow {
      lv: Tensor((1, 4, 8, 8), float32) = conv2d(x, w, padding=[1, 1])
      lv1: Tensor((1, 4, 8, 8), float32) = multiply(lv, lv)
      lv2: Tensor((4,), int32) = multiply(i, i)
      output gv: Tensor((1, 4, 8, 8), float32) = multiply(lv1, x)
    }
    return gv
  })");
  BlockMatcher matcher(Block(f));
  Pattern conv = IsOp("relax.conv2d", {Wildcard(), Wildcard()});
  EXPECT_TRUE(matcher.MatchAt(HasAttr(conv, {{"groups", int64_t{1}}, {"data_layout", "NCHW"}}), 0));
  EXPECT_FALSE(matcher.MatchAt(HasAttr(conv, {{"groups", int64_t{2}}}), 0));
  EXPECT_TRUE(matcher.MatchAt(HasAttr(conv, {{"padding", std::vector<runtime::Any>{int64_t{1}, int64_t{1}}}}), 0));
  Pattern y = Wildcard();
  Pattern square = IsOp("relax.multiply", {y, y});
  EXPECT_TRUE(matcher.MatchAt(square, 2));
  EXPECT_FALSE(matcher.MatchAt(square, 3));  // lv1 * x: two different arguments
  EXPECT_TRUE(matcher.MatchAt(HasDtype(square, DataType::Int(32)), 2));
  EXPECT_FALSE(matcher.MatchAt(HasDtype(square, DataType::Float(32)), 2));
  EXPECT_TRUE(matcher.MatchAt(HasShape(square, {tir::PrimExpr(int64_t{4})}), 2));
  EXPECT_FALSE(matcher.MatchAt(HasShape(square, {tir::PrimExpr(int64_t{8})}), 2));
  EXPECT_FALSE(matcher.MatchAt(IsOp("relax.multiply", {IsConst(), Wildcard()}), 2));
  // Looking through lv1 = multiply(lv, lv) to conv2d.
  EXPECT_TRUE(matcher.MatchAt(IsOp("relax.multiply", {IsOp("relax.multiply", {conv, conv}), Wildcard()}), 3));
}

TEST(PatternMatch, UnknownOpIsAnError) {
  EXPECT_KILN_ERROR(IsOp("relax.frobnicate", {Wildcard()}), "frobnicate");
}

TEST(RewriteCall, ReplacesMatchesAndDropsIntermediates) {
  Function f = Main(kChain);
  Pattern x = Wildcard(), w = Wildcard(), b = Wildcard();
  Pattern p = IsOp("relax.add", {IsOp("relax.matmul", {x, w}), b});
  // add(matmul(x, w), b) -> linear(x, permute_dims(w), b)
  Function out = RewriteCall(
      p,
      [&](const Expr&, const PatternMatch& m) {
        Expr wt = MakeCall(GetOp("relax.permute_dims"), {m.Get(w)});
        return MakeCall(GetOp("relax.linear"), {m.Get(x), wt, m.Get(b)});
      },
      f);
  std::string text = ToText(Expr(out));
  EXPECT_NE(text.find("linear(x, "), std::string::npos) << text;
  EXPECT_EQ(text.find("matmul"), std::string::npos) << text;
  EXPECT_NE(text.find("gelu("), std::string::npos) << text;
  // A rewriter that returns the matched value changes nothing.
  EXPECT_EQ(RewriteCall(p, [](const Expr& e, const PatternMatch&) { return e; }, f).get(), f.get());
}

}  // namespace
}  // namespace kiln::relax
