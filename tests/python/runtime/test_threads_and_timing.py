"""The thread pool size from Python and KILN_NUM_THREADS; time_evaluator."""

import os
import subprocess
import sys
import time

import pytest

import kiln


def test_set_num_threads():
    saved = kiln.num_threads()
    try:
        kiln.set_num_threads(1)
        assert kiln.num_threads() == 1
        kiln.set_num_threads(2)
        assert kiln.num_threads() == 2
        with pytest.raises(kiln.Error, match="from 1 to 1024"):
            kiln.set_num_threads(0)
    finally:
        kiln.set_num_threads(saved)


def test_num_threads_from_environment():
    code = "import kiln; print(kiln.num_threads())"
    env = dict(os.environ, KILN_NUM_THREADS="3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
    env["KILN_NUM_THREADS"] = "lots"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "KILN_NUM_THREADS must be a number" in out.stderr


def test_time_evaluator_on_python_function():
    calls = []

    def work(n):
        calls.append(n)
        time.sleep(0.001)

    timer = kiln.time_evaluator(work, number=2, repeat=3)
    r = timer(5)
    assert isinstance(r, kiln.TimingResult)
    assert len(r.results) == 3 and r.number == 2
    assert len(calls) == 1 + 2 * 3 and calls[0] == 5
    assert 0.001 <= r.min <= r.median <= r.max
    assert "median=" in repr(r)


def test_time_evaluator_min_repeat_ms():
    r = kiln.time_evaluator(kiln.get_global_func("testing.echo"), number=1, repeat=2, min_repeat_ms=5)(1)
    assert r.number > 1
    assert r.median * r.number >= 0.004


def test_package_surface():
    assert kiln.__version__ == "0.1.0"
    for name in kiln.__all__:
        assert hasattr(kiln, name), name
    assert issubclass(kiln.Error, Exception)
