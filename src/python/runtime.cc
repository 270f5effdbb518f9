// Bindings of the runtime layer: DataType, Device, NDArray (with DLPack both
// ways), Function and the global registry, Module, the thread pool, timing,
// and kiln.Error.
#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "node.h"

namespace kiln::python {
namespace {
using runtime::NamedArrays;
using runtime::Registry;
using runtime::ThreadPool;
using runtime::TimingResult;

nb::tuple ShapeTuple(const std::vector<int64_t>& dims) {
  nb::list l;
  for (int64_t d : dims) l.append(d);
  return nb::tuple(l);
}

// Capsule destructors: a capsule that was never consumed still owns its tensor.
template <typename Managed>
void DeleteCapsule(PyObject* cap) {
  const char* name = std::is_same_v<Managed, DLManagedTensor> ? "dltensor" : "dltensor_versioned";
  if (!PyCapsule_IsValid(cap, name)) return;  // consumed: the consumer owns it
  auto* m = static_cast<Managed*>(PyCapsule_GetPointer(cap, name));
  if (m && m->deleter) m->deleter(m);
}

template <typename Managed>
nb::object MakeCapsule(Managed* m, const char* name) {
  PyObject* cap = PyCapsule_New(m, name, DeleteCapsule<Managed>);
  if (cap == nullptr) {
    m->deleter(m);
    throw nb::python_error();
  }
  return nb::steal(cap);
}

// __dlpack__(stream=None, max_version=None, dl_device=None, copy=None) of the
// array API standard: a versioned capsule when the consumer asks for 1.x.
nb::object ToDLPackCapsule(const NDArray& a, nb::kwargs kwargs) {
  NDArray src = a;
  if (kwargs.contains("dl_device") && !kwargs["dl_device"].is_none()) {
    auto dev = nb::cast<nb::tuple>(kwargs["dl_device"]);
    Device want{static_cast<DLDeviceType>(nb::cast<int>(nb::int_(dev[0]))), nb::cast<int>(nb::int_(dev[1]))};
    KILN_CHECK(want == a.device()) << "__dlpack__: cannot export an array on " << a.device() << " to " << want;
  }
  if (kwargs.contains("copy") && nb::bool_(kwargs["copy"])) src = a.CopyTo(a.device());
  bool versioned = false;
  if (kwargs.contains("max_version") && !kwargs["max_version"].is_none()) {
    versioned = nb::cast<int>(nb::cast<nb::tuple>(kwargs["max_version"])[0]) >= 1;
  }
  if (versioned) return MakeCapsule(src.ToDLPackVersioned(), "dltensor_versioned");
  return MakeCapsule(src.ToDLPack(), "dltensor");
}

nb::object ToNumpy(const NDArray& a) {
  KILN_CHECK(a.dtype() != DataType::BFloat16()) << "NumPy has no bfloat16: convert the array to float32 first";
  KILN_CHECK(a.dtype().lanes() == 1) << "NumPy has no vector dtype " << a.dtype();
  NDArray cpu = a.device().device_type == kDLCPU && a.IsContiguous() ? a : a.CopyTo(Device::CPU());
  nb::object view = nb::module_::import_("numpy").attr("from_dlpack")(nb::cast(cpu));
  return view.attr("copy")();
}

std::string ArrayRepr(const NDArray& a) {
  std::string s = "kiln.nd.NDArray(shape=" + runtime::ShapeString(a.shape()) + ", dtype=" + a.dtype().str() +
                  ", device=" + a.device().str() + ")";
  if (a.device().device_type == kDLCPU && a.dtype() != DataType::BFloat16() && a.dtype().lanes() == 1) {
    s += "\n" + nb::cast<std::string>(nb::repr(ToNumpy(a)));
  }
  return s;
}

void BindDataTypeAndDevice(nb::module_& m) {
  nb::class_<DataType>(m, "DataType", "A scalar type with vector lanes: float32, float32x8, bfloat16, bool, ...")
      .def("__init__", [](DataType* self, nb::handle spec) { new (self) DataType(ToDataType(spec)); })
      .def_prop_ro("bits", &DataType::bits)
      .def_prop_ro("lanes", &DataType::lanes)
      .def_prop_ro("bytes", &DataType::bytes)
      .def("with_lanes", &DataType::with_lanes)
      .def("__str__", &DataType::str)
      .def("__repr__", [](const DataType& t) { return "kiln.DataType(\"" + t.str() + "\")"; })
      .def("__eq__",
           [](const DataType& a, nb::handle b) {
             try {
               return a == ToDataType(b);
             } catch (const Error&) {
               return false;
             }
           })
      .def("__hash__", [](const DataType& t) { return nb::hash(nb::str(t.str().c_str())); });

  nb::class_<Device>(m, "Device", "A device: cpu:0, cuda:1, ...")
      .def("__init__", [](Device* self, const std::string& spec) { new (self) Device(Device::Parse(spec)); })
      .def_prop_ro("device_type", [](const Device& d) { return std::string(runtime::DeviceTypeName(d.device_type)); })
      .def_prop_ro("device_id", [](const Device& d) { return d.device_id; })
      .def("__str__", &Device::str)
      .def("__repr__", [](const Device& d) { return "kiln.Device(\"" + d.str() + "\")"; })
      .def("__eq__",
           [](const Device& a, nb::handle b) { return nb::isinstance<Device>(b) && a == nb::cast<Device>(b); })
      .def("__hash__", [](const Device& d) { return nb::hash(nb::str(d.str().c_str())); })
      .def("sync", [](const Device& d) { runtime::DeviceAPI::Get(d)->Synchronize(d); });
  m.def("cpu", &Device::CPU, nb::arg("id") = 0, "The CPU device.");
  m.def("cuda", &Device::CUDA, nb::arg("id") = 0, "CUDA device `id`.");
}

void BindNDArray(nb::module_& m) {
  nb::class_<NDArray>(m, "NDArray", "An n-dimensional array on a device; shares memory through DLPack.")
      .def_prop_ro("shape", [](const NDArray& a) { return ShapeTuple(a.shape()); })
      .def_prop_ro("dtype", [](const NDArray& a) { return a.dtype().str(); })
      .def_prop_ro("device", &NDArray::device)
      .def_prop_ro("ndim", &NDArray::ndim)
      .def_prop_ro("size", &NDArray::numel)
      .def_prop_ro("nbytes", &NDArray::nbytes)
      .def_prop_ro("strides", [](const NDArray& a) { return ShapeTuple(a.strides()); })
      .def_prop_ro("byte_offset", &NDArray::byte_offset)
      .def_prop_ro("is_contiguous", &NDArray::IsContiguous)
      .def_prop_ro("data_ptr", [](const NDArray& a) { return reinterpret_cast<uintptr_t>(a.data()); })
      .def("numpy", &ToNumpy, "A NumPy copy of the array.")
      .def("copyto", &NDArray::CopyTo, nb::arg("device"), "A copy on `device`.")
      .def(
          "copyfrom",
          [](const NDArray& self, nb::handle src) {
            self.CopyFrom(ArrayFromDLPack(src));
            return self;
          },
          nb::arg("source"), "Copies the elements of an array of the same shape and dtype; returns self.")
      .def(
          "view",
          [](const NDArray& a, std::vector<int64_t> shape, nb::handle dtype, int64_t byte_offset) {
            return a.CreateView(shape, dtype.is_none() ? a.dtype() : ToDataType(dtype), byte_offset);
          },
          nb::arg("shape"), nb::arg("dtype").none() = nb::none(), nb::arg("byte_offset") = 0,
          "A view of the same memory with another shape (and dtype).")
      .def(
          "__dlpack__", [](const NDArray& a, nb::kwargs kwargs) { return ToDLPackCapsule(a, kwargs); },
          "The array as a DLPack capsule (zero-copy).")
      .def("__dlpack_device__",
           [](const NDArray& a) {
             return nb::make_tuple(static_cast<int>(a.device().device_type), a.device().device_id);
           })
      .def("__repr__", &ArrayRepr);

  m.def(
      "empty",
      [](std::vector<int64_t> shape, nb::handle dtype, Device device) {
        return NDArray::Empty(shape, ToDataType(dtype), device);
      },
      nb::arg("shape"), nb::arg("dtype") = "float32", nb::arg("device") = Device::CPU(), "A new uninitialised array.");
  m.def("from_dlpack", &ArrayFromDLPack, nb::arg("tensor"),
        "Zero-copy import of a DLPack tensor (NumPy, PyTorch, ...): both sides share memory.");
  m.def(
      "save_arrays", [](const std::string& path, const NamedArrays& arrays) { runtime::SaveArrays(path, arrays); },
      nb::arg("path"), nb::arg("arrays"));
  m.def("load_arrays", &runtime::LoadArrays, nb::arg("path"));
}

void BindFunctionAndModule(nb::module_& m) {
  nb::class_<PyNode<runtime::Object>>(m, "Object", "A Kiln object; IR nodes have more specific classes.")
      .def_prop_ro("type_key", [](const PyNode<runtime::Object>& o) { return o.ref->type_key(); })
      .def(
          "same_as", [](const PyNode<runtime::Object>& a, const PyNode<runtime::Object>& b) { return a.ref == b.ref; },
          "True when both are the same object (not merely equal).")
      .def("__repr__", [](const PyNode<runtime::Object>& o) { return "<kiln.Object " + o.ref->type_key() + ">"; });

  nb::class_<Function>(m, "Function", "A Kiln function: C++, compiled, or a registered Python callable.")
      .def_prop_ro("name", &Function::name)
      .def("__call__",
           [](const Function& f, nb::args args) {
             std::vector<Any> packed;
             packed.reserve(args.size());
             for (nb::handle a : args) packed.push_back(FromPython(a));
             Any result;
             {
               nb::gil_scoped_release release;
               result = f.CallPacked(packed.data(), static_cast<int>(packed.size()));
             }
             return ToPython(result);
           })
      .def("__repr__", [](const Function& f) { return "<kiln.Function " + f.name() + ">"; });

  nb::class_<Module>(m, "Module", "A set of named functions (a compiled library, ...) and its imports.")
      .def("__getitem__", &Module::operator[], nb::arg("name"))
      .def(
          "get_function",
          [](const Module& mod, const std::string& name) -> nb::object {
            Function f = mod.GetFunction(name);
            return f.defined() ? nb::cast(f) : nb::none();
          },
          nb::arg("name"), "The function called `name`, or None.")
      .def_prop_ro("kind", &Module::kind)
      .def_prop_ro("imports", &Module::imports)
      .def_prop_ro("function_names", [](const Module& mod) { return mod.obj()->FunctionNames(); })
      .def("import_module", &Module::Import, nb::arg("other"))
      .def("get_source", &Module::GetSource, nb::arg("format") = "")
      .def("__repr__", [](const Module& mod) { return "<kiln.Module " + mod.kind() + ">"; });
  m.def("load", &Module::Load, nb::arg("path"), "Loads a module file (a shared library made by Kiln, ...).");

  m.def(
      "get_global_func",
      [](const std::string& name, bool allow_missing) -> nb::object {
        if (allow_missing) {
          auto f = Registry::Find(name);
          return f ? nb::cast(*f) : nb::none();
        }
        return nb::cast(Registry::Get(name));
      },
      nb::arg("name"), nb::arg("allow_missing") = false);
  m.def(
      "_register_func",
      [](const std::string& name, nb::handle f, bool override_existing) {
        Function fn = nb::isinstance<Function>(f) ? nb::cast<Function>(f) : WrapCallable(f, name);
        Registry::Register(name, fn, override_existing);
        return fn;
      },
      nb::arg("name"), nb::arg("f"), nb::arg("override") = false);
  m.def("remove_global_func", &Registry::Remove, nb::arg("name"));
  m.def("list_global_func_names", &Registry::ListNames);
}

void BindThreadsAndTiming(nb::module_& m) {
  m.def("num_threads", [] { return ThreadPool::Global().num_threads(); });
  m.def(
      "set_num_threads", [](int n) { ThreadPool::Global().SetNumThreads(n); }, nb::arg("n"));

  nb::class_<TimingResult>(m, "TimingResult", "Seconds per call of each repeat, and their statistics.")
      .def_prop_ro("results", [](const TimingResult& r) { return r->results; })
      .def_prop_ro("mean", [](const TimingResult& r) { return r->mean; })
      .def_prop_ro("median", [](const TimingResult& r) { return r->median; })
      .def_prop_ro("min", [](const TimingResult& r) { return r->min; })
      .def_prop_ro("max", [](const TimingResult& r) { return r->max; })
      .def_prop_ro("std", [](const TimingResult& r) { return r->std; })
      .def_prop_ro("number", [](const TimingResult& r) { return r->number; })
      .def("__repr__", [](const TimingResult& r) {
        char buf[200];
        std::snprintf(buf, sizeof(buf),
                      "TimingResult(median=%.4g ms, mean=%.4g ms, min=%.4g ms, max=%.4g ms, std=%.3g ms)",
                      r->median * 1e3, r->mean * 1e3, r->min * 1e3, r->max * 1e3, r->std * 1e3);
        return std::string(buf);
      });
  m.def(
      "time_evaluator",
      [](nb::handle f, int number, int repeat, double min_repeat_ms) {
        Function fn = nb::isinstance<Function>(f) ? nb::cast<Function>(f) : WrapCallable(f, "python");
        return runtime::TimeEvaluator(fn, number, repeat, min_repeat_ms);
      },
      nb::arg("f"), nb::arg("number") = 10, nb::arg("repeat") = 3, nb::arg("min_repeat_ms") = 0.0);
}
}  // namespace

void BindRuntime(nb::module_& m) {
  nb::exception<Error>(m, "Error");
  m.attr("__version__") = KILN_VERSION;
  BindDataTypeAndDevice(m);
  BindNDArray(m);
  BindFunctionAndModule(m);
  BindThreadsAndTiming(m);
}

}  // namespace kiln::python
