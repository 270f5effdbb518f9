// Bindings of the pass infrastructure (kiln.transform): passes, contexts,
// instruments, Sequential, the registry, and passes written in Python
// (checked for well-formedness when they change the module).
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "ir_convert.h"
#include "kiln/relax/well_formed.h"
#include "kiln/transform/pass.h"
#include "kiln/transform/pipeline.h"

namespace kiln::python {
namespace {
using namespace kiln::transform;

PassInfo MakeInfo(std::string name, int opt_level, std::string summary, std::vector<std::string> required) {
  return PassInfo{std::move(name), opt_level, std::move(summary), std::move(required)};
}

nb::dict InfoToPython(const PassInfo& info) {
  nb::dict d;
  d["name"] = info.name;
  d["opt_level"] = info.opt_level;
  d["summary"] = info.summary;
  d["required"] = info.required;
  return d;
}

Pass ToPass(nb::handle obj) {
  Pass p(Unwrap<PassNode>(obj, "pass"));
  KILN_CHECK(p) << "expected a pass, got None";
  return p;
}

// A pass written in Python: `inner` runs it, and a module it changes must
// be well formed, or kiln::Error names the pass and lists the problems
// where they are ("in function 'main' (4:7): variable 'y' is not
// defined"). User passes are where such mistakes happen (a mutator
// returning a variable out of its scope), so they are caught as they are
// made rather than passes later.
class PythonPassNode : public PassNode {
 public:
  KILN_OBJECT_TYPE(PythonPassNode, PassNode, "transform.PythonPass")
  Pass inner;

  IRModule Run(const IRModule& mod, const PassContext& ctx) const override {
    IRModule out = inner(mod, ctx);
    if (out.get() != mod.get()) relax::VerifyWellFormed(out, "after pass '" + info.name + "'");
    return out;
  }
};

Pass Checked(Pass inner) {
  auto n = runtime::MakeObject<PythonPassNode>();
  n->info = inner.info();
  n->inner = std::move(inner);
  return Pass(n);
}

// A pass whose body is a Python callable, called through a kiln Function so
// that it runs under the GIL and its exceptions become kiln::Error.
Pass PythonModulePass(nb::handle fn, PassInfo info) {
  Function f = WrapCallable(fn, info.name);
  return CreateModulePass(
      [f](const IRModule& mod, const PassContext& ctx) {
        Any r = f(runtime::ObjectRef(mod), runtime::ObjectRef(ctx));
        auto out = r.Cast<Ref<ir::IRModuleNode>>();
        KILN_CHECK(out) << "pass '" << f.name() << "' returned None instead of a module";
        return IRModule(out);
      },
      std::move(info));
}

Pass PythonFunctionPass(nb::handle fn, PassInfo info) {
  Function f = WrapCallable(fn, info.name);
  return CreateFunctionPass(
      [f](const relax::Function& func, const IRModule& mod, const PassContext& ctx) {
        return f(runtime::ObjectRef(func), runtime::ObjectRef(mod), runtime::ObjectRef(ctx)).Cast<relax::Function>();
      },
      std::move(info));
}

Pass PythonPrimFuncPass(nb::handle fn, PassInfo info) {
  Function f = WrapCallable(fn, info.name);
  return CreatePrimFuncPass(
      [f](const tir::PrimFunc& func, const IRModule& mod, const PassContext& ctx) {
        auto out = f(runtime::ObjectRef(func), runtime::ObjectRef(mod), runtime::ObjectRef(ctx))
                       .Cast<Ref<tir::PrimFuncNode>>();
        return tir::PrimFunc(out);
      },
      std::move(info));
}

void BindPasses(nb::module_& m) {
  BindNode<PassNode>(m, "Pass", "An IRModule to IRModule transformation.")
      .def(
          "__call__",
          [](const PyNode<PassNode>& p, nb::handle mod) {
            IRModule in(Unwrap<ir::IRModuleNode>(mod, "pass input"));
            KILN_CHECK(in) << "pass '" << p->info.name << "': the module is None";
            IRModule out = Pass(p.handle())(in);
            return Wrap(out);
          },
          nb::arg("mod"))
      .def_prop_ro("info", [](const PyNode<PassNode>& p) { return InfoToPython(p->info); })
      .def_prop_ro("name", [](const PyNode<PassNode>& p) { return p->info.name; })
      .def("__repr__", [](const PyNode<PassNode>& p) { return "<kiln.transform.Pass " + p->info.name + ">"; });

  auto info_args = [](nb::handle fn, std::string name, int opt_level, std::vector<std::string> required) {
    if (name.empty()) name = nb::cast<std::string>(nb::str(fn.attr("__name__")));
    std::string summary;
    if (nb::hasattr(fn, "__doc__") && !fn.attr("__doc__").is_none()) {
      summary = nb::cast<std::string>(nb::str(fn.attr("__doc__")));
      summary = summary.substr(0, summary.find('\n'));
    }
    return MakeInfo(std::move(name), opt_level, std::move(summary), std::move(required));
  };
  m.def("_module_pass", [info_args](nb::handle fn, std::string name, int opt_level, std::vector<std::string> required) {
    return Wrap(Checked(PythonModulePass(fn, info_args(fn, std::move(name), opt_level, std::move(required)))));
  });
  m.def("_function_pass",
        [info_args](nb::handle fn, std::string name, int opt_level, std::vector<std::string> required) {
          return Wrap(Checked(PythonFunctionPass(fn, info_args(fn, std::move(name), opt_level, std::move(required)))));
        });
  m.def("_prim_func_pass",
        [info_args](nb::handle fn, std::string name, int opt_level, std::vector<std::string> required) {
          return Wrap(Checked(PythonPrimFuncPass(fn, info_args(fn, std::move(name), opt_level, std::move(required)))));
        });
  m.def(
      "Sequential",
      [](nb::handle passes, std::string name) {
        std::vector<Pass> ps;
        for (nb::handle p : passes) ps.push_back(ToPass(p));
        return Wrap(Sequential(std::move(ps), std::move(name)));
      },
      nb::arg("passes"), nb::arg("name") = "Sequential", "Runs passes in order (skipping those above the opt level).");
  m.def(
      "get_pass", [](const std::string& name) { return Wrap(GetPass(name)); }, nb::arg("name"));
  m.def("list_passes", [] {
    nb::list out;
    for (const PassInfo& info : ListPasses()) out.append(InfoToPython(info));
    return out;
  });
}

void BindContext(nb::module_& m) {
  BindNode<PassInstrumentNode>(m, "PassInstrument", "Code run before and after each pass.");
  BindNode<PassTimingNode>(m, "PassTiming", "Times each pass; report() gives a table.")
      .def("report", [](const PyNode<PassTimingNode>& t) { return t->Report(); })
      .def_prop_ro(
          "records",
          [](const PyNode<PassTimingNode>& t) {
            nb::list out;
            for (const auto& r : t->records()) out.append(nb::make_tuple(r.pass, r.seconds, r.depth));
            return out;
          },
          "(pass, seconds, depth) for each pass run, in order.");
  m.def("pass_timing", [] { return Wrap(MakePassTiming()); });
  m.def(
      "dump_ir", [](std::string dir) { return Wrap(MakeDumpIR(std::move(dir))); }, nb::arg("dir"),
      "Writes the module after each pass to `dir` (NNN_<pass>.kir).");
  m.def(
      "well_formed_check", [] { return Wrap(MakeWellFormedCheck()); },
      "Verifies well-formedness after each pass and names the pass that broke it.");

  using C = PyNode<PassContextNode>;
  BindNode<PassContextNode>(m, "PassContext", "Opt level, configuration and instruments for the passes run in it.")
      .def(
          "__init__",
          [](C* self, int opt_level, nb::handle config, nb::handle instruments) {
            std::map<std::string, Any> cfg;
            if (!config.is_none()) {
              for (auto [k, v] : nb::cast<nb::dict>(config)) cfg[nb::cast<std::string>(k)] = FromPython(v);
            }
            std::vector<PassInstrument> ins;
            for (const auto& i : UnwrapList<PassInstrumentNode>(instruments, "instruments")) ins.push_back(i);
            new (self) C();
            self->ref = PassContext::Create(opt_level, std::move(cfg), std::move(ins));
          },
          nb::arg("opt_level") = 2, nb::arg("config").none() = nb::none(), nb::arg("instruments").none() = nb::none())
      .def("__enter__",
           [](const C& c) {
             PassContext(c.handle()).Enter();
             return c;
           })
      .def("__exit__", [](const C& c, nb::args) { PassContext(c.handle()).Exit(); })
      .def_prop_ro("opt_level", [](const C& c) { return c->opt_level; })
      .def_prop_ro("config",
                   [](const C& c) {
                     nb::dict d;
                     for (const auto& [k, v] : c->config) d[k.c_str()] = ToPython(v);
                     return d;
                   })
      .def_prop_ro("instruments", [](const C& c) { return WrapList(c->instruments); })
      .def_static("current", [] { return Wrap(PassContext::Current()); });
  m.def("list_pass_configs", [] {
    nb::list out;
    for (const PassConfigOption& o : ListPassConfigs()) {
      nb::dict d;
      d["key"] = o.key;
      d["default"] = ToPython(o.default_value);
      d["doc"] = o.doc;
      out.append(d);
    }
    return out;
  });
}

void BindPipelines(nb::module_& m) {
  m.def(
      "_pipeline_passes",
      [](const std::string& name, const std::string& target, std::vector<std::string> dispatch) {
        nb::list out;
        for (Pass& p : GetPipelinePasses(name, target, PipelineOptions{std::move(dispatch)})) out.append(Wrap(p));
        return out;
      },
      nb::arg("name"), nb::arg("target"), nb::arg("dispatch"));
  m.def("_list_pipelines", [] { return ListPipelines(); });
}

}  // namespace

void BindTransform(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("transform", "Passes, pass contexts and pipelines.");
  BindPasses(m);
  BindContext(m);
  BindPipelines(m);
}

}  // namespace kiln::python
