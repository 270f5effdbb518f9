// Function: typed wrapping, argument checks, Any conversions, the registry.
#include "common/test_util.h"
#include "kiln/runtime/runtime.h"

namespace kiln::runtime {
namespace {

TEST(Function, TypedCallConvertsArguments) {
  Function f = Function::FromTyped("test.mix", [](int64_t a, double b, std::string s, bool flag) {
    return s + ":" + std::to_string(a * b) + (flag ? "!" : "");
  });
  EXPECT_EQ(f(3, 0.5, "x", true).Cast<std::string>(), "x:1.500000!");
  EXPECT_EQ(f(3, 2, "y", false).Cast<std::string>(), "y:6.000000");  // int accepted as float
}

TEST(Function, AllValueKinds) {
  Function id = Function::FromTyped("test.id", [](Any a) { return a; });
  EXPECT_TRUE(id(nullptr).is_none());
  EXPECT_EQ(id(DataType::Float(16)).Cast<DataType>(), DataType::Float(16));
  EXPECT_EQ(id(Device::CUDA(2)).Cast<Device>(), Device::CUDA(2));
  EXPECT_EQ(id(std::vector<int64_t>{2, 3}).Cast<std::vector<int64_t>>(), (std::vector<int64_t>{2, 3}));
  NDArray x = NDArray::Empty({2}, DataType::Float(32), Device::CPU());
  EXPECT_EQ(id(x).Cast<NDArray>().data(), x.data());
  EXPECT_EQ(id(id).Cast<Function>().name(), "test.id");
  EXPECT_EQ(id("float32").Cast<DataType>(), DataType::Float(32));  // strings parse as dtypes
  EXPECT_EQ(Any(x).TypeName(), "NDArray");
  EXPECT_EQ(Any(id).TypeName(), "Function");
}

TEST(Function, WrongArity) {
  Function f = Function::FromTyped("test.add", [](int64_t a, int64_t b) { return a + b; });
  EXPECT_KILN_ERROR(f(1), "function 'test.add' takes 2 arguments but was called with 1");
  EXPECT_KILN_ERROR(f(1, 2, 3), "called with 3");
}

TEST(Function, WrongKindNamesArgument) {
  Function f = Function::FromTyped("test.first", [](NDArray x, int64_t n) { return x.numel() + n; });
  EXPECT_KILN_ERROR(f(1, 2), "function 'test.first', argument 0: expected NDArray, got int");
  NDArray x = NDArray::Empty({2}, DataType::Float(32), Device::CPU());
  EXPECT_KILN_ERROR(f(x, "two"), "argument 1: expected int, got str");
  EXPECT_EQ(f(x, 1).Cast<int64_t>(), 3);
}

TEST(Function, ExceptionsPropagate) {
  Function f = Function::FromTyped("test.raise", []() -> int { KILN_THROW() << "boom"; });
  EXPECT_KILN_ERROR(f(), "boom");
}

TEST(Registry, RegisterFindRemove) {
  Registry::Register("test.registry.square", Function::FromTyped("sq", [](int64_t x) { return x * x; }));
  EXPECT_EQ(Registry::Get("test.registry.square")(7).Cast<int64_t>(), 49);
  EXPECT_KILN_ERROR(Registry::Register("test.registry.square", Function::FromTyped("x", [] {})), "already registered");
  Registry::Register("test.registry.square", Function::FromTyped("cube", [](int64_t x) { return x * x * x; }), true);
  EXPECT_EQ(Registry::Get("test.registry.square")(2).Cast<int64_t>(), 8);
  EXPECT_KILN_ERROR(Registry::Get("test.registry.sqare"), "did you mean 'test.registry.square'");
  EXPECT_TRUE(Registry::Remove("test.registry.square"));
  EXPECT_FALSE(Registry::Find("test.registry.square").has_value());
}

KILN_REGISTER_FUNCTION("test.static_registration", [](int64_t x) { return x + 1; });

TEST(Registry, StaticRegistration) {
  EXPECT_EQ(Registry::Get("test.static_registration")(41).Cast<int64_t>(), 42);
  EXPECT_TRUE(Registry::Find("runtime.module.load_so").has_value());
}

}  // namespace
}  // namespace kiln::runtime
