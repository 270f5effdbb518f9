// DispatchToLibrary: the library patterns with their checks (what each
// runtime function in src/runtime/contrib/ accepts), FuseOpsByPattern, and
// the lowering of the resulting "Codegen" calls to call_dps_packed.
#include "kiln/transform/dispatch_to_library.h"

#include <map>
#include <set>

#include "kiln/relax/functor.h"
#include "kiln/relax/op/tir_call.h"
#include "kiln/runtime/function.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::transform {
namespace {

using relax::Expr;
using relax::IsOp;
using relax::Pattern;
using relax::PatternMatch;
using relax::Wildcard;

// One library kernel: the pattern, what the library accepts, and the
// runtime function with the arguments beyond the composite's inputs.
struct LibraryKernel {
  FusionPattern pattern;
  std::string function;  // "kiln.contrib.dnnl.linear"
  bool conv = false;     // passes strides, padding and dilation
};

const relax::TensorStructInfoNode* Tensor(const Expr& e) {
  return e ? e.struct_info().As<relax::TensorStructInfoNode>().get() : nullptr;
}
bool IsF32(const Expr& e, int ndim = -1) {
  const auto* t = Tensor(e);
  return t && t->dtype == runtime::DataType::Float(32) && t->shape && (ndim < 0 || t->ndim == ndim);
}
bool OutDtypeF32(const relax::CallNode* call) {
  std::string out = call->attrs.Get<std::string>("out_dtype", "");
  return out.empty() || out == "float32";
}
bool SameDim(const tir::PrimExpr& a, const tir::PrimExpr& b) { return tir::StructuralEqual(a, b); }
bool IsOne(const tir::PrimExpr& d) {
  const int64_t* v = tir::AsConstInt(d);
  return v && *v == 1;
}

// A bias of `channels` values along `axis` of a rank-`ndim` result: its
// dims are 1 except the one at `axis` (counted from the end when the bias
// has fewer dims).
bool IsChannelBias(const Expr& bias, const tir::PrimExpr& channels, int ndim, int axis) {
  if (!IsF32(bias)) return false;
  const std::vector<tir::PrimExpr>& s = *Tensor(bias)->shape;
  int rank = static_cast<int>(s.size());
  if (rank == 0 || rank > ndim) return false;
  int at = axis - (ndim - rank);  // the bias's axis matching the result's `axis`
  if (at < 0) return false;
  for (int i = 0; i < rank; ++i) {
    if (i == at ? !SameDim(s[i], channels) : !IsOne(s[i])) return false;
  }
  return true;
}

Pattern WithActivation(const Pattern& p) {
  return relax::Optional(p, [](const Pattern& x) { return IsOp("relax.relu", {x}) | IsOp("relax.gelu", {x}); });
}

LibraryKernel MatmulKernel(const std::string& library, bool activations) {
  Pattern a = Wildcard(), b = Wildcard(), bias = Wildcard();
  Pattern mm = IsOp("relax.matmul", {a, b});
  Pattern p = relax::Optional(mm, [&](const Pattern& x) { return IsOp("relax.add", {x, bias}); });
  if (activations) p = WithActivation(p);
  auto check = [a, b, bias, mm](const PatternMatch& m) {
    Expr x = m.Get(a), w = m.Get(b);
    if (!IsF32(x) || !IsF32(w, 2) || Tensor(x)->ndim < 2 || !OutDtypeF32(m.Get(mm).as<relax::CallNode>())) return false;
    int ndim = Tensor(x)->ndim;
    return !m.Get(bias) || IsChannelBias(m.Get(bias), (*Tensor(w)->shape)[1], ndim, ndim - 1);
  };
  return {{library + ".matmul", p, check}, "kiln.contrib." + library + ".matmul", false};
}

LibraryKernel LinearKernel(const std::string& library, bool activations) {
  Pattern x = Wildcard(), w = Wildcard(), bias = Wildcard();
  Pattern p = IsOp("relax.linear", {x, w}) | IsOp("relax.linear", {x, w, bias});
  if (activations) p = WithActivation(p);
  auto check = [x, w, bias](const PatternMatch& m) {
    if (!IsF32(m.Get(x)) || !IsF32(m.Get(w), 2) || Tensor(m.Get(x))->ndim < 2) return false;
    // The linear call is the one whose arguments are x and w.
    for (const auto& [node, e] : m.matched) {
      const auto* call = e.as<relax::CallNode>();
      const auto* op = call ? call->op.as<relax::OpNode>() : nullptr;
      if (op && op->name == "relax.linear" && !OutDtypeF32(call)) return false;
    }
    return !m.Get(bias) || IsChannelBias(m.Get(bias), (*Tensor(m.Get(w))->shape)[0], 1, 0);
  };
  return {{library + ".linear", p, check}, "kiln.contrib." + library + ".linear", false};
}

LibraryKernel Conv2dKernel(const std::string& library) {
  Pattern data = Wildcard(), weight = Wildcard(), bias = Wildcard();
  Pattern conv = relax::HasAttr(IsOp("relax.conv2d", {data, weight}),
                                {{"groups", int64_t{1}}, {"data_layout", "NCHW"}, {"kernel_layout", "OIHW"}});
  Pattern p = WithActivation(relax::Optional(conv, [&](const Pattern& x) { return IsOp("relax.add", {x, bias}); }));
  auto check = [data, weight, bias, conv](const PatternMatch& m) {
    const auto* call = m.Get(conv).as<relax::CallNode>();
    std::string out_layout = call->attrs.Get<std::string>("out_layout", "");
    if (!IsF32(m.Get(data), 4) || !IsF32(m.Get(weight), 4) || !OutDtypeF32(call)) return false;
    if (!out_layout.empty() && out_layout != "NCHW") return false;
    return !m.Get(bias) || IsChannelBias(m.Get(bias), (*Tensor(m.Get(weight))->shape)[0], 4, 1);
  };
  return {{library + ".conv2d", p, check}, "kiln.contrib." + library + ".conv2d", true};
}

// Library name -> its kernels; "dnnl" is also called "onednn".
const std::map<std::string, std::vector<LibraryKernel>>& Libraries() {
  static const auto* libraries = new std::map<std::string, std::vector<LibraryKernel>>{
      {"dnnl", {Conv2dKernel("dnnl"), LinearKernel("dnnl", true), MatmulKernel("dnnl", true)}},
      {"openblas", {LinearKernel("openblas", false), MatmulKernel("openblas", false)}},
  };
  return *libraries;
}

const std::vector<LibraryKernel>& KernelsOf(const std::string& library) {
  std::string name = library == "onednn" ? "dnnl" : library;
  auto it = Libraries().find(name);
  KILN_CHECK(it != Libraries().end()) << "DispatchToLibrary: unknown library '" << library
                                      << "' (known: onednn, dnnl, openblas)";
  return it->second;
}

// An int-list attribute of `call` (a list of ints), n values when it holds one.
std::vector<int64_t> IntList(const relax::CallNode* call, const std::string& key, size_t n) {
  std::vector<int64_t> v;
  if (std::optional<runtime::Any> a = call->attrs.Find(key)) {
    for (const runtime::Any& item : a->Cast<std::vector<runtime::Any>>()) v.push_back(item.Cast<int64_t>());
  }
  if (v.empty()) v.assign(n, key == "padding" ? 0 : 1);
  if (v.size() == 1) v.assign(n, v[0]);
  return v;
}

// The runtime function and the arguments after the composite's inputs. The
// epilogue is in the function's name ("kiln.contrib.dnnl.linear_relu"), a
// bias is told by the number of inputs; a convolution also takes an int64
// tensor of its strides, paddings (top, left, bottom, right) and dilations.
std::pair<std::string, std::vector<Expr>> LoweredCallee(const LibraryKernel& kernel, const relax::Function& composite) {
  std::vector<Expr> extra;
  std::string epilogue;
  relax::PostOrderVisit(composite->body, [&](const Expr& e) {
    const auto* call = e.as<relax::CallNode>();
    const auto* op = call ? call->op.as<relax::OpNode>() : nullptr;
    if (!op) return;
    if (op->name == "relax.relu") epilogue = "_relu";
    if (op->name == "relax.gelu") {
      epilogue = call->attrs.Get<std::string>("approximate", "none") == "tanh" ? "_gelu_tanh" : "_gelu";
    }
    if (op->name == "relax.conv2d" && kernel.conv) {
      std::vector<int64_t> strides = IntList(call, "strides", 2), dilation = IntList(call, "dilation", 2);
      std::vector<int64_t> pad = IntList(call, "padding", 2);
      if (pad.size() == 2) pad = {pad[0], pad[1], pad[0], pad[1]};
      std::vector<int64_t> params = {strides[0], strides[1], pad[0], pad[1], pad[2], pad[3], dilation[0], dilation[1]};
      runtime::NDArray a = runtime::NDArray::Empty({8}, runtime::DataType::Int(64), runtime::Device::CPU());
      a.CopyFromBytes(params.data(), params.size() * sizeof(int64_t));
      extra.push_back(relax::MakeConstant(a));
    }
  });
  return {kernel.function + epilogue, extra};
}

// Replaces calls of the "Codegen" functions FuseOpsByPattern made with
// call_dps_packed of the library functions.
class CodegenCallLowerer : public relax::ExprMutator {
 public:
  CodegenCallLowerer(const IRModule& mod, const std::map<std::string, const LibraryKernel*>& kernels)
      : ExprMutator(mod), mod_(mod), kernels_(kernels) {}

  IRModule Run() {
    for (const auto& [gv, func] : mod_.functions()) {
      auto f = func.As<relax::FunctionNode>();
      if (!f || f->attrs.Find("Codegen") || f->attrs.Find("Composite")) continue;
      Expr updated = VisitExpr(relax::Function(f));
      if (updated.get() != f.get()) builder_.UpdateFunction(gv, ir::BaseFunc(updated.As<relax::FunctionNode>()));
    }
    IRModule out = builder_.GetModule();
    for (const std::string& name : lowered_) {
      if (ir::BaseFunc f = out.Lookup(name)) out = out.Remove(out.GetGlobalVar(name));
    }
    return out;
  }

 protected:
  void VisitBinding(const relax::Binding& b) override {
    const auto* call = b.value.as<relax::CallNode>();
    const auto* gv = call ? call->op.as<ir::GlobalVarNode>() : nullptr;
    auto outer = gv ? mod_.Lookup(gv->name).As<relax::FunctionNode>() : relax::Function();
    if (!outer || !outer->attrs.Find("Codegen")) return ExprMutator::VisitBinding(b);
    relax::Function composite;
    std::string composite_name;
    relax::PostOrderVisit(outer->body, [&](const Expr& e) {
      if (const auto* inner = e.as<ir::GlobalVarNode>()) {
        composite = mod_.Lookup(inner->name).As<relax::FunctionNode>();
        composite_name = inner->name;
      }
    });
    KILN_ICHECK(composite) << "DispatchToLibrary: codegen function '" << gv->name << "' calls no composite function";
    const LibraryKernel& kernel = *kernels_.at(composite->attrs.Get<std::string>("Composite", ""));
    auto [function, extra] = LoweredCallee(kernel, composite);
    std::vector<Expr> args = call->args;
    args.insert(args.end(), extra.begin(), extra.end());
    lowered_.insert(gv->name);
    lowered_.insert(composite_name);
    ExprMutator::VisitBinding({b.var, relax::op::call_dps_packed(function, args, b.var.struct_info()), {}});
  }

 private:
  IRModule mod_;
  const std::map<std::string, const LibraryKernel*>& kernels_;
  std::set<std::string> lowered_;
};

}  // namespace

bool LibraryAvailable(const std::string& library) {
  for (const LibraryKernel& k : KernelsOf(library)) {
    if (!runtime::Registry::Find(k.function)) return false;
  }
  return true;
}

std::vector<FusionPattern> LibraryPatterns(const std::string& library) {
  std::vector<FusionPattern> out;
  for (const LibraryKernel& k : KernelsOf(library)) out.push_back(k.pattern);
  return out;
}

Pass DispatchToLibrary(std::vector<std::string> libraries) {
  std::vector<FusionPattern> patterns;
  std::map<std::string, const LibraryKernel*> kernels;
  for (const std::string& library : libraries) {
    const std::vector<LibraryKernel>& list = KernelsOf(library);
    if (!LibraryAvailable(library)) continue;
    for (const LibraryKernel& k : list) {
      if (kernels.emplace(k.pattern.name, &k).second) patterns.push_back(k.pattern);
    }
  }
  auto run = [patterns, kernels](const IRModule& mod, const PassContext& ctx) {
    if (patterns.empty()) return mod;
    return CodegenCallLowerer(FuseOpsByPattern(patterns, true)(mod, ctx), kernels).Run();
  };
  return CreateModulePass(run, {"DispatchToLibrary", 0, "sends matmul, linear and conv2d to OpenBLAS or oneDNN",
                                {"Normalize"}});
}

}  // namespace kiln::transform
