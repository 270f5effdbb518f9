// Python <-> Any conversions and Python callables as Functions.
#include "convert.h"

#include <nanobind/stl/string.h>

#include "node.h"

namespace kiln::python {
namespace {

// Owns a Python reference; releases it under the GIL from any thread.
struct PyRef {
  PyObject* obj;
  explicit PyRef(nb::handle h) : obj(h.ptr()) { Py_XINCREF(obj); }
  PyRef(const PyRef&) = delete;
  ~PyRef() {
    if (obj == nullptr || !Py_IsInitialized()) return;
    nb::gil_scoped_acquire gil;
    Py_DECREF(obj);
  }
};

std::string PyTypeName(nb::handle obj) {
  return nb::cast<std::string>(nb::str(obj.type().attr("__name__")));
}

}  // namespace

// "ValueError: message" and the frames of the callback that raised it.
std::string DescribePythonError(nb::python_error& e) {
  nb::module_ tb = nb::module_::import_("traceback");
  std::string text;
  // The value of an error set from C (PyErr_SetString) may still be its
  // message, not an exception object: make one, as the interpreter would.
  nb::object value = nb::borrow(e.value());
  if (!PyExceptionInstance_Check(value.ptr())) value = nb::borrow(e.type())(value);
  for (nb::handle line : tb.attr("format_exception_only")(e.type(), value)) text += nb::cast<std::string>(line);
  if (e.traceback().is_valid() && !e.traceback().is_none()) {
    text += "Python traceback (most recent call last):\n";
    for (nb::handle line : tb.attr("format_tb")(e.traceback())) text += nb::cast<std::string>(line);
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

DataType ToDataType(nb::handle h) {
  if (nb::isinstance<DataType>(h)) return nb::cast<DataType>(h);
  if (nb::isinstance<nb::str>(h)) return DataType::Parse(nb::cast<std::string>(h));
  // torch dtypes print as "torch.float32"; anything NumPy understands as a
  // dtype (np.float16, np.dtype("int8")) has a NumPy name.
  std::string s = nb::cast<std::string>(nb::str(h));
  if (s.rfind("torch.", 0) == 0) return DataType::Parse(s.substr(6));
  try {
    s = nb::cast<std::string>(nb::module_::import_("numpy").attr("dtype")(h).attr("name"));
  } catch (nb::python_error&) {
  }
  return DataType::Parse(s);
}

NDArray ArrayFromDLPack(nb::handle obj) {
  if (nb::isinstance<NDArray>(obj)) return nb::cast<NDArray>(obj);
  if (!nb::hasattr(obj, "__dlpack__")) {
    KILN_THROW() << "from_dlpack: a " << PyTypeName(obj) << " does not support DLPack (it has no __dlpack__)";
  }
  // Ask for a versioned capsule (DLPack 1.x); older producers take no arguments.
  nb::object capsule;
  try {
    capsule = obj.attr("__dlpack__")(nb::arg("max_version") = nb::make_tuple(1, 0));
  } catch (nb::python_error& e) {
    if (!e.matches(PyExc_TypeError)) throw;
    capsule = obj.attr("__dlpack__")();
  }
  PyObject* cap = capsule.ptr();
  if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
    auto* managed = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(cap, "dltensor_versioned"));
    PyCapsule_SetName(cap, "used_dltensor_versioned");  // the array owns it now
    return NDArray::FromDLPack(managed);
  }
  if (PyCapsule_IsValid(cap, "dltensor")) {
    auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(cap, "dltensor"));
    PyCapsule_SetName(cap, "used_dltensor");
    return NDArray::FromDLPack(managed);
  }
  KILN_THROW() << "from_dlpack: __dlpack__ of a " << PyTypeName(obj) << " did not return an unused DLPack capsule";
}

Function WrapCallable(nb::handle callable, std::string name) {
  auto ref = std::make_shared<PyRef>(callable);
  std::string fname = name;
  return Function(std::move(name), [ref, fname](const Any* args, int n, Any* result) {
    nb::gil_scoped_acquire gil;
    try {
      nb::list py_args;
      for (int i = 0; i < n; ++i) py_args.append(ToPython(args[i]));
      nb::object r = nb::borrow(ref->obj)(*nb::tuple(py_args));
      *result = FromPython(r);
    } catch (nb::python_error& e) {
      throw Error("Python function '" + fname + "' raised " + DescribePythonError(e));
    }
  });
}

Any FromPython(nb::handle obj) {
  if (obj.is_none()) return Any();
  if (PyBool_Check(obj.ptr())) return Any(obj.ptr() == Py_True);
  if (PyLong_Check(obj.ptr())) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    KILN_CHECK(!overflow) << "integer " << nb::cast<std::string>(nb::str(obj)) << " does not fit in 64 bits";
    return Any(static_cast<int64_t>(v));
  }
  if (PyFloat_Check(obj.ptr())) return Any(PyFloat_AsDouble(obj.ptr()));
  if (PyUnicode_Check(obj.ptr())) return Any(nb::cast<std::string>(obj));
  if (nb::isinstance<NDArray>(obj)) return Any(nb::cast<NDArray>(obj));
  if (nb::isinstance<Function>(obj)) return Any(nb::cast<Function>(obj));
  if (nb::isinstance<Module>(obj)) return Any(nb::cast<Module>(obj));
  if (nb::isinstance<DataType>(obj)) return Any(nb::cast<DataType>(obj));
  if (nb::isinstance<Device>(obj)) return Any(nb::cast<Device>(obj));
  if (nb::isinstance<PyNode<runtime::Object>>(obj)) return Any(nb::cast<const PyNode<runtime::Object>&>(obj).ref);
  if (PyTuple_Check(obj.ptr())) {
    std::vector<int64_t> dims;
    for (nb::handle item : nb::borrow<nb::tuple>(obj)) {
      KILN_CHECK(PyIndex_Check(item.ptr()) && !PyBool_Check(item.ptr()))
          << "a tuple passed to Kiln is a shape and must hold only ints, got a " << PyTypeName(item);
      dims.push_back(PyLong_AsLongLong(item.ptr()));
    }
    return Any(dims);
  }
  if (PyList_Check(obj.ptr())) {
    std::vector<Any> items;
    for (nb::handle item : nb::borrow<nb::list>(obj)) items.push_back(FromPython(item));
    return Any(std::move(items));
  }
  if (nb::hasattr(obj, "__dlpack__")) return Any(ArrayFromDLPack(obj));
  if (PyIndex_Check(obj.ptr())) return FromPython(nb::steal(PyNumber_Index(obj.ptr())));
  if (nb::hasattr(obj, "__float__") && !PyCallable_Check(obj.ptr())) {
    return Any(nb::cast<double>(nb::float_(obj)));
  }
  if (PyCallable_Check(obj.ptr())) {
    std::string name = nb::hasattr(obj, "__name__") ? nb::cast<std::string>(nb::str(obj.attr("__name__"))) : "lambda";
    return Any(WrapCallable(obj, name));
  }
  KILN_THROW() << "cannot pass a Python " << PyTypeName(obj) << " to a Kiln function";
}

nb::object ToPython(const Any& v) {
  switch (v.kind()) {
    case Any::Kind::kNone: return nb::none();
    case Any::Kind::kInt: return nb::int_(v.AsInt());
    case Any::Kind::kFloat: return nb::float_(v.AsFloat());
    case Any::Kind::kBool: return nb::bool_(v.AsInt() != 0);
    case Any::Kind::kDataType: return nb::cast(v.AsDataType());
    case Any::Kind::kDevice: return nb::cast(v.AsDevice());
    case Any::Kind::kObject: break;
  }
  const ObjectRef& o = v.AsObject();
  if (o->IsInstance<runtime::StrObj>()) return nb::str(static_cast<runtime::StrObj*>(o.get())->value.c_str());
  if (o->IsInstance<runtime::ShapeObj>()) {
    nb::list dims;
    for (int64_t d : static_cast<runtime::ShapeObj*>(o.get())->dims) dims.append(d);
    return nb::tuple(dims);
  }
  if (o->IsInstance<runtime::ArrayObj>()) {
    nb::list items;
    for (const Any& item : static_cast<runtime::ArrayObj*>(o.get())->items) items.append(ToPython(item));
    return nb::object(std::move(items));
  }
  if (o->IsInstance<runtime::NDArrayObj>()) return nb::cast(v.Cast<NDArray>());
  if (o->IsInstance<runtime::FunctionObj>()) return nb::cast(v.Cast<Function>());
  if (o->IsInstance<runtime::ModuleObj>()) return nb::cast(v.Cast<Module>());
  if (o->IsInstance<runtime::TimingResultObj>()) return nb::cast(v.Cast<runtime::TimingResult>());
  return NodeToPython(o);
}

std::shared_ptr<nb::object> KeepCallable(nb::handle f) {
  return std::shared_ptr<nb::object>(new nb::object(nb::borrow(f)), [](nb::object* o) {
    if (Py_IsInitialized()) {
      nb::gil_scoped_acquire gil;
      delete o;
    } else {
      (void)o->release();  // the interpreter freed it already
      delete o;
    }
  });
}

}  // namespace kiln::python
