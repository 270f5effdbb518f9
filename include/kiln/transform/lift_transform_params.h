// The LiftTransformParams pass: moves the computations that depend only on a
// function's weights into a function of their own, run once before
// inference instead of on every call.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// LiftTransformParams
//   Summary:     for each relax function `f` with the attribute
//                "num_input" = k (its first k parameters are the inputs, the
//                others its weights), the top-level bindings whose values
//                are pure and computed from weights and constants alone
//                (transposes, layout transforms, casts of weights, call_tir
//                on them) move into a new function `f_transform_params`
//                (weights...) -> (values...), which has a "global_symbol".
//                `f` then takes (inputs..., values...): the values are the
//                lifted results it still uses and the weights it uses
//                directly, in the order they were defined (weights first,
//                in parameter order, then lifted bindings); "num_input"
//                stays k. So vm["f"](x, *vm["f_transform_params"](*weights))
//                equals the old vm["f"](x, *weights).
//                Bindings computed from constants alone stay (FoldConstant
//                folds them; those a lifted binding needs are copied into
//                `f_transform_params`). Bindings inside if branches, match
//                casts, and values naming a symbolic dimension that no
//                weight defines stay too. The transform function is made
//                even when nothing lifts, so the calling convention does
//                not depend on the model. Left alone: functions without
//                "num_input", and functions whose `f_transform_params`
//                already exists (lifted before). Raises kiln::Error when
//                "num_input" is negative or more than the parameters.
//   Runs after:  Normalize (needs struct info); in the default pipeline
//                after LegalizeOps, so what it lifts are kernel calls.
//   Opt level:   0 (it changes the calling convention, which must not
//                depend on the opt level).
//   Options:     none.
Pass LiftTransformParams();

}  // namespace kiln::transform
