// IRModule: lookups, value semantics of updates, and errors.
#include "kiln/ir/module.h"

#include "common/test_util.h"
#include "kiln/tir/function.h"

namespace kiln::ir {
namespace {

BaseFunc Fn() {
  tir::Buffer a = tir::DeclBuffer("A", {4});
  return tir::MakePrimFunc({a}, tir::BufferStore(a, tir::PrimExpr(0.0), {0}));
}

TEST(IRModule, AddLookupUpdateRemove) {
  GlobalVar f = MakeGlobalVar("f"), g = MakeGlobalVar("g");
  BaseFunc ff = Fn(), gg = Fn();
  IRModule m({{f, ff}});
  IRModule m2 = m.Add(g, gg);
  EXPECT_FALSE(m.Contains("g"));  // values: the first module is unchanged
  EXPECT_EQ(m2.Lookup("g").get(), gg.get());
  EXPECT_EQ(m2.functions()[0].second.get(), ff.get());
  IRModule m3 = m2.Update(f, gg);
  EXPECT_EQ(m3.Lookup(f).get(), gg.get());
  EXPECT_EQ(m3.functions().size(), 2u);
  EXPECT_FALSE(m3.Remove(g).Contains("g"));
  EXPECT_KILN_ERROR(m2.Add(MakeGlobalVar("f"), ff), "already has a function 'f'");
  EXPECT_KILN_ERROR(m2["h"], "the module has no function 'h' (it has: f, g)");
}

TEST(Attrs, GetWithAndErrors) {
  Attrs a{{"axis", Any(int64_t{1})}, {"name", Any("x")}};
  EXPECT_EQ(a.Get<int64_t>("axis", 0), 1);
  EXPECT_EQ(a.Get<int64_t>("missing", 7), 7);
  Attrs b = a.With("axis", Any(int64_t{2}));
  EXPECT_EQ(a.Get<int64_t>("axis", 0), 1);
  EXPECT_EQ(b.Get<int64_t>("axis", 0), 2);
  EXPECT_KILN_ERROR(a.Get<int64_t>("name", 0), "attribute 'name': expected int, got str");
  EXPECT_EQ(b.Without("name").size(), 1u);
}

}  // namespace
}  // namespace kiln::ir
