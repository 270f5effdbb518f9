// The struct-info algebra: IsBaseOf, StructInfoLCA and the maps over the tir
// expressions inside struct info.
#include "kiln/relax/struct_info_analysis.h"

#include "common/test_util.h"
#include "relax/test_ops.h"

namespace kiln::relax {
namespace {

using testing::F32;
const DataType kF32 = DataType::Float(32);

TEST(StructInfoAnalysis, TensorBases) {
  tir::Var n("n"), m("m");
  StructInfo n4 = F32({n, 4});
  EXPECT_TRUE(IsBaseOf(TensorSInfoOfRank(-1, kF32), n4));
  EXPECT_TRUE(IsBaseOf(TensorSInfoOfRank(2, kF32), n4));
  EXPECT_TRUE(IsBaseOf(TensorSInfoOfRank(2, DataType()), n4));
  EXPECT_TRUE(IsBaseOf(F32({n, 4}), n4));  // same dims, other objects
  EXPECT_TRUE(IsBaseOf(ObjectSInfo(), n4));
  EXPECT_FALSE(IsBaseOf(n4, TensorSInfoOfRank(2, kF32)));
  EXPECT_FALSE(IsBaseOf(F32({m, 4}), n4));
  EXPECT_FALSE(IsBaseOf(TensorSInfoOfRank(3, kF32), n4));
  EXPECT_FALSE(IsBaseOf(TensorSInfoOfRank(-1, DataType::Int(32)), n4));
  EXPECT_FALSE(IsBaseOf(n4, ObjectSInfo()));
  EXPECT_FALSE(IsBaseOf(ShapeSInfoOfRank(2), n4));
}

TEST(StructInfoAnalysis, OtherBases) {
  tir::Var n("n");
  EXPECT_TRUE(IsBaseOf(PrimSInfo(DataType::Int(64)), PrimSInfo(DataType::Int(64), n)));
  EXPECT_FALSE(IsBaseOf(PrimSInfo(DataType::Int(64), n), PrimSInfo(DataType::Int(64))));
  EXPECT_TRUE(IsBaseOf(ShapeSInfoOfRank(2), ShapeSInfo({n, 3})));
  EXPECT_FALSE(IsBaseOf(ShapeSInfo({n, 3}), ShapeSInfo({n, 4})));
  EXPECT_TRUE(IsBaseOf(TupleSInfo({ObjectSInfo(), F32({})}), TupleSInfo({F32({2}), F32({})})));
  EXPECT_FALSE(IsBaseOf(TupleSInfo({ObjectSInfo()}), TupleSInfo({F32({2}), F32({})})));
  // Functions: parameters are contravariant, results covariant, purity kept.
  StructInfo general = FuncSInfo({F32({4})}, TensorSInfoOfRank(-1, kF32));
  StructInfo specific = FuncSInfo({TensorSInfoOfRank(1, kF32)}, F32({4}));
  EXPECT_TRUE(IsBaseOf(general, specific));
  EXPECT_FALSE(IsBaseOf(specific, general));
  EXPECT_TRUE(IsBaseOf(OpaqueFuncSInfo(ObjectSInfo()), specific));
  EXPECT_FALSE(IsBaseOf(OpaqueFuncSInfo(ObjectSInfo(), true), FuncSInfo({}, F32({}), false)));
}

TEST(StructInfoAnalysis, LeastCommonAncestor) {
  tir::Var n("n");
  auto tensor = [](const StructInfo& s) { return s.As<TensorStructInfoNode>(); };
  StructInfo a = F32({n, 4}), b = F32({8, 4});
  auto ab = tensor(StructInfoLCA(a, b));
  ASSERT_TRUE(ab);
  EXPECT_EQ(ab->ndim, 2);
  EXPECT_FALSE(ab->shape);
  EXPECT_EQ(ab->dtype, kF32);
  EXPECT_EQ(StructInfoLCA(a, TensorSInfoOfRank(2, kF32))->type_key(), "relax.TensorStructInfo");
  EXPECT_TRUE(StructInfoEqual(StructInfoLCA(a, TensorSInfoOfRank(2, kF32)), TensorSInfoOfRank(2, kF32)));
  auto mixed = tensor(StructInfoLCA(a, TensorSInfo({8}, DataType::Int(8))));
  EXPECT_EQ(mixed->ndim, -1);
  EXPECT_TRUE(mixed->dtype.is_void());
  EXPECT_TRUE(StructInfoLCA(a, ShapeSInfoOfRank(2)).As<ObjectStructInfoNode>());
  StructInfo tuples = StructInfoLCA(TupleSInfo({a, a}), TupleSInfo({a, b}));
  EXPECT_TRUE(StructInfoEqual(tuples, TupleSInfo({a, TensorSInfoOfRank(2, kF32)})));
  EXPECT_TRUE(StructInfoLCA(a, a).get() == a.get());
}

TEST(StructInfoAnalysis, MapExprs) {
  tir::Var n("n");
  StructInfo s = TupleSInfo({F32({n, 4}), ShapeSInfo({n}), PrimSInfo(DataType::Int(64), n)});
  auto to8 = [&](const tir::PrimExpr& e) { return e.get() == n.get() ? tir::PrimExpr(8) : e; };
  EXPECT_TRUE(StructInfoEqual(MapStructInfoExprs(s, to8),
                              TupleSInfo({F32({8, 4}), ShapeSInfo({8}), PrimSInfo(DataType::Int(64), 8)})));
  auto same = [](const tir::PrimExpr& e) { return e; };
  EXPECT_EQ(MapStructInfoExprs(s, same).get(), s.get());
  int seen = 0;
  VisitStructInfoExprs(s, [&](const tir::PrimExpr& e) { seen += e.get() == n.get(); });
  EXPECT_EQ(seen, 3);
}

}  // namespace
}  // namespace kiln::relax
