// The x86 tensor intrinsics (AVX-512 flavoured) that RegisterX86Intrinsics
// registers for Schedule::Tensorize: vector code that LLVM turns into zmm
// instructions when the target has avx512f.
#include <mutex>

#include "analysis.h"
#include "kiln/tir/schedule/tensor_intrin.h"

namespace kiln::tir {
namespace {

constexpr int kLanes = 16;

PrimExpr Zero() {
  return IntImm(DataType::Int(64), 0);
}

// A block with iteration variables `iters`, its regions inferred.
Stmt MakeBlock(const std::string& name, std::vector<IterVar> iters, Stmt body) {
  BlockSpec spec{name, std::move(iters), {}, {}, Stmt(), std::move(body), {}, PrimExpr(), {}, {}};
  schedule::AccessRegions regions = schedule::InferAccessRegions(spec);
  spec.reads = regions.reads;
  spec.writes = regions.writes;
  return Block(std::move(spec));
}

// C[j] += A[0] * B[j], j in [0, 16): the update of one row of a GEMM tile
// for one k (a reduce variable of extent 1).
PrimFunc FmaF32x16Desc() {
  DataType f32 = DataType::Float(32);
  Buffer a = DeclBuffer("A", {1}, f32), b = DeclBuffer("B", {kLanes}, f32), c = DeclBuffer("C", {kLanes}, f32);
  Var j("j"), vj("vj"), vk("vk");
  PrimExpr update = BufferLoad(c, {vj}) + BufferLoad(a, {vk}) * BufferLoad(b, {vj});
  Stmt block = MakeBlock("update",
                         {IterVar{vj, Range{Zero(), kLanes}, IterKind::kSpatial, j},
                          IterVar{vk, Range{Zero(), 1}, IterKind::kReduce, Zero()}},
                         BufferStore(c, update, {vj}));
  return MakePrimFunc({a, b, c}, For(j, Zero(), kLanes, ForKind::kSerial, block));
}

// C[0:16] = C[0:16] + broadcast(A[0]) * B[0:16], one 16-lane multiply-add.
PrimFunc FmaF32x16Impl() {
  DataType f32 = DataType::Float(32);
  Buffer a = DeclBuffer("A", {1}, f32), b = DeclBuffer("B", {kLanes}, f32), c = DeclBuffer("C", {kLanes}, f32);
  PrimExpr lanes = Ramp(Zero(), IntImm(DataType::Int(64), 1), kLanes);
  PrimExpr update = BufferLoad(c, {lanes}) + Broadcast(BufferLoad(a, {Zero()}), kLanes) * BufferLoad(b, {lanes});
  return MakePrimFunc({a, b, c}, BufferStore(c, update, {lanes}));
}

// C[0] += sum over k in [0, 16) of A[k] * B[k].
PrimFunc DotF32x16Desc() {
  DataType f32 = DataType::Float(32);
  Buffer a = DeclBuffer("A", {kLanes}, f32), b = DeclBuffer("B", {kLanes}, f32), c = DeclBuffer("C", {1}, f32);
  Var k("k"), vk("vk");
  PrimExpr update = BufferLoad(c, {Zero()}) + BufferLoad(a, {vk}) * BufferLoad(b, {vk});
  Stmt block =
      MakeBlock("update", {IterVar{vk, Range{Zero(), kLanes}, IterKind::kReduce, k}}, BufferStore(c, update, {Zero()}));
  return MakePrimFunc({a, b, c}, For(k, Zero(), kLanes, ForKind::kSerial, block));
}

// T[k] = A[k] * B[k] as one 16-lane product, halved three times (T[0:8] +=
// T[8:16], ...), then C[0] += T[0] + T[1]: a tree sum (it rounds differently
// from the description's sequential sum).
PrimFunc DotF32x16Impl() {
  DataType f32 = DataType::Float(32);
  Buffer a = DeclBuffer("A", {kLanes}, f32), b = DeclBuffer("B", {kLanes}, f32), c = DeclBuffer("C", {1}, f32);
  Buffer t = DeclBuffer("T", {kLanes}, f32, "local");
  auto vec = [](const Buffer& buf, int64_t start, int lanes) {
    return BufferLoad(buf, {Ramp(IntImm(DataType::Int(64), start), IntImm(DataType::Int(64), 1), lanes)});
  };
  auto store = [](const Buffer& buf, int lanes, PrimExpr value) {
    return BufferStore(buf, std::move(value), {Ramp(Zero(), IntImm(DataType::Int(64), 1), lanes)});
  };
  std::vector<Stmt> steps = {store(t, kLanes, vec(a, 0, kLanes) * vec(b, 0, kLanes))};
  for (int half = kLanes / 2; half >= 2; half /= 2) {
    steps.push_back(store(t, half, vec(t, 0, half) + vec(t, half, half)));
  }
  PrimExpr sum = BufferLoad(t, {Zero()}) + BufferLoad(t, {IntImm(DataType::Int(64), 1)});
  steps.push_back(BufferStore(c, BufferLoad(c, {Zero()}) + sum, {Zero()}));
  return MakePrimFunc({a, b, c}, Allocate(t, Seq(steps)));
}

}  // namespace

void RegisterX86Intrinsics() {
  static std::once_flag once;
  std::call_once(once, [] {
    TensorIntrin::Register("x86.fma_f32x16", FmaF32x16Desc(), FmaF32x16Impl(), true);
    TensorIntrin::Register("x86.dot_f32x16", DotF32x16Desc(), DotF32x16Impl(), true);
  });
}

}  // namespace kiln::tir
