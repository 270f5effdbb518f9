// DeclBuffer, a view of storage that exists already: construction and its
// checks, the text format, structural equality modulo names, flattening at
// the view's offset and strides, substitution into a view's offset, the
// well-formedness check, and a compiled kernel that writes through a view.
#include <cstring>

#include "common/test_util.h"
#include "kiln/codegen/build.h"
#include "kiln/relax/printer.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/relax/well_formed.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/text/parser.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir {
namespace {

ir::IRModule ModuleOf(const PrimFunc& f, const std::string& name = "f") {
  return ir::IRModule({{ir::MakeGlobalVar(name), ir::BaseFunc(f)}});
}

// f(out: float32[16]): V is the 2x3 view of out's storage at element 5 with
// row stride 4, and V[i, j] = 10 i + j.
struct ViewKernel {
  Buffer out, view;
  PrimFunc func;
};

ViewKernel MakeViewKernel(int64_t offset = 5) {
  Buffer out = DeclBuffer("out", {16});
  Buffer view = BufferView(out->data, "V", {2, 3}, DataType::Float(32), {4, 1}, offset);
  Var i("i"), j("j");
  Stmt store = BufferStore(view, Cast(DataType::Float(32), i * 10 + j), {i, j});
  Stmt loops = For(i, 0, 2, ForKind::kSerial, For(j, 0, 3, ForKind::kSerial, store));
  return {out, view, MakePrimFunc({out}, DeclBuffer(view, loops))};
}

TEST(DeclBuffer, ConstructionKeepsTheViewAndItsStorage) {
  ViewKernel k = MakeViewKernel();
  const DeclBufferNode* decl = k.func->body.as<DeclBufferNode>();
  ASSERT_NE(decl, nullptr);
  EXPECT_EQ(decl->buffer.get(), k.view.get());
  EXPECT_EQ(decl->buffer->data.get(), k.out->data.get());
  EXPECT_EQ(*AsConstInt(decl->buffer->elem_offset), 5);
  EXPECT_EQ(decl->buffer->align, 4);  // a view promises element alignment only
  EXPECT_NE(decl->body.as<ForNode>(), nullptr);
}

TEST(DeclBuffer, FactoriesCheckTheirInputs) {
  Buffer a = DeclBuffer("A", {4});
  EXPECT_KILN_ERROR(DeclBuffer(Buffer(), Evaluate(0)), "decl_buffer: an operand is undefined");
  EXPECT_KILN_ERROR(DeclBuffer(a, Stmt()), "decl_buffer: an operand is undefined");
  EXPECT_KILN_ERROR(BufferView(Var("n"), "V", {2}), "view 'V': the data must be a handle variable");
  EXPECT_KILN_ERROR(BufferView(a->data, "V", {2, 2}, DataType::Float(32), {1}), "1 strides for 2 dimensions");
}

TEST(DeclBuffer, PrintsAndParsesBack) {
  ViewKernel k = MakeViewKernel();
  ir::IRModule m = ModuleOf(k.func);
  std::string text = relax::ToText(m);
  EXPECT_NE(text.find("decl_buffer V: Buffer((2, 3), float32, strides=(4, 1), offset=5, data=out.data)"),
            std::string::npos)
      << text;
  ir::IRModule parsed = Parse(text);
  std::optional<std::string> mismatch = relax::FindMismatch(m, parsed);
  EXPECT_FALSE(mismatch) << *mismatch << "\nin:\n" << text;
  EXPECT_EQ(relax::ToText(parsed), text);
}

TEST(DeclBuffer, NestedViewsPrintInBracesAndParseBack) {
  // A view that does not end its block takes braces; a view of a view names
  // the data it shares.
  Buffer a = DeclBuffer("A", {8});
  Buffer v = BufferView(a->data, "V", {4}, DataType::Float(32), {}, 4);
  Buffer w = BufferView(v->data, "W", {2, 2});
  Stmt inner = DeclBuffer(w, BufferStore(w, BufferLoad(v, {1}), {1, 1}));
  Stmt body = Seq({DeclBuffer(v, inner), BufferStore(a, 0.0, {0})});
  ir::IRModule m = ModuleOf(MakePrimFunc({a}, body));
  std::string text = relax::ToText(m);
  EXPECT_NE(text.find("decl_buffer V: Buffer((4,), float32, offset=4, data=A.data) {"), std::string::npos) << text;
  ir::IRModule parsed = Parse(text);
  std::optional<std::string> mismatch = relax::FindMismatch(m, parsed);
  EXPECT_FALSE(mismatch) << *mismatch << "\nin:\n" << text;
}

TEST(DeclBuffer, TheParserWantsTheStorage) {
  EXPECT_KILN_ERROR(Parse(R"(module {
  prim @f(A: Buffer((4,), float32)) {
    decl_buffer V: Buffer((2,), float32)
    V[0] = 1.0
  }
})"),
                    "<text>:3:17: decl_buffer 'V' needs data= (the storage it views, e.g. A.data)");
}

TEST(DeclBuffer, StructuralEqualityIsModuloNames) {
  ViewKernel a = MakeViewKernel(), b = MakeViewKernel();
  EXPECT_TRUE(StructuralEqual(a.func, b.func));
  EXPECT_EQ(StructuralHash(a.func), StructuralHash(b.func));
  std::optional<std::string> offset = FindMismatch(a.func, MakeViewKernel(6).func);
  ASSERT_TRUE(offset);
  EXPECT_NE(offset->find("body / buffer / elem_offset"), std::string::npos) << *offset;
  EXPECT_NE(StructuralHash(a.func), StructuralHash(MakeViewKernel(6).func));

  // The view is a definition (its uses map to it); its data is a use: a view
  // of another parameter differs.
  Buffer x = DeclBuffer("X", {16}), y = DeclBuffer("Y", {16});
  auto view_of = [&](const Buffer& base) {
    Buffer v = BufferView(base->data, "V", {4});
    return MakePrimFunc({x, y}, DeclBuffer(v, BufferStore(v, 1.0, {0})));
  };
  EXPECT_TRUE(StructuralEqual(view_of(x), view_of(x)));
  std::optional<std::string> data = FindMismatch(view_of(x), view_of(y));
  ASSERT_TRUE(data);
  EXPECT_NE(data->find("body / buffer / data"), std::string::npos) << *data;
}

TEST(DeclBuffer, MutatorsCopyOnWrite) {
  class Identity : public StmtMutator {};
  ViewKernel k = MakeViewKernel();
  EXPECT_EQ(Identity().VisitStmt(k.func->body).get(), k.func->body.get());
  int stores = 0;
  class Count : public StmtVisitor {
   public:
    explicit Count(int* n) : n_(n) {}
    void VisitStmt_(const BufferStoreNode* op) override {
      ++*n_;
      StmtVisitor::VisitStmt_(op);
    }
    int* n_;
  } count(&stores);
  count.VisitStmt(k.func->body);
  EXPECT_EQ(stores, 1);
}

TEST(DeclBuffer, FlattenIndexesTheStorageAtTheViewsOffset) {
  ViewKernel k = MakeViewKernel();
  PrimFunc flat = FlattenBuffers(k.func);
  const DeclBufferNode* decl = flat->body.as<DeclBufferNode>();
  ASSERT_NE(decl, nullptr);
  const Buffer& v = decl->buffer;
  EXPECT_EQ(v->data.get(), k.out->data.get());
  ASSERT_EQ(v->shape.size(), 1u);
  EXPECT_EQ(*AsConstInt(v->shape[0]), 8);  // rows * row stride
  EXPECT_EQ(*AsConstInt(v->elem_offset), 0);
  const ForNode* i = decl->body.as<ForNode>();
  const ForNode* j = i->body.as<ForNode>();
  const BufferStoreNode* store = j->body.as<BufferStoreNode>();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->buffer.get(), v.get());
  ASSERT_EQ(store->indices.size(), 1u);
  PrimExpr want = PrimExpr(5) + i->loop_var * 4 + j->loop_var;  // elem_offset + i * 4 + j * 1
  std::optional<std::string> mismatch = FindMismatch(store->indices[0], want);
  EXPECT_FALSE(mismatch) << *mismatch << ": " << ToText(store->indices[0]);
}

TEST(DeclBuffer, LowerBlocksSubstitutesIntoTheViewsOffset) {
  // for r: block { vr = spatial(4, r); decl_buffer Row: (4,) at vr * 4 of A; Row[0] = 1 }
  Buffer a = DeclBuffer("A", {4, 4});
  Var r("r"), vr("vr");
  Buffer row = BufferView(a->data, "Row", {4}, DataType::Float(32), {}, vr * 4);
  BlockSpec spec;
  spec.name = "row";
  spec.iter_vars = {{vr, {0, 4}, IterKind::kSpatial, r}};
  spec.body = DeclBuffer(row, BufferStore(row, 1.0, {0}));
  PrimFunc lowered = LowerBlocks(MakePrimFunc({a}, For(r, 0, 4, ForKind::kSerial, Block(spec))));
  const DeclBufferNode* decl = lowered->body.as<ForNode>()->body.as<DeclBufferNode>();
  ASSERT_NE(decl, nullptr);
  EXPECT_TRUE(StructuralEqual(decl->buffer->elem_offset, r * 4)) << ToText(decl->buffer->elem_offset);
  const BufferStoreNode* store = decl->body.as<BufferStoreNode>();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->buffer.get(), decl->buffer.get());  // the uses follow the rewritten view
  EXPECT_TRUE(relax::CheckWellFormed(ModuleOf(lowered)).empty());
}

TEST(DeclBuffer, WellFormedNeedsTheStorageDefined) {
  ViewKernel k = MakeViewKernel();
  EXPECT_TRUE(relax::CheckWellFormed(ModuleOf(k.func)).empty());
  Buffer orphan = DeclBuffer("orphan", {4});  // its data variable is defined nowhere
  Buffer view = BufferView(orphan->data, "V", {2});
  PrimFunc f = MakePrimFunc({k.out}, DeclBuffer(view, BufferStore(view, 1.0, {0})));
  std::vector<relax::WellFormedProblem> problems = relax::CheckWellFormed(ModuleOf(f));
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].message, "tir variable 'orphan_data' is not defined");
}

TEST(DeclBuffer, CompiledKernelWritesThroughTheView) {
  ViewKernel k = MakeViewKernel();
  runtime::Module m = codegen::Build(ModuleOf(k.func, "write_view"), "llvm");
  runtime::NDArray out = runtime::NDArray::Empty({16}, DataType::Float(32), runtime::Device::CPU());
  std::memset(out.data(), 0, 16 * sizeof(float));
  m["write_view"](out);
  const float* got = static_cast<const float*>(out.data());
  std::vector<float> want(16, 0.0f);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) want[5 + 4 * i + j] = static_cast<float>(10 * i + j);
  }
  for (int e = 0; e < 16; ++e) EXPECT_EQ(got[e], want[e]) << "element " << e;
}

}  // namespace
}  // namespace kiln::tir
