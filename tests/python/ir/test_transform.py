"""Passes from Python: registered passes, passes written in Python,
Sequential, PassContext opt levels and config, and the instruments."""

import pytest

import kiln
from kiln import relax, tir, transform
from kiln.relax import op


def module_with_dead_code():
    x = relax.Var("x", relax.TensorStructInfo([4], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    bb.emit(op.exp(x))  # unused
    out = bb.emit_output(op.relu(x))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def test_registered_passes():
    names = {p["name"] for p in transform.list_passes()}
    assert {"Normalize", "CanonicalizeBindings", "DeadCodeElimination"} <= names
    out = transform.DeadCodeElimination()(module_with_dead_code())
    assert "exp" not in out.script() and "relu" in out.script()


def test_python_module_pass_and_sequential():
    seen = []

    @transform.module_pass(opt_level=1)
    def record(mod, ctx):
        """Records the opt level it ran at."""
        seen.append(ctx.opt_level)
        return mod

    assert record.name == "record" and record.info["summary"] == "Records the opt level it ran at."
    mod = module_with_dead_code()
    with transform.PassContext(opt_level=0):
        transform.Sequential([record])(mod)  # skipped: opt level 1 > 0
    with transform.PassContext(opt_level=2):
        transform.Sequential([record])(mod)
    assert seen == [2]


def test_python_function_pass_rewrites_each_function():
    @transform.function_pass
    def rename_attr(func, mod, ctx):
        return relax.Function(func.params, func.body, func.ret_struct_info, func.is_pure, {"tag": "seen"})

    out = rename_attr(module_with_dead_code())
    assert out["main"].attrs == {"tag": "seen"}


def test_errors_inside_python_passes_name_the_pass():
    @transform.module_pass
    def broken(mod, ctx):
        raise ValueError("nope")

    with pytest.raises(kiln.Error, match="Python function 'broken' raised ValueError: nope"):
        broken(module_with_dead_code())


def test_instruments(tmp_path):
    timing = transform.pass_timing()
    with transform.PassContext(instruments=[timing, transform.dump_ir(str(tmp_path))]):
        transform.Sequential([transform.Normalize(), transform.DeadCodeElimination()])(module_with_dead_code())
    assert [r[0] for r in timing.records][:2] == ["Sequential", "Normalize"] or "Normalize" in timing.report()
    dumped = sorted(p.name for p in tmp_path.iterdir())
    assert any("DeadCodeElimination" in name for name in dumped)
    for name in dumped:
        kiln.parse((tmp_path / name).read_text())  # every dump is valid text


def test_well_formed_check_names_the_breaking_pass():
    @transform.module_pass
    def drop_main_param(mod, ctx):
        f = mod["main"]
        return mod.with_function("main", relax.Function([], f.body, f.ret_struct_info))

    with pytest.raises(kiln.Error, match="not well formed after pass 'drop_main_param'"):
        with transform.PassContext(instruments=[transform.well_formed_check()]):
            drop_main_param(module_with_dead_code())


def test_config_is_validated():
    with pytest.raises(kiln.Error):
        transform.PassContext(config={"no_such_key": 1})
    keys = {c["key"] for c in transform.list_pass_configs()}
    assert "dump_ir" in keys
