// DataType: parse and print every supported type, reject unknown ones.
#include <gtest/gtest.h>

#include "kiln/runtime/runtime.h"

using kiln::DataType;

TEST(DataType, ParsePrintRoundTrip) {
  for (const char* s : {"float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                        "uint16", "uint32", "bool", "float32x8", "int8x64", "handle"}) {
    EXPECT_EQ(DataType::Parse(s).str(), s);
  }
}

TEST(DataType, Fields) {
  DataType t = DataType::Parse("float32x8");
  EXPECT_EQ(t.code(), DataType::kFloat);
  EXPECT_EQ(t.bits(), 32);
  EXPECT_EQ(t.lanes(), 8);
  EXPECT_EQ(t.bytes(), 32);
  EXPECT_EQ(t.element_of(), DataType::Float(32));
  EXPECT_EQ(DataType::Bool().bytes(), 1);
  EXPECT_EQ(DataType::BFloat16().str(), "bfloat16");
  EXPECT_TRUE(DataType::BFloat16().is_float());
}

TEST(DataType, UnknownNamesTheString) {
  for (const char* s : {"float33", "floaty", "", "int", "float32x", "float32x0", "x8", "complex64", "int7"}) {
    try {
      DataType::Parse(s);
      FAIL() << "accepted " << s;
    } catch (const kiln::Error& e) {
      EXPECT_NE(e.message().find(std::string("unknown dtype \"") + s + "\""), std::string::npos) << e.what();
    }
  }
}

TEST(DataType, UnsupportedDLPackType) {
  EXPECT_THROW(DataType(DLDataType{kDLComplex, 64, 1}), kiln::Error);
  EXPECT_THROW(DataType(DLDataType{kDLFloat, 8, 1}), kiln::Error);
  EXPECT_EQ(DataType(DLDataType{kDLBool, 1, 1}), DataType::Bool());
}

TEST(Device, ParseAndPrint) {
  EXPECT_EQ(kiln::Device::Parse("cpu"), kiln::Device::CPU(0));
  EXPECT_EQ(kiln::Device::Parse("cuda:1"), kiln::Device::CUDA(1));
  EXPECT_EQ(kiln::Device::CUDA(1).str(), "cuda:1");
  EXPECT_THROW(kiln::Device::Parse("tpu"), kiln::Error);
  EXPECT_THROW(kiln::Device::Parse("cpu:x"), kiln::Error);
}
