"""vm.profile and vm.time_evaluator on modules from kiln.compile: one row
per kernel the run calls, with the bytecode's call counts and positive
times that add up to about the whole run; the table is readable; the timer
returns consistent statistics."""

import re
from pathlib import Path

import numpy as np
import pytest

import kiln

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture_const(shape, seed):
    """The constants of tests/fixtures/make_fixtures.py."""
    return (np.random.default_rng(seed).standard_normal(shape) * 0.1).astype("float32")


@pytest.fixture(scope="module")
def mlp():
    """A VM over tests/fixtures/mlp.kir, its arguments (batch 64) and the
    calls its bytecode makes: {kernel name: calls}."""
    ex = kiln.compile(kiln.parse((FIXTURES / "mlp.kir").read_text()))
    x = np.random.default_rng(1).standard_normal((64, 784)).astype("float32")
    args = [kiln.nd.array(a) for a in (x, fixture_const((256, 784), 2), fixture_const((256,), 3),
                                        fixture_const((10, 256), 4), fixture_const((10,), 5))]
    return kiln.VirtualMachine(ex, kiln.cpu()), args, kernel_calls(ex.executable.as_text(), "main")


def kernel_calls(text, function):
    """{kernel: number of call instructions} in `function` of an
    executable's text form (no control flow: each runs once)."""
    kernels = dict(re.findall(r"^\s+@(\d+) kernel (\S+)$", text, re.M))
    body = text.split(f"\n{function}(", 1)[1].split("\n\n", 1)[0]
    calls = {}
    for index in re.findall(r"call @(\d+) ", body):
        if index in kernels:
            calls[kernels[index]] = calls.get(kernels[index], 0) + 1
    return calls


def test_profile_rows_are_the_kernel_calls(mlp):
    vm, args, calls = mlp
    assert len(calls) >= 3, calls  # linear, relu, linear, log_softmax (or fused versions)
    vm["main"](*args)  # warm up: the first run starts the thread pool
    report = vm.profile("main", *args)
    assert report.function == "main"
    kernels = {row.name: row for row in report.rows if row.kind == "kernel"}
    assert {name: row.calls for name, row in kernels.items()} == calls
    assert all(row.total_us > 0 for row in report.rows)
    assert [row.total_us for row in report.rows] == sorted((row.total_us for row in report.rows), reverse=True)
    # Every packed call is timed inside the run; what is left is the VM's
    # own work (argument checks, dispatch), small beside these kernels.
    packed = sum(row.total_us for row in report.rows)
    assert packed <= report.total_us
    assert packed >= 0.8 * report.total_us, str(report)


def test_profile_table(mlp):
    vm, args, calls = mlp
    report = vm.profile("main", *args)
    lines = str(report).splitlines()
    assert lines[0].split() == ["profile", "of", "main", "kind", "calls", "total", "(us)", "mean", "(us)", "share"]
    assert len(lines) == len(report.rows) + 3  # header, rows, the VM's share, total
    for line, row in zip(lines[1:], report.rows):
        fields = line.split()
        assert fields[:3] == [row.name, row.kind, str(row.calls)]
        assert float(fields[3]) == pytest.approx(row.total_us, abs=0.01)
        assert fields[5].endswith("%")
    assert lines[-1].split()[0] == "total" and lines[-1].endswith("100.0%")
    shares = [float(line.split()[-1].rstrip("%")) for line in lines[1:-1]]
    assert sum(shares) == pytest.approx(100.0, abs=0.1 * len(shares))


def test_time_evaluator(mlp):
    vm, args, _ = mlp
    timer = vm.time_evaluator("main", number=5, repeat=3)
    result = timer(*args)
    assert len(result.results) == 3 and result.number == 5
    assert 0 < result.min <= result.median <= result.max
    assert result.mean == pytest.approx(np.mean(result.results))
    # Seconds per call: one run of main, within a wide band of the profiled run.
    total_s = vm.profile("main", *args).total_us * 1e-6
    assert total_s / 20 < result.median < total_s * 20
    np.testing.assert_array_equal(vm["main"](*args).numpy(), vm["main"](*args).numpy())
