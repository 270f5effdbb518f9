// Shared libraries as modules: dlopen, the runtime API table handed to the
// library, and WrapCFunction, the Function over the C convention of c_api.h
// (also used by the JIT of the code generator).
#include <dlfcn.h>

#include "kiln/runtime/c_api.h"
#include "kiln/runtime/module.h"

namespace kiln::runtime {
namespace {

constexpr int kInlineArgs = 8;

void ToCArg(const std::string& fname, int i, const Any& a, KilnValue* v, int32_t* code) {
  switch (a.kind()) {
    case Any::Kind::kNone:
      *code = kKilnArgNone;
      v->v_handle = nullptr;
      return;
    case Any::Kind::kInt:
      *code = kKilnArgInt;
      v->v_int64 = a.AsInt();
      return;
    case Any::Kind::kBool:
      *code = kKilnArgBool;
      v->v_int64 = a.AsInt();
      return;
    case Any::Kind::kFloat:
      *code = kKilnArgFloat;
      v->v_float64 = a.AsFloat();
      return;
    case Any::Kind::kDataType:
      *code = kKilnArgDataType;
      v->v_dtype = a.AsDataType().dl();
      return;
    case Any::Kind::kDevice:
      *code = kKilnArgDevice;
      v->v_device = a.AsDevice().dl();
      return;
    case Any::Kind::kObject: break;
  }
  const ObjectRef& obj = a.AsObject();
  if (obj->IsInstance<NDArrayObj>()) {
    *code = kKilnArgTensor;
    v->v_handle = &static_cast<NDArrayObj*>(obj.get())->tensor;
  } else if (obj->IsInstance<StrObj>()) {
    *code = kKilnArgStr;
    v->v_str = static_cast<StrObj*>(obj.get())->value.c_str();
  } else {
    KILN_THROW() << "function '" << fname << "', argument " << i << ": a compiled function cannot take a "
                 << a.TypeName();
  }
}

Any FromCResult(const std::string& fname, const KilnValue& v, int32_t code) {
  switch (code) {
    case kKilnArgNone: return Any();
    case kKilnArgInt: return Any(v.v_int64);
    case kKilnArgBool: return Any(v.v_int64 != 0);
    case kKilnArgFloat: return Any(v.v_float64);
    case kKilnArgDataType: return Any(DataType(v.v_dtype));
    case kKilnArgDevice: return Any(Device{v.v_device.device_type, v.v_device.device_id});
    default: KILN_THROW() << "compiled function '" << fname << "' returned a value of unknown type code " << code;
  }
}

}  // namespace

Function WrapCFunction(const std::string& name, KilnCFunc f, ObjectRef keep_alive) {
  return Function(name, [f, keep_alive, name](const Any* args, int n, Any* result) {
    KilnValue inline_vals[kInlineArgs];
    int32_t inline_codes[kInlineArgs];
    std::vector<KilnValue> heap_vals;
    std::vector<int32_t> heap_codes;
    KilnValue* vals = inline_vals;
    int32_t* codes = inline_codes;
    if (n > kInlineArgs) {
      heap_vals.resize(n);
      heap_codes.resize(n);
      vals = heap_vals.data();
      codes = heap_codes.data();
    }
    for (int i = 0; i < n; ++i) ToCArg(name, i, args[i], &vals[i], &codes[i]);
    KilnValue ret;
    ret.v_int64 = 0;
    int32_t ret_code = kKilnArgNone;
    KilnAPISetLastError("");
    if (f(vals, codes, n, &ret, &ret_code) != 0) {
      const char* msg = KilnAPIGetLastError();
      KILN_THROW() << "compiled function '" << name << "' failed: " << (*msg ? msg : "(no message was set)");
    }
    *result = FromCResult(name, ret, ret_code);
  });
}

namespace {

class LibraryModuleObj final : public ModuleObj {
 public:
  LibraryModuleObj(std::string path, void* handle) : path_(std::move(path)), handle_(handle) {}
  ~LibraryModuleObj() override { dlclose(handle_); }

  Function GetFunction(const std::string& name) override {
    if (name.empty() || name.rfind("__kiln", 0) == 0) return Function();
    auto f = reinterpret_cast<KilnCFunc>(dlsym(handle_, name.c_str()));
    if (f == nullptr) return Function();
    return WrapCFunction(name, f, ObjectRef(GetRef<Object>(this)));  // the library stays loaded
  }

  std::string kind() const override { return "library"; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* handle_;
};

Module LoadSharedLibrary(const std::string& path) {
  // An explicit directory keeps dlopen from searching the library path.
  std::string p = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* err = dlerror();
    KILN_THROW() << "cannot load shared library '" << path << "': " << (err ? err : "unknown error");
  }
  if (auto** api = reinterpret_cast<const KilnRuntimeAPI**>(dlsym(handle, "__kiln_runtime_api"))) {
    *api = KilnGetRuntimeAPI();
  }
  return Module(MakeObject<LibraryModuleObj>(path, handle));
}

KILN_REGISTER_FUNCTION("runtime.module.load_so", [](std::string path) { return LoadSharedLibrary(path); });

}  // namespace
}  // namespace kiln::runtime
