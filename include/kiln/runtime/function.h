// Function: a type-erased callable over Any arguments, and the global registry
// of functions by name, shared by C++ and Python. A typed C++ callable becomes
// a Function through Function::FromTyped, which checks argument count and kinds
// and names the function and argument in its errors.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "kiln/runtime/any.h"

namespace kiln::runtime {

// The packed calling convention: arguments in, one result out.
using PackedBody = std::function<void(const Any* args, int num_args, Any* result)>;

class FunctionObj : public Object {
 public:
  KILN_OBJECT_TYPE(FunctionObj, Object, "runtime.Function")
  FunctionObj(std::string n, PackedBody b) : name(std::move(n)), body(std::move(b)) {}
  std::string name;
  PackedBody body;
};

namespace detail {
template <typename F>
struct FunctionTraits : FunctionTraits<decltype(&F::operator())> {};
template <typename R, typename... A>
struct FunctionTraits<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<std::decay_t<A>...>;
};
template <typename R, typename... A>
struct FunctionTraits<R(A...)> : FunctionTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct FunctionTraits<R (C::*)(A...) const> : FunctionTraits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct FunctionTraits<R (C::*)(A...)> : FunctionTraits<R (*)(A...)> {};

// Reads argument i, naming the function and argument when it does not fit.
template <typename T>
T ArgAt(const std::string& fname, const Any* args, int i);
[[noreturn]] void ThrowArity(const std::string& fname, int expected, int got);
}  // namespace detail

class Function {
 public:
  Function() = default;
  explicit Function(Ref<FunctionObj> obj) : obj_(std::move(obj)) {}
  Function(std::string name, PackedBody body);

  // Wraps a typed callable, e.g. [](NDArray x, int64_t n) { ... }.
  template <typename F>
  static Function FromTyped(std::string name, F f);

  template <typename... Args>
  Any operator()(Args&&... args) const {
    Any packed[] = {Any(std::forward<Args>(args))..., Any()};
    return CallPacked(packed, static_cast<int>(sizeof...(Args)));
  }
  Any CallPacked(const Any* args, int num_args) const;

  const std::string& name() const { return obj_->name; }
  bool defined() const { return static_cast<bool>(obj_); }
  const Ref<FunctionObj>& obj() const { return obj_; }

 private:
  Ref<FunctionObj> obj_;
};

template <typename F>
Function Function::FromTyped(std::string name, F f) {
  using Traits = detail::FunctionTraits<std::decay_t<F>>;
  using ArgsTuple = typename Traits::Args;
  constexpr int kArity = std::tuple_size_v<ArgsTuple>;
  std::string fname = name;
  return Function(std::move(name), [f = std::move(f), fname](const Any* args, int n, Any* result) {
    if (n != kArity) detail::ThrowArity(fname, kArity, n);
    auto call = [&]<size_t... I>(std::index_sequence<I...>) {
      return f(detail::ArgAt<std::tuple_element_t<I, ArgsTuple>>(fname, args, static_cast<int>(I))...);
    };
    if constexpr (std::is_void_v<typename Traits::Result>) {
      call(std::make_index_sequence<kArity>{});
      *result = Any();
    } else {
      *result = Any(call(std::make_index_sequence<kArity>{}));
    }
  });
}

template <>
struct AnyCast<Function> {
  static constexpr const char* kName = "Function";
  static Function Get(const Any& a);
};

namespace detail {
template <typename T>
T ArgAt(const std::string& fname, const Any* args, int i) {
  try {
    return args[i].Cast<T>();
  } catch (const Error& e) {
    throw Error("function '" + fname + "', argument " + std::to_string(i) + ": " + e.message(), __FILE__, __LINE__);
  }
}
}  // namespace detail

// The process-wide table of functions by name. C++ registers with
// KILN_REGISTER_FUNCTION at load time; Python with kiln.register_func.
class Registry {
 public:
  // Raises kiln::Error when the name is taken and override_existing is false.
  static void Register(const std::string& name, Function f, bool override_existing = false);
  static std::optional<Function> Find(const std::string& name);
  // Like Find, but raises kiln::Error naming the missing function.
  static Function Get(const std::string& name);
  static bool Remove(const std::string& name);
  static std::vector<std::string> ListNames();
};

#define KILN_REGISTER_CONCAT_(a, b) a##b
#define KILN_REGISTER_CONCAT(a, b) KILN_REGISTER_CONCAT_(a, b)
// KILN_REGISTER_FUNCTION("runtime.Foo", [](int64_t x) { return x + 1; });
#define KILN_REGISTER_FUNCTION(name, ...)                                                  \
  [[maybe_unused]] static const bool KILN_REGISTER_CONCAT(kiln_registered_, __COUNTER__) = \
      (::kiln::runtime::Registry::Register(name, ::kiln::runtime::Function::FromTyped(name, __VA_ARGS__)), true)

}  // namespace kiln::runtime
