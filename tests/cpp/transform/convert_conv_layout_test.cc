// ConvertConvLayout: a conv -> bias -> relu -> conv -> residual chain stays
// blocked from the first conv to the output, a result also used plain gets
// its transform back, per-channel and ones-shaped operands, transform pairs
// that cancel, the convolutions it skips, and its options; each checked
// against the expected module.
#include "kiln/transform/convert_conv_layout.h"

#include "common/test_util.h"
#include "kiln/relax/printer.h"
#include "kiln/text/parser.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using testing::ExpectRewrite;

ir::IRModule Module(const std::string& main) {
  return text::Parse("module {\n" + main + "\n}");
}

void ExpectConverted(const std::string& before_main, const std::string& expected_main, int64_t block = 16) {
  ir::IRModule before = Module(before_main);
  ir::IRModule after = ConvertConvLayout(block)(before);
  ExpectRewrite(before, after, Module(expected_main));
}

void ExpectUnchanged(const std::string& main, const PassContext& ctx = PassContext::Current()) {
  ir::IRModule before = Module(main);
  EXPECT_FALSE(relax::FindMismatch(ConvertConvLayout(16)(before, ctx), before).has_value());
}

// conv(x) + b -> relu -> conv -> + x: x goes in once, the result comes out
// once, the weights and the bias are transformed where they are used.
TEST(ConvertConvLayout, ChainStaysBlocked) {
  ExpectConverted(R"(
  func @main(x: Tensor((1, 32, 8, 8), float32), w1: Tensor((32, 32, 3, 3), float32), b: Tensor((1, 32, 1, 1), float32), w2: Tensor((32, 32, 1, 1), float32)) -> Tensor((1, 32, 8, 8), float32) {
    with dataflow {
      lv: Tensor((1, 32, 8, 8), float32) = conv2d(x, w1, padding=[1, 1])
      lv1: Tensor((1, 32, 8, 8), float32) = add(lv, b)
      lv2: Tensor((1, 32, 8, 8), float32) = relu(lv1)
      lv3: Tensor((1, 32, 8, 8), float32) = conv2d(lv2, w2)
      output gv: Tensor((1, 32, 8, 8), float32) = add(lv3, x)
    }
    return gv
  })",
                  R"(
  func @main(x: Tensor((1, 32, 8, 8), float32), w1: Tensor((32, 32, 3, 3), float32), b: Tensor((1, 32, 1, 1), float32), w2: Tensor((32, 32, 1, 1), float32)) -> Tensor((1, 32, 8, 8), float32) {
    with dataflow {
      xb: Tensor((1, 2, 8, 8, 16), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW16c")
      w1b: Tensor((2, 2, 3, 3, 16, 16), float32) = layout_transform(w1, src_layout="OIHW", dst_layout="OIHW16i16o")
      lv: Tensor((1, 2, 8, 8, 16), float32) = conv2d(xb, w1b, padding=[1, 1], data_layout="NCHW16c", kernel_layout="OIHW16i16o", out_layout="NCHW16c")
      bb: Tensor((1, 2, 1, 1, 16), float32) = layout_transform(b, src_layout="NCHW", dst_layout="NCHW16c")
      lv1: Tensor((1, 2, 8, 8, 16), float32) = add(lv, bb)
      lv2: Tensor((1, 2, 8, 8, 16), float32) = relu(lv1)
      w2b: Tensor((2, 2, 1, 1, 16, 16), float32) = layout_transform(w2, src_layout="OIHW", dst_layout="OIHW16i16o")
      lv3: Tensor((1, 2, 8, 8, 16), float32) = conv2d(lv2, w2b, data_layout="NCHW16c", kernel_layout="OIHW16i16o", out_layout="NCHW16c")
      gvb: Tensor((1, 2, 8, 8, 16), float32) = add(lv3, xb)
      output gv: Tensor((1, 32, 8, 8), float32) = layout_transform(gvb, src_layout="NCHW16c", dst_layout="NCHW")
    }
    return gv
  })");
}

// relu's result feeds a conv (blocked) and a sum (plain): one transform back,
// for the sum; the (C, 1, 1) multiplier goes CHW -> CHW8c, the (1, 1, 1, 1)
// one broadcasts as it is.
TEST(ConvertConvLayout, PlainUsesGetATransformBack) {
  ExpectConverted(R"(
  func @main(x: Tensor((2, 16, 6, 6), float32), w: Tensor((16, 16, 1, 1), float32), s: Tensor((16, 1, 1), float32), t: Tensor((1, 1, 1, 1), float32)) -> Tensor((2, 16, 6, 6), float32) {
    with dataflow {
      lv: Tensor((2, 16, 6, 6), float32) = conv2d(x, w)
      lv1: Tensor((2, 16, 6, 6), float32) = multiply(lv, s)
      lv2: Tensor((2, 16, 6, 6), float32) = multiply(lv1, t)
      lv3: Tensor((2, 16, 6, 6), float32) = relu(lv2)
      lv4: Tensor((2, 16, 6, 6), float32) = conv2d(lv3, w)
      lv5: Tensor((2, 1, 6, 6), float32) = sum(lv3, axis=[1], keepdims=True)
      output gv: Tensor((2, 16, 6, 6), float32) = add(lv4, lv5)
    }
    return gv
  })",
                  R"(
  func @main(x: Tensor((2, 16, 6, 6), float32), w: Tensor((16, 16, 1, 1), float32), s: Tensor((16, 1, 1), float32), t: Tensor((1, 1, 1, 1), float32)) -> Tensor((2, 16, 6, 6), float32) {
    with dataflow {
      xb: Tensor((2, 2, 6, 6, 8), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW8c")
      wb: Tensor((2, 2, 1, 1, 8, 8), float32) = layout_transform(w, src_layout="OIHW", dst_layout="OIHW8i8o")
      lv: Tensor((2, 2, 6, 6, 8), float32) = conv2d(xb, wb, data_layout="NCHW8c", kernel_layout="OIHW8i8o", out_layout="NCHW8c")
      sb: Tensor((2, 1, 1, 8), float32) = layout_transform(s, src_layout="CHW", dst_layout="CHW8c")
      lv1: Tensor((2, 2, 6, 6, 8), float32) = multiply(lv, sb)
      lv2: Tensor((2, 2, 6, 6, 8), float32) = multiply(lv1, t)
      lv3b: Tensor((2, 2, 6, 6, 8), float32) = relu(lv2)
      lv3: Tensor((2, 16, 6, 6), float32) = layout_transform(lv3b, src_layout="NCHW8c", dst_layout="NCHW")
      lv4b: Tensor((2, 2, 6, 6, 8), float32) = conv2d(lv3b, wb, data_layout="NCHW8c", kernel_layout="OIHW8i8o", out_layout="NCHW8c")
      lv4: Tensor((2, 16, 6, 6), float32) = layout_transform(lv4b, src_layout="NCHW8c", dst_layout="NCHW")
      lv5: Tensor((2, 1, 6, 6), float32) = sum(lv3, axis=[1], keepdims=True)
      output gv: Tensor((2, 16, 6, 6), float32) = add(lv4, lv5)
    }
    return gv
  })",
                  8);
}

// batch_norm of a blocked tensor: a per-channel multiply and add whose
// scale and shift come from the statistics.
TEST(ConvertConvLayout, BatchNormBecomesPerChannelAffine) {
  ExpectConverted(R"(
  func @main(x: Tensor((1, 8, 4, 4), float32), w: Tensor((8, 8, 1, 1), float32), g: Tensor((8,), float32), b: Tensor((8,), float32), m: Tensor((8,), float32), v: Tensor((8,), float32)) -> Tensor((1, 8, 4, 4), float32) {
    with dataflow {
      lv: Tensor((1, 8, 4, 4), float32) = conv2d(x, w)
      output gv: Tensor((1, 8, 4, 4), float32) = batch_norm(lv, g, b, m, v, epsilon=0.001)
    }
    return gv
  })",
                  R"(
  func @main(x: Tensor((1, 8, 4, 4), float32), w: Tensor((8, 8, 1, 1), float32), g: Tensor((8,), float32), b: Tensor((8,), float32), m: Tensor((8,), float32), v: Tensor((8,), float32)) -> Tensor((1, 8, 4, 4), float32) {
    with dataflow {
      xb: Tensor((1, 1, 4, 4, 8), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW8c")
      wb: Tensor((1, 1, 1, 1, 8, 8), float32) = layout_transform(w, src_layout="OIHW", dst_layout="OIHW8i8o")
      lv: Tensor((1, 1, 4, 4, 8), float32) = conv2d(xb, wb, data_layout="NCHW8c", kernel_layout="OIHW8i8o", out_layout="NCHW8c")
      eps: Tensor((8,), float32) = full_like(v, fill_value=0.001)
      ve: Tensor((8,), float32) = add(v, eps)
      r: Tensor((8,), float32) = rsqrt(ve)
      s: Tensor((8,), float32) = multiply(g, r)
      s3: Tensor((8, 1, 1), float32) = expand_dims(s, axis=[1, 2])
      sb: Tensor((1, 1, 1, 8), float32) = layout_transform(s3, src_layout="CHW", dst_layout="CHW8c")
      ms: Tensor((8,), float32) = multiply(m, s)
      t: Tensor((8,), float32) = subtract(b, ms)
      t3: Tensor((8, 1, 1), float32) = expand_dims(t, axis=[1, 2])
      tb: Tensor((1, 1, 1, 8), float32) = layout_transform(t3, src_layout="CHW", dst_layout="CHW8c")
      y: Tensor((1, 1, 4, 4, 8), float32) = multiply(lv, sb)
      gvb: Tensor((1, 1, 4, 4, 8), float32) = add(y, tb)
      output gv: Tensor((1, 8, 4, 4), float32) = layout_transform(gvb, src_layout="NCHW8c", dst_layout="NCHW")
    }
    return gv
  })",
                  8);
}

// T_NCHW8c->NCHW(T_NCHW->NCHW8c(x)) -> x, and a transform to the block the
// pass chose reads the blocked result itself.
TEST(ConvertConvLayout, TransformPairsCancel) {
  ExpectConverted(R"(
  func @main(x: Tensor((1, 16, 4, 4), float32), w: Tensor((16, 16, 1, 1), float32)) -> Tensor((1, 2, 4, 4, 8), float32) {
    with dataflow {
      lv: Tensor((1, 2, 4, 4, 8), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW8c")
      lv1: Tensor((1, 16, 4, 4), float32) = layout_transform(lv, src_layout="NCHW8c", dst_layout="NCHW")
      lv2: Tensor((1, 16, 4, 4), float32) = relu(lv1)
      lv3: Tensor((1, 16, 4, 4), float32) = conv2d(lv2, w)
      output gv: Tensor((1, 2, 4, 4, 8), float32) = layout_transform(lv3, src_layout="NCHW", dst_layout="NCHW8c")
    }
    return gv
  })",
                  R"(
  func @main(x: Tensor((1, 16, 4, 4), float32), w: Tensor((16, 16, 1, 1), float32)) -> Tensor((1, 2, 4, 4, 8), float32) {
    with dataflow {
      lv: Tensor((1, 2, 4, 4, 8), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW8c")
      lv2: Tensor((1, 16, 4, 4), float32) = relu(x)
      lv2b: Tensor((1, 2, 4, 4, 8), float32) = layout_transform(lv2, src_layout="NCHW", dst_layout="NCHW8c")
      wb: Tensor((2, 2, 1, 1, 8, 8), float32) = layout_transform(w, src_layout="OIHW", dst_layout="OIHW8i8o")
      lv3: Tensor((1, 2, 4, 4, 8), float32) = conv2d(lv2b, wb, data_layout="NCHW8c", kernel_layout="OIHW8i8o", out_layout="NCHW8c")
      output gv: Tensor((1, 2, 4, 4, 8), float32) = lv3
    }
    return gv
  })",
                  8);
}

// A blocked variable does not leave its dataflow block: the second block
// starts again from the plain output of the first.
TEST(ConvertConvLayout, BlockedValuesStayInTheirBlock) {
  ExpectConverted(R"(
  func @main(x: Tensor((1, 8, 4, 4), float32), w: Tensor((8, 8, 1, 1), float32)) -> Tensor((1, 8, 4, 4), float32) {
    with dataflow {
      output gv: Tensor((1, 8, 4, 4), float32) = conv2d(x, w)
    }
    with dataflow {
      output gv1: Tensor((1, 8, 4, 4), float32) = conv2d(gv, w)
    }
    return gv1
  })",
                  R"(
  func @main(x: Tensor((1, 8, 4, 4), float32), w: Tensor((8, 8, 1, 1), float32)) -> Tensor((1, 8, 4, 4), float32) {
    with dataflow {
      xb: Tensor((1, 1, 4, 4, 8), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW8c")
      wb: Tensor((1, 1, 1, 1, 8, 8), float32) = layout_transform(w, src_layout="OIHW", dst_layout="OIHW8i8o")
      gvb: Tensor((1, 1, 4, 4, 8), float32) = conv2d(xb, wb, data_layout="NCHW8c", kernel_layout="OIHW8i8o", out_layout="NCHW8c")
      output gv: Tensor((1, 8, 4, 4), float32) = layout_transform(gvb, src_layout="NCHW8c", dst_layout="NCHW")
    }
    with dataflow {
      gv_b: Tensor((1, 1, 4, 4, 8), float32) = layout_transform(gv, src_layout="NCHW", dst_layout="NCHW8c")
      wb1: Tensor((1, 1, 1, 1, 8, 8), float32) = layout_transform(w, src_layout="OIHW", dst_layout="OIHW8i8o")
      gv1b: Tensor((1, 1, 4, 4, 8), float32) = conv2d(gv_b, wb1, data_layout="NCHW8c", kernel_layout="OIHW8i8o", out_layout="NCHW8c")
      output gv1: Tensor((1, 8, 4, 4), float32) = layout_transform(gv1b, src_layout="NCHW8c", dst_layout="NCHW")
    }
    return gv1
  })",
                  8);
}

// 24 channels do not divide by 16: the input block is 8, the output block
// (48 channels) 16; the next conv keeps 16 for its input.
TEST(ConvertConvLayout, HalfBlockForChannelsTheBlockDoesNotDivide) {
  ExpectConverted(R"(
  func @main(x: Tensor((1, 24, 4, 4), float32), w1: Tensor((48, 24, 1, 1), float32), w2: Tensor((40, 48, 1, 1), float32)) -> Tensor((1, 40, 4, 4), float32) {
    with dataflow {
      lv: Tensor((1, 48, 4, 4), float32) = conv2d(x, w1)
      output gv: Tensor((1, 40, 4, 4), float32) = conv2d(lv, w2)
    }
    return gv
  })",
                  R"(
  func @main(x: Tensor((1, 24, 4, 4), float32), w1: Tensor((48, 24, 1, 1), float32), w2: Tensor((40, 48, 1, 1), float32)) -> Tensor((1, 40, 4, 4), float32) {
    with dataflow {
      xb: Tensor((1, 3, 4, 4, 8), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW8c")
      w1b: Tensor((3, 3, 1, 1, 8, 16), float32) = layout_transform(w1, src_layout="OIHW", dst_layout="OIHW8i16o")
      lv: Tensor((1, 3, 4, 4, 16), float32) = conv2d(xb, w1b, data_layout="NCHW8c", kernel_layout="OIHW8i16o", out_layout="NCHW16c")
      w2b: Tensor((5, 3, 1, 1, 16, 8), float32) = layout_transform(w2, src_layout="OIHW", dst_layout="OIHW16i8o")
      gvb: Tensor((1, 5, 4, 4, 8), float32) = conv2d(lv, w2b, data_layout="NCHW16c", kernel_layout="OIHW16i8o", out_layout="NCHW8c")
      output gv: Tensor((1, 40, 4, 4), float32) = layout_transform(gvb, src_layout="NCHW8c", dst_layout="NCHW")
    }
    return gv
  })");
}

// A depthwise conv between two convs: data and result keep the block of 16,
// the kernel goes to OIHW1i16o.
TEST(ConvertConvLayout, DepthwiseStaysBlocked) {
  ExpectConverted(R"(
  func @main(x: Tensor((1, 16, 4, 4), float32), w1: Tensor((32, 16, 1, 1), float32), wd: Tensor((32, 1, 3, 3), float32)) -> Tensor((1, 32, 4, 4), float32) {
    with dataflow {
      lv: Tensor((1, 32, 4, 4), float32) = conv2d(x, w1)
      output gv: Tensor((1, 32, 4, 4), float32) = conv2d(lv, wd, padding=[1], groups=32)
    }
    return gv
  })",
                  R"(
  func @main(x: Tensor((1, 16, 4, 4), float32), w1: Tensor((32, 16, 1, 1), float32), wd: Tensor((32, 1, 3, 3), float32)) -> Tensor((1, 32, 4, 4), float32) {
    with dataflow {
      xb: Tensor((1, 1, 4, 4, 16), float32) = layout_transform(x, src_layout="NCHW", dst_layout="NCHW16c")
      w1b: Tensor((2, 1, 1, 1, 16, 16), float32) = layout_transform(w1, src_layout="OIHW", dst_layout="OIHW16i16o")
      lv: Tensor((1, 2, 4, 4, 16), float32) = conv2d(xb, w1b, data_layout="NCHW16c", kernel_layout="OIHW16i16o", out_layout="NCHW16c")
      wdb: Tensor((2, 1, 3, 3, 1, 16), float32) = layout_transform(wd, src_layout="OIHW", dst_layout="OIHW1i16o")
      gvb: Tensor((1, 2, 4, 4, 16), float32) = conv2d(lv, wdb, padding=[1], groups=32, data_layout="NCHW16c", kernel_layout="OIHW1i16o", out_layout="NCHW16c")
      output gv: Tensor((1, 32, 4, 4), float32) = layout_transform(gvb, src_layout="NCHW16c", dst_layout="NCHW")
    }
    return gv
  })");
}

TEST(ConvertConvLayout, SkipsWhatItCannotBlock) {
  // Grouped but not depthwise (groups 2; groups 32 with a channel multiplier of 2),
  // channels divisible by neither 16 nor 8, NHWC, symbolic channels.
  ExpectUnchanged(R"(
  func @main(x: Tensor((1, 32, 8, 8), float32), w: Tensor((32, 16, 3, 3), float32)) -> Tensor((1, 32, 6, 6), float32) {
    lv: Tensor((1, 32, 6, 6), float32) = conv2d(x, w, groups=2)
    return lv
  })");
  ExpectUnchanged(R"(
  func @main(x: Tensor((1, 32, 8, 8), float32), w: Tensor((64, 1, 3, 3), float32)) -> Tensor((1, 64, 6, 6), float32) {
    lv: Tensor((1, 64, 6, 6), float32) = conv2d(x, w, groups=32)
    return lv
  })");
  ExpectUnchanged(R"(
  func @main(x: Tensor((1, 12, 8, 8), float32), w: Tensor((32, 12, 3, 3), float32)) -> Tensor((1, 32, 6, 6), float32) {
    lv: Tensor((1, 32, 6, 6), float32) = conv2d(x, w)
    return lv
  })");
  ExpectUnchanged(R"(
  func @main(x: Tensor((1, 8, 8, 32), float32), w: Tensor((3, 3, 32, 32), float32)) -> Tensor((1, 6, 6, 32), float32) {
    lv: Tensor((1, 6, 6, 32), float32) = conv2d(x, w, data_layout="NHWC", kernel_layout="HWIO")
    return lv
  })");
  ExpectUnchanged(R"(
  func @main(x: Tensor((1, c, 8, 8), float32), w: Tensor((32, c, 3, 3), float32)) -> Tensor((1, 32, 6, 6), float32) {
    lv: Tensor((1, 32, 6, 6), float32) = conv2d(x, w)
    return lv
  })");
}

TEST(ConvertConvLayout, Options) {
  const std::string conv = R"(
  func @main(x: Tensor((1, 32, 8, 8), float32), w: Tensor((32, 32, 3, 3), float32)) -> Tensor((1, 32, 6, 6), float32) {
    lv: Tensor((1, 32, 6, 6), float32) = conv2d(x, w)
    return lv
  })";
  ir::IRModule mod = Module(conv);
  PassContext disabled = PassContext::Create(2, {{"relax.convert_conv_layout.disable", true}});
  EXPECT_EQ(ConvertConvLayout()(mod, disabled).get(), mod.get());
  PassContext block8 = PassContext::Create(2, {{"relax.convert_conv_layout.block", int64_t{8}}});
  EXPECT_NE(relax::ToText(ConvertConvLayout()(mod, block8)).find("NCHW8c"), std::string::npos);
  // The pass's own option wins over the config.
  EXPECT_NE(relax::ToText(ConvertConvLayout(16)(mod, block8)).find("NCHW16c"), std::string::npos);
  EXPECT_KILN_ERROR(ConvertConvLayout(-1), "ConvertConvLayout: block must be positive (or 0 for the host's), got -1");
  EXPECT_EQ(FindPass("ConvertConvLayout").info().opt_level, 2);
}

}  // namespace
}  // namespace kiln::transform
