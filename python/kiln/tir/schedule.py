"""Schedules of loop programs (``kiln.tir.Schedule``): handles to blocks and
loops, the primitives that transform them, and the trace that records them.

.. code-block:: python

    sch = kiln.tir.Schedule(func)          # a PrimFunc or an IRModule
    c = sch.get_block("C")
    i, j, k = sch.get_loops(c)
    j0, j1 = sch.split(j, factors=[None, 16])
    sch.vectorize(j1)
    print(sch.trace)                       # replays with Trace.from_text(...).apply_to(...)

    r = kiln.tir.schedule.default_schedule(func)   # the rule-based CPU schedule
    print(r.rule, r.trace)                 # r.func is the scheduled PrimFunc
"""

from .._core.schedule import (
    BlockRV,
    ExprRV,
    IndexMap,
    LoopRV,
    Schedule,
    DefaultScheduleResult,
    Trace,
    default_schedule,
    list_tensor_intrins,
    register_tensor_intrin,
    register_x86_intrinsics,
)

__all__ = [
    "BlockRV",
    "ExprRV",
    "IndexMap",
    "LoopRV",
    "Schedule",
    "DefaultScheduleResult",
    "Trace",
    "default_schedule",
    "list_tensor_intrins",
    "register_tensor_intrin",
    "register_x86_intrinsics",
]
