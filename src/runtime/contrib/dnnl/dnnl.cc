// oneDNN kernels for DispatchToLibrary ("onednn"), float32. Each comes
// with an activation epilogue in its name, applied as a oneDNN post-op
// (<name>, <name>_relu, <name>_gelu, <name>_gelu_tanh):
//   kiln.contrib.dnnl.matmul(a, b, [bias], out)   out = act(a @ b [+ bias])    a (..., M, K), b (K, N)
//   kiln.contrib.dnnl.linear(x, w, [bias], out)   out = act(x @ w.T [+ bias])  x (..., K), w (N, K)
//   kiln.contrib.dnnl.conv2d(data, weight, [bias], params, out)
//       NCHW / OIHW, groups 1; params: int64 (stride h, w, pad top, left, bottom, right, dilation h, w).
// Primitives are cached by shapes and epilogue. Convolutions run in the
// layouts oneDNN picks, with reorders of data, weight and result around
// them. oneDNN uses as many OpenMP threads as Kiln's pool has; set
// OMP_WAIT_POLICY=passive next to Kiln's pool (spinning OpenMP threads and
// pool workers fight for the cores).
#include <omp.h>

#include <dnnl.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "../contrib_util.h"
#include "kiln/runtime/function.h"
#include "kiln/runtime/thread_pool.h"

namespace kiln::runtime::contrib {
namespace {

using dnnl::memory;
using Dims = memory::dims;

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}
dnnl::stream& Stream() {
  static thread_local dnnl::stream stream(Engine());
  return stream;
}
void MatchThreads() {
  int n = ThreadPool::Global().num_threads();
  if (omp_get_max_threads() != n) omp_set_num_threads(n);
}

dnnl::primitive_attr Epilogue(const std::string& fname, const std::string& epilogue) {
  dnnl::primitive_attr attr;
  if (epilogue.empty()) return attr;
  dnnl::algorithm alg;
  if (epilogue == "_relu") {
    alg = dnnl::algorithm::eltwise_relu;
  } else if (epilogue == "_gelu") {
    alg = dnnl::algorithm::eltwise_gelu_erf;
  } else if (epilogue == "_gelu_tanh") {
    alg = dnnl::algorithm::eltwise_gelu_tanh;
  } else {
    KILN_THROW() << fname << ": unknown epilogue \"" << epilogue << "\" (known: relu, gelu, gelu_tanh)";
  }
  dnnl::post_ops ops;
  ops.append_eltwise(1.0f, alg, 0.0f, 0.0f);
  attr.set_post_ops(ops);
  return attr;
}

std::string Key(const std::string& fname, const std::vector<int64_t>& dims, const std::string& epilogue) {
  std::string key = fname + ":" + epilogue;
  for (int64_t d : dims) key += "," + std::to_string(d);
  return key;
}

// A cache of built primitives by key, shared by all threads.
template <typename T>
std::shared_ptr<T> Cached(const std::string& key, const std::function<std::shared_ptr<T>()>& make) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<T>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  return cache[key] = make();
}

memory Wrap(const memory::desc& md, const NDArray& a) { return memory(md, Engine(), a.data()); }

// out (M, N) = act(x (M, K) @ (transpose_w ? w.T : w) + bias).
void Gemm(const std::string& fname, const std::string& epilogue, const Any* args, int num_args, bool transpose_w) {
  GemmArgs g = CheckGemmArgs(fname, args, num_args, transpose_w);
  int64_t m = g.m, n = g.n, k = g.k;
  bool has_bias = g.bias.has_value();
  if (m == 0 || n == 0) return;
  memory::desc x_md({m, k}, memory::data_type::f32, Dims{k, 1});
  memory::desc w_md({k, n}, memory::data_type::f32, transpose_w ? Dims{1, k} : Dims{n, 1});
  memory::desc b_md({1, n}, memory::data_type::f32, Dims{n, 1});
  memory::desc y_md({m, n}, memory::data_type::f32, Dims{n, 1});
  auto prim = Cached<dnnl::matmul>(Key(fname, {m, k, n, has_bias}, epilogue), [&] {
    dnnl::matmul::desc desc = has_bias ? dnnl::matmul::desc(x_md, w_md, b_md, y_md) : dnnl::matmul::desc(x_md, w_md, y_md);
    return std::make_shared<dnnl::matmul>(dnnl::matmul::primitive_desc(desc, Epilogue(fname, epilogue), Engine()));
  });
  std::unordered_map<int, memory> margs = {
      {DNNL_ARG_SRC, Wrap(x_md, g.x)}, {DNNL_ARG_WEIGHTS, Wrap(w_md, g.w)}, {DNNL_ARG_DST, Wrap(y_md, g.out)}};
  if (has_bias) margs[DNNL_ARG_BIAS] = Wrap(b_md, *g.bias);
  MatchThreads();
  prim->execute(Stream(), margs);
  Stream().wait();
}

// A convolution primitive in the layouts oneDNN prefers, with the plain
// (NCHW / OIHW) descriptions to reorder from and to.
struct Conv {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  memory::desc data_md, weight_md, bias_md, out_md;
};

void Conv2d(const std::string& fname, const std::string& epilogue, const Any* args, int num_args) {
  KILN_CHECK(num_args == 4 || num_args == 5)
      << fname << ": expects (data, weight, [bias], params, out), got " << num_args << " arguments";
  bool has_bias = num_args == 5;
  NDArray data = F32Arg(fname, args, 0, 4), weight = F32Arg(fname, args, 1, 4), out = F32Arg(fname, args, num_args - 1, 4);
  NDArray params = args[num_args - 2].Cast<NDArray>();
  KILN_CHECK(params.dtype() == DataType::Int(64) && params.numel() == 8 && params.IsContiguous())
      << fname << ": params must be 8 int64 values (strides, paddings, dilations), got " << params.dtype().str() << " "
      << ShapeString(params.shape());
  const int64_t* pp = static_cast<const int64_t*>(params.data());
  std::vector<int64_t> p(pp, pp + 8);
  KILN_CHECK(data.ndim() == 4 && weight.ndim() == 4 && out.ndim() == 4 && weight.shape()[1] == data.shape()[1])
      << fname << ": shapes " << ShapeString(data.shape()) << ", " << ShapeString(weight.shape()) << " -> "
      << ShapeString(out.shape()) << " are not an NCHW / OIHW convolution with groups 1";
  const Dims& ds = data.shape();
  const Dims& ws = weight.shape();
  const Dims& os = out.shape();
  std::vector<int64_t> key = ds;
  key.insert(key.end(), ws.begin(), ws.end());
  key.insert(key.end(), p.begin(), p.end());
  key.push_back(has_bias);
  auto conv = Cached<Conv>(Key(fname, key, epilogue), [&] {
    auto md = [](const Dims& dims, memory::format_tag tag) { return memory::desc(dims, memory::data_type::f32, tag); };
    memory::desc bias_md = md({ws[0]}, memory::format_tag::x);
    memory::desc any_data = md(ds, memory::format_tag::any), any_weight = md(ws, memory::format_tag::any);
    memory::desc any_out = md(os, memory::format_tag::any);
    Dims strides = {p[0], p[1]}, pad_l = {p[2], p[3]}, pad_r = {p[4], p[5]}, dil = {p[6] - 1, p[7] - 1};
    auto desc = has_bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                           dnnl::algorithm::convolution_direct, any_data, any_weight,
                                                           bias_md, any_out, strides, dil, pad_l, pad_r)
                         : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                           dnnl::algorithm::convolution_direct, any_data, any_weight,
                                                           any_out, strides, dil, pad_l, pad_r);
    dnnl::convolution_forward::primitive_desc pd(desc, Epilogue(fname, epilogue), Engine());
    return std::make_shared<Conv>(Conv{pd, dnnl::convolution_forward(pd), md(ds, memory::format_tag::nchw),
                                       md(ws, memory::format_tag::oihw), bias_md, md(os, memory::format_tag::nchw)});
  });
  MatchThreads();
  dnnl::stream& s = Stream();
  // The plain array itself when oneDNN takes its layout, else a reordered copy.
  auto in = [&](const memory::desc& plain, const memory::desc& wanted, const NDArray& a) {
    memory m = Wrap(plain, a);
    if (plain == wanted) return m;
    memory r(wanted, Engine());
    dnnl::reorder(m, r).execute(s, m, r);
    return r;
  };
  memory y_plain = Wrap(conv->out_md, out);
  memory y = conv->pd.dst_desc() == conv->out_md ? y_plain : memory(conv->pd.dst_desc(), Engine());
  std::unordered_map<int, memory> margs = {{DNNL_ARG_SRC, in(conv->data_md, conv->pd.src_desc(), data)},
                                           {DNNL_ARG_WEIGHTS, in(conv->weight_md, conv->pd.weights_desc(), weight)},
                                           {DNNL_ARG_DST, y}};
  if (has_bias) {
    NDArray bias = F32Arg(fname, args, 2, 1);
    KILN_CHECK(bias.numel() == ws[0]) << fname << ": the bias must have " << ws[0] << " values, got "
                                      << ShapeString(bias.shape());
    margs[DNNL_ARG_BIAS] = Wrap(conv->bias_md, bias);
  }
  conv->prim.execute(s, margs);
  if (y.get() != y_plain.get()) dnnl::reorder(y, y_plain).execute(s, y, y_plain);
  s.wait();
}

using Body = std::function<void(const std::string& name, const std::string& epilogue, const Any*, int)>;

// Registers `name` and its variants with an activation epilogue.
void Register(const std::string& name, const Body& body) {
  for (std::string epilogue : {"", "_relu", "_gelu", "_gelu_tanh"}) {
    std::string full = name + epilogue;
    Registry::Register(full, Function(full, [full, epilogue, body](const Any* args, int n, Any*) {
                         try {
                           body(full, epilogue, args, n);
                         } catch (const dnnl::error& e) {
                           KILN_THROW() << full << ": oneDNN failed: " << e.what();
                         }
                       }));
  }
}

[[maybe_unused]] const bool kRegistered = [] {
  using S = const std::string&;
  Register("kiln.contrib.dnnl.matmul", [](S f, S e, const Any* a, int n) { Gemm(f, e, a, n, false); });
  Register("kiln.contrib.dnnl.linear", [](S f, S e, const Any* a, int n) { Gemm(f, e, a, n, true); });
  Register("kiln.contrib.dnnl.conv2d", [](S f, S e, const Any* a, int n) { Conv2d(f, e, a, n); });
  return true;
}();

}  // namespace
}  // namespace kiln::runtime::contrib
