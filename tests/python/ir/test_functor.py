"""Passes written in Python with the visitors and mutators of relax and tir:
rewrites checked structurally against the expected text, node identity for
dicts, errors from hooks, and a well-formedness error that names the pass
and the place."""

import numpy as np
import pytest

import kiln
from kiln import relax, tir, transform

BEFORE = """
module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    attrs {"global_symbol": "main"}
    with dataflow {
      y: Tensor((4,), float32) = add(x, x)
      z: Tensor((4,), float32) = add(y, x)
      output r: Tensor((4,), float32) = relu(z)
    }
    return r
  }
}
"""

EXPECTED = """
module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    attrs {"global_symbol": "main"}
    with dataflow {
      y: Tensor((4,), float32) = multiply(x, const(2.0, float32))
      z: Tensor((4,), float32) = add(y, x)
      output r: Tensor((4,), float32) = relu(z)
    }
    return r
  }
}
"""


class AddToMul(relax.ExprMutator):
    """add(a, a) -> multiply(a, 2)"""

    def visit_call_(self, call):
        call = super().visit_call_(call)
        if call.op == relax.get_op("add") and call.args[0] == call.args[1]:
            return relax.op.multiply(call.args[0], relax.Constant(np.array(2.0, "float32")))
        return call


def test_relax_mutator_in_a_function_pass():
    @transform.function_pass(opt_level=1)
    def add_to_mul(func, mod, ctx):
        """Doubles by multiplication."""
        return AddToMul(mod).visit_expr(func)

    mod = kiln.parse(BEFORE)
    out = add_to_mul(mod)
    kiln.ir.assert_structural_equal(out, kiln.parse(EXPECTED))
    assert relax.check_well_formed(out) == []
    kiln.ir.assert_structural_equal(mod, kiln.parse(BEFORE))  # the input is untouched


def test_a_mutator_that_changes_nothing_returns_the_same_objects():
    class Nothing(relax.ExprMutator):
        def visit_call_(self, call):
            return super().visit_call_(call)

    mod = kiln.parse(EXPECTED)
    assert Nothing(mod).visit_expr(mod["main"]).same_as(mod["main"])


def test_mutator_emits_through_its_builder_and_drops_bindings():
    before = kiln.parse("""
module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    with dataflow {
      y: Tensor((4,), float32) = relu(x)
      output z: Tensor((4,), float32) = exp(y)
    }
    return z
  }
}""")

    class SplitRelu(relax.ExprMutator):
        """relu(a) -> maximum(a, zeros_like(a)), the zeros bound first."""

        def visit_call_(self, call):
            call = super().visit_call_(call)
            if call.op == relax.get_op("relu"):
                zero = self.builder.emit(relax.op.zeros_like(call.args[0]), "zero")
                return relax.op.maximum(call.args[0], zero)
            return call

    class DropRelu(relax.ExprMutator):
        """y = relu(x) goes; uses of y become x."""

        def visit_binding(self, binding):
            if binding.value.op == relax.get_op("relu"):
                self.remap_var(binding.var, binding.value.args[0])
            else:
                super().visit_binding(binding)

    split = SplitRelu(before).visit_expr(before["main"])
    kiln.ir.assert_structural_equal(split, kiln.parse("""
module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    with dataflow {
      zero: Tensor((4,), float32) = zeros_like(x)
      y: Tensor((4,), float32) = maximum(x, zero)
      output z: Tensor((4,), float32) = exp(y)
    }
    return z
  }
}""")["main"])
    dropped = DropRelu(before).visit_expr(before["main"])
    kiln.ir.assert_structural_equal(dropped, kiln.parse("""
module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    with dataflow {
      output z: Tensor((4,), float32) = exp(x)
    }
    return z
  }
}""")["main"])


def test_relax_visitor_sees_calls_bindings_and_definitions():
    class Collect(relax.ExprVisitor):
        def __init__(self):
            super().__init__()
            self.ops, self.uses, self.defs = [], {}, []

        def visit_call_(self, call):
            self.ops.append(call.op.name)
            super().visit_call_(call)

        def visit_var_(self, var):
            self.uses[var] = self.uses.get(var, 0) + 1  # nodes key dicts by identity

        def visit_var_def(self, var):
            self.defs.append(var.name)

    c = Collect()
    c.visit_expr(kiln.parse(BEFORE)["main"])
    assert c.ops == ["relax.add", "relax.add", "relax.relu"]
    assert c.defs == ["x", "y", "z", "r"]
    assert {v.name: n for v, n in c.uses.items()} == {"x": 3, "y": 1, "z": 1, "r": 1}


def test_nodes_compare_and_hash_by_identity():
    mod = kiln.parse(BEFORE)
    x1, x2 = mod["main"].params[0], mod["main"].params[0]
    assert x1 == x2 and hash(x1) == hash(x2) and len({x1, x2}) == 1
    other = relax.Var("x", relax.TensorStructInfo([4], "float32"))
    assert x1 != other and x1 != "x"
    n = tir.Var("n")
    assert n == n and n != tir.Var("n")  # identity, not name


def test_errors_in_hooks_name_the_hook():
    class ReturnsNone(relax.ExprMutator):
        def visit_call_(self, call):
            return None

    class Raises(relax.ExprMutator):
        def visit_call_(self, call):
            raise ValueError("nope")

    mod = kiln.parse(BEFORE)
    with pytest.raises(kiln.Error, match="ReturnsNone.visit_call_ returned None"):
        ReturnsNone(mod).visit_expr(mod["main"])
    with pytest.raises(ValueError, match="nope"):
        Raises(mod).visit_expr(mod["main"])


def test_a_mutator_returning_ill_formed_ir_raises_with_the_location():
    mod = kiln.parse(BEFORE + "\n").with_function(
        "helper", kiln.parse("""
module {
  func @helper(ghost: Tensor((4,), float32)) -> Tensor((4,), float32) {
    return ghost
  }
}""")["helper"]
    )
    ghost = mod["helper"].params[0]

    class UseGhost(relax.ExprMutator):
        """relu(z) -> relu(ghost): a variable of another function."""

        def visit_call_(self, call):
            call = super().visit_call_(call)
            if call.op == relax.get_op("relu"):
                return relax.op.relu(ghost)
            return call

    @transform.function_pass
    def use_ghost(func, mod, ctx):
        return UseGhost(mod).visit_expr(func) if func.same_as(mod["main"]) else func

    with pytest.raises(kiln.Error) as info:
        use_ghost(mod)
    message = str(info.value)
    assert "not well formed after pass 'use_ghost'" in message
    # the place: the function, and the line and column of the stray variable
    assert "in function 'main' (3:16): variable 'ghost' is used but not defined" in message, message


TIR_BEFORE = """
module {
  prim @scale(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
    for i in range(8) {
      B[i] = A[i] * 2.0
    }
  }
}
"""

TIR_EXPECTED = """
module {
  prim @scale(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
    for i in parallel(8) {
      B[i] = A[i] + A[i]
    }
  }
}
"""


def test_tir_mutator_in_a_prim_func_pass():
    class Rewrite(tir.StmtMutator):
        def visit_for_(self, loop):
            loop = super().visit_for_(loop)
            return tir.For(loop.loop_var, loop.min, loop.extent, "parallel", loop.body)

        def visit_binary_(self, e):
            e = super().visit_binary_(e)
            if e.op == "Mul" and isinstance(e.b, tir.FloatImm) and e.b.value == 2.0:
                return e.a + e.a  # x * 2 -> x + x
            return e

    @transform.prim_func_pass
    def parallel_double(func, mod, ctx):
        return func.with_body(Rewrite().visit_stmt(func.body))

    out = parallel_double(kiln.parse(TIR_BEFORE))
    kiln.ir.assert_structural_equal(out, kiln.parse(TIR_EXPECTED))


def test_tir_visitor_and_expression_mutator():
    class Buffers(tir.StmtVisitor):
        def __init__(self):
            super().__init__()
            self.seen = []

        def visit_buffer_use(self, buffer):
            self.seen.append(buffer.name)

    v = Buffers()
    v.visit_stmt(kiln.parse(TIR_BEFORE)["scale"].body)
    assert v.seen == ["B", "A"]

    class Shift(tir.ExprMutator):
        def visit_var_(self, var):
            return var + 1

    n = tir.Var("n")
    kiln.ir.assert_structural_equal(Shift().visit_expr(n * 2), (n + 1) * 2)
    assert not hasattr(tir.ExprMutator, "visit_for_") and hasattr(tir.StmtMutator, "visit_for_")


def test_a_subclass_must_initialize_its_base():
    class Forgetful(tir.StmtVisitor):
        def __init__(self):
            self.count = 0

    with pytest.raises(kiln.Error, match=r"Forgetful.__init__ must call super\(\).__init__\(\)"):
        Forgetful().visit_stmt(kiln.parse(TIR_BEFORE)["scale"].body)
