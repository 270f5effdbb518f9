// The ConvertConvLayout pass: 2-D convolutions in NCHW move to the blocked
// NCHW<b>c layout, where the default schedule vectorizes over a block of
// output channels, and activations stay blocked from one convolution to the
// next.
#pragma once

#include <cstdint>

#include "kiln/transform/pass.h"

namespace kiln::transform {

// ConvertConvLayout
//   Summary:     rewrites each relax.conv2d with data NCHW, kernel OIHW,
//                groups 1 (or depthwise) and constant channel counts into
//                  layout_transform(data, NCHW -> NCHW<i>c)
//                  conv2d(.., layout_transform(weight, OIHW -> OIHW<i>i<o>o))
//                  layout_transform(result, NCHW<o>c -> NCHW)
//                where the input block i and the output block o are each
//                the block b, or b / 2 (at least 4) for channel counts that
//                b does not divide (the conv stays when neither does), and
//                i is all the input channels when they are fewer than b / 2
//                (an image's 3: NCHW3c, OIHW3i<o>o); i is
//                the data's block when the data is blocked already; a
//                depthwise conv2d (groups = C = O) becomes conv2d(..,
//                layout_transform(weight, OIHW -> OIHW1i<b>o)), data and
//                result blocked by one b (the data's, when blocked);
//                and keeps activations blocked through the ops that do not
//                care about the layout: elementwise ops of one blocked
//                tensor (relu, ...), and add, subtract, multiply, divide,
//                maximum and minimum whose operands are blocked or same-shape
//                tensors (transformed), per-channel tensors of shape
//                (1, C, 1, 1) or (C, 1, 1) (transformed too: a bias), or
//                tensors of ones only in their shape (as they are); and
//                batch_norm along C, rewritten as x * s + t with per-channel
//                s and t computed from its statistics (folded when those
//                are constants); and max_pool2d / avg_pool2d in NCHW of a
//                blocked tensor, which take layout NCHW<b>c. A
//                transform back to NCHW is emitted only where a plain
//                tensor is used (another op, a block output), and
//                layout_transform(layout_transform(x, A -> B), B -> A)
//                becomes x. Weights get their layout_transform in the graph:
//                FoldConstant computes it once for a constant, and
//                LiftTransformParams lifts it out for a parameter.
//   Runs after:  Normalize (reads struct info). Before LegalizeOps.
//   Opt level:   2.
//   Options:     block: channels per block; 0 (default) takes the config key
//                "relax.convert_conv_layout.block" when set, else the host's
//                vector width in elements of the conv's dtype (16 float32
//                with AVX-512, 8 with AVX2). The config key
//                "relax.convert_conv_layout.disable" (bool) turns it off.
Pass ConvertConvLayout(int64_t block = 0);

}  // namespace kiln::transform
