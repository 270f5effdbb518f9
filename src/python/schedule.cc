// Bindings of tir schedules (kiln._core.schedule, re-exported as
// kiln.tir.Schedule): handles, every primitive with Python names and
// keywords, traces, index maps, tensor intrinsics and the default schedule.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "ir_convert.h"
#include "kiln/tir/schedule/default_schedule.h"
#include "kiln/tir/schedule/schedule.h"
#include "kiln/tir/schedule/tensor_intrin.h"

namespace kiln::python {
namespace {

using namespace kiln::tir;

Schedule MakeSchedule(nb::handle mod, uint64_t seed) {
  auto obj = Unwrap<runtime::Object>(mod, "Schedule");
  if (auto m = obj.As<ir::IRModuleNode>()) return Schedule(ir::IRModule(m), seed);
  if (auto f = obj.As<PrimFuncNode>()) return Schedule(PrimFunc(f), seed);
  KILN_THROW() << "Schedule: expected an IRModule or a PrimFunc, got a " << (obj ? obj->type_key() : "None");
}

// Python split factors: int, ExprRV or None.
std::vector<SplitFactor> ToFactors(nb::handle factors) {
  std::vector<SplitFactor> out;
  for (nb::handle f : factors) {
    if (f.is_none()) {
      out.emplace_back(std::monostate{});
    } else if (nb::isinstance<ExprRV>(f)) {
      out.emplace_back(nb::cast<ExprRV>(f));
    } else {
      out.emplace_back(nb::cast<int64_t>(f));
    }
  }
  return out;
}

AnnotationValue ToAnnotation(nb::handle v) {
  if (nb::isinstance<nb::bool_>(v)) return int64_t{nb::cast<bool>(v)};
  if (nb::isinstance<nb::int_>(v)) return nb::cast<int64_t>(v);
  if (nb::isinstance<nb::float_>(v)) return nb::cast<double>(v);
  if (nb::isinstance<nb::str>(v)) return nb::cast<std::string>(v);
  KILN_THROW() << "annotate: a value is an int, float or str";
}

IndexMap ToIndexMap(nb::handle h, size_t ndim_hint) {
  if (nb::isinstance<IndexMap>(h)) return nb::cast<IndexMap>(h);
  if (nb::isinstance<nb::str>(h)) return IndexMap::FromText(nb::cast<std::string>(h));
  // A Python function of index variables.
  nb::object f = nb::borrow(h);
  size_t ndim = ndim_hint;
  try {
    nb::object code = f.attr("__code__");
    ndim = nb::cast<size_t>(code.attr("co_argcount"));
  } catch (nb::python_error&) {
  }
  std::vector<std::string> names;
  try {
    nb::tuple vars = nb::cast<nb::tuple>(f.attr("__code__").attr("co_varnames"));
    for (size_t i = 0; i < ndim && i < vars.size(); ++i) names.push_back(nb::cast<std::string>(vars[i]));
  } catch (nb::python_error&) {
  }
  if (names.size() != ndim) names.clear();
  return IndexMap::FromFunc(
      ndim,
      [&](const std::vector<Var>& vars) {
        nb::list args;
        for (const Var& v : vars) args.append(Wrap(PrimExpr(v)));
        nb::object r = f(*nb::tuple(args));
        if (nb::isinstance<nb::tuple>(r) || nb::isinstance<nb::list>(r)) return ToPrimExprs(r, "index map");
        return std::vector<PrimExpr>{ToPrimExpr(r, "index map")};
      },
      names);
}

// Loops given one by one, sch.reorder(a, b), or as one list, as the trace
// prints them: sch.reorder([a, b]).
std::vector<LoopRV> ToLoops(const nb::args& args) {
  nb::handle items = args;
  if (args.size() == 1 && (nb::isinstance<nb::list>(args[0]) || nb::isinstance<nb::tuple>(args[0]))) items = args[0];
  std::vector<LoopRV> out;
  for (nb::handle l : items) out.push_back(nb::cast<LoopRV>(l));
  return out;
}

template <typename RV>
void BindRV(nb::module_& m, const char* name, char prefix) {
  nb::class_<RV>(m, name)
      .def_ro("id", &RV::id)
      .def("__repr__", [prefix](const RV& rv) { return std::string(1, prefix) + std::to_string(rv.id); })
      .def("__eq__", [](const RV& a, const RV& b) { return a.id == b.id; })
      .def("__hash__", [](const RV& a) { return std::hash<int64_t>()(a.id); });
}

}  // namespace

void BindSchedule(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("schedule", "Schedules of loop programs.");
  BindRV<BlockRV>(m, "BlockRV", 'b');
  BindRV<LoopRV>(m, "LoopRV", 'l');
  BindRV<ExprRV>(m, "ExprRV", 'v');

  nb::class_<IndexMap>(m, "IndexMap")
      .def_static("from_text", &IndexMap::FromText, nb::arg("text"))
      .def_static(
          "from_func", [](nb::handle f, size_t ndim) { return ToIndexMap(f, ndim); }, nb::arg("func"),
          nb::arg("ndim") = 0)
      .def("map", [](const IndexMap& im, nb::handle idx) { return WrapList(im.Map(ToPrimExprs(idx))); })
      .def("map_shape", [](const IndexMap& im, nb::handle shape) { return WrapList(im.MapShape(ToPrimExprs(shape))); })
      .def("__str__", &IndexMap::ToText)
      .def("__repr__", [](const IndexMap& im) { return "IndexMap(" + im.ToText() + ")"; });

  nb::class_<Trace>(m, "Trace")
      .def_static("from_text", &Trace::FromText, nb::arg("text"))
      .def("__str__", &Trace::ToText)
      .def("__len__", &Trace::size)
      .def("apply_to", &Trace::ApplyTo, nb::arg("sch"))
      .def_prop_ro("kinds", [](const Trace& t) {
        std::vector<std::string> out;
        for (const Instruction& i : t.instructions()) out.push_back(i.kind);
        return out;
      });

  m.def(
      "register_tensor_intrin",
      [](const std::string& name, nb::handle desc, nb::handle impl, bool override) {
        TensorIntrin::Register(name, PrimFunc(Unwrap<PrimFuncNode>(desc, "desc")),
                               PrimFunc(Unwrap<PrimFuncNode>(impl, "impl")), override);
      },
      nb::arg("name"), nb::arg("desc"), nb::arg("impl"), nb::arg("override") = false);
  m.def("list_tensor_intrins", &TensorIntrin::ListNames);

  nb::class_<DefaultScheduleResult>(m, "DefaultScheduleResult")
      .def_prop_ro("func", [](const DefaultScheduleResult& r) { return Wrap(r.func); })
      .def_ro("rule", &DefaultScheduleResult::rule)
      .def_ro("trace", &DefaultScheduleResult::trace)
      .def_ro("fallback", &DefaultScheduleResult::fallback);
  m.def(
      "default_schedule",
      [](nb::handle func, std::optional<int64_t> vector_bytes, std::optional<int64_t> min_parallel_work,
         std::optional<int64_t> accumulator_registers) {
        CpuScheduleOptions o;
        if (vector_bytes) o.vector_bytes = *vector_bytes;
        if (min_parallel_work) o.min_parallel_work = *min_parallel_work;
        if (accumulator_registers) o.accumulator_registers = *accumulator_registers;
        return ApplyDefaultSchedule(PrimFunc(Unwrap<PrimFuncNode>(func, "default_schedule")), o);
      },
      nb::arg("func"), nb::arg("vector_bytes").none() = nb::none(), nb::arg("min_parallel_work").none() = nb::none(),
      nb::arg("accumulator_registers").none() = nb::none(),
      "Schedules a PrimFunc by the default CPU rules; the result has the function, the rule that scheduled it "
      "(empty when none), its trace as text, and why rules that matched gave up.");
  m.def("register_x86_intrinsics", &RegisterX86Intrinsics,
        "Registers x86.fma_f32x16 and x86.dot_f32x16 (AVX-512 micro-kernels); idempotent.");

  using S = Schedule;
  nb::class_<S>(m, "Schedule")
      .def("__init__", [](S* self, nb::handle mod, uint64_t seed) { new (self) S(MakeSchedule(mod, seed)); },
           nb::arg("mod"), nb::arg("seed") = 0)
      .def("copy", &S::Copy)
      .def_prop_ro("mod", [](const S& s) { return Wrap(s.mod()); })
      .def_prop_ro("trace", [](const S& s) { return s.trace(); })
      .def("get", [](const S& s, const ExprRV& rv) { return s.Get(rv); })
      .def("get", [](const S& s, const BlockRV& rv) { return s.Get(rv); })
      .def("get", [](const S& s, const LoopRV& rv) { return Wrap(PrimExpr(s.Get(rv))); })
      .def("get_sref", [](const S& s, const BlockRV& rv) { return Wrap(s.GetStmt(rv)); })
      .def("get_sref", [](const S& s, const LoopRV& rv) { return Wrap(s.GetStmt(rv)); })
      .def("get_block", &S::GetBlock, nb::arg("name"), nb::arg("func") = "")
      .def("get_loops", &S::GetLoops, nb::arg("block"))
      .def("get_child_blocks", nb::overload_cast<const BlockRV&>(&S::GetChildBlocks), nb::arg("block_or_loop"))
      .def("get_child_blocks", nb::overload_cast<const LoopRV&>(&S::GetChildBlocks), nb::arg("block_or_loop"))
      .def("get_producers", &S::GetProducers, nb::arg("block"))
      .def("get_consumers", &S::GetConsumers, nb::arg("block"))
      .def(
          "split",
          [](S& s, const LoopRV& loop, nb::handle factors, bool preserve_unit_iters) {
            return s.Split(loop, ToFactors(factors), preserve_unit_iters);
          },
          nb::arg("loop"), nb::arg("factors"), nb::arg("preserve_unit_iters") = true)
      .def(
          "fuse",
          [](S& s, nb::args loops, bool preserve_unit_iters) { return s.Fuse(ToLoops(loops), preserve_unit_iters); },
          nb::arg("loops"), nb::kw_only(), nb::arg("preserve_unit_iters") = true)
      .def(
          "reorder",
          [](S& s, nb::args loops) { s.Reorder(ToLoops(loops)); },
          nb::arg("loops"))
      .def("parallel", &S::Parallel, nb::arg("loop"))
      .def("vectorize", &S::Vectorize, nb::arg("loop"))
      .def("unroll", &S::Unroll, nb::arg("loop"))
      .def("bind", &S::Bind, nb::arg("loop"), nb::arg("thread_axis"))
      .def(
          "annotate",
          [](S& s, const LoopRV& l, const std::string& key, nb::handle v) { s.Annotate(l, key, ToAnnotation(v)); },
          nb::arg("block_or_loop"), nb::arg("key"), nb::arg("value"))
      .def(
          "annotate",
          [](S& s, const BlockRV& b, const std::string& key, nb::handle v) { s.Annotate(b, key, ToAnnotation(v)); },
          nb::arg("block_or_loop"), nb::arg("key"), nb::arg("value"))
      .def("unannotate", nb::overload_cast<const LoopRV&, const std::string&>(&S::Unannotate),
           nb::arg("block_or_loop"), nb::arg("key"))
      .def("unannotate", nb::overload_cast<const BlockRV&, const std::string&>(&S::Unannotate),
           nb::arg("block_or_loop"), nb::arg("key"))
      .def("cache_read", &S::CacheRead, nb::arg("block"), nb::arg("read_index"), nb::arg("scope"))
      .def("cache_write", &S::CacheWrite, nb::arg("block"), nb::arg("write_index"), nb::arg("scope"))
      .def("set_scope", &S::SetScope, nb::arg("block"), nb::arg("write_index"), nb::arg("scope"))
      .def("storage_align", &S::StorageAlign, nb::arg("block"), nb::arg("write_index"), nb::arg("axis"),
           nb::arg("factor"), nb::arg("offset"))
      .def(
          "transform_layout",
          [](S& s, const BlockRV& b, int buffer_index, bool is_write, nb::handle index_map) {
            s.TransformLayout(b, buffer_index, is_write, ToIndexMap(index_map, 0));
          },
          nb::arg("block"), nb::arg("buffer_index"), nb::arg("is_write"), nb::arg("index_map"))
      .def("compute_at", &S::ComputeAt, nb::arg("block"), nb::arg("loop"), nb::arg("preserve_unit_loops") = false)
      .def("reverse_compute_at", &S::ReverseComputeAt, nb::arg("block"), nb::arg("loop"),
           nb::arg("preserve_unit_loops") = false)
      .def("compute_inline", &S::ComputeInline, nb::arg("block"))
      .def("reverse_compute_inline", &S::ReverseComputeInline, nb::arg("block"))
      .def("decompose_reduction", &S::DecomposeReduction, nb::arg("block"), nb::arg("loop"))
      .def("rfactor", &S::RFactor, nb::arg("loop"), nb::arg("factor_axis"))
      .def("pad_einsum", &S::PadEinsum, nb::arg("block"), nb::arg("padding"))
      .def("blockize", &S::Blockize, nb::arg("loop"))
      .def("tensorize", nb::overload_cast<const LoopRV&, const std::string&>(&S::Tensorize), nb::arg("block_or_loop"),
           nb::arg("intrin"))
      .def("tensorize", nb::overload_cast<const BlockRV&, const std::string&>(&S::Tensorize),
           nb::arg("block_or_loop"), nb::arg("intrin"))
      .def("sample_perfect_tile", &S::SamplePerfectTile, nb::arg("loop"), nb::arg("n"),
           nb::arg("max_innermost_factor") = 16, nb::arg("decision").none() = nb::none())
      .def("sample_categorical", &S::SampleCategorical, nb::arg("candidates"), nb::arg("probs"),
           nb::arg("decision").none() = nb::none())
      .def("sample_compute_location", &S::SampleComputeLocation, nb::arg("block"),
           nb::arg("decision").none() = nb::none());
}

}  // namespace kiln::python
