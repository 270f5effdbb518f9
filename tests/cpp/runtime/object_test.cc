// Object and Ref: reference counting and checked downcasts.
#include <gtest/gtest.h>

#include "kiln/runtime/runtime.h"

namespace kiln::runtime {
namespace {
struct Base : Object {
  KILN_OBJECT_TYPE(Base, Object, "test.Base")
  static inline int live = 0;
  Base() { ++live; }
  ~Base() override { --live; }
};
struct Derived : Base {
  KILN_OBJECT_TYPE(Derived, Base, "test.Derived")
  int value = 7;
};
struct Other : Object {
  KILN_OBJECT_TYPE(Other, Object, "test.Other")
};

TEST(Object, RefCountFreesOnLastRelease) {
  {
    Ref<Derived> a = MakeObject<Derived>();
    EXPECT_EQ(a->use_count(), 1);
    {
      Ref<Base> b = a;
      EXPECT_EQ(a->use_count(), 2);
      EXPECT_EQ(Base::live, 1);
    }
    EXPECT_EQ(a->use_count(), 1);
  }
  EXPECT_EQ(Base::live, 0);
}

TEST(Object, Downcasts) {
  ObjectRef o = MakeObject<Derived>();
  EXPECT_TRUE(o->IsInstance<Base>());
  EXPECT_TRUE(o->IsInstance<Derived>());
  EXPECT_TRUE(o->IsInstance<Object>());
  EXPECT_FALSE(o->IsInstance<Other>());
  EXPECT_EQ(o.As<Derived>()->value, 7);
  EXPECT_FALSE(o.As<Other>());
  EXPECT_EQ(o->type_key(), "test.Derived");
  ObjectRef b = MakeObject<Base>();
  EXPECT_FALSE(b.As<Derived>());
}

TEST(Object, MoveLeavesEmpty) {
  Ref<Base> a = MakeObject<Base>();
  Ref<Base> b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(b->use_count(), 1);
}
}  // namespace
}  // namespace kiln::runtime
