"""Runs every legalization test twice: on the kernels as LegalizeOps wrote
them (ids ending in [legalized]) and after the default CPU schedule
([scheduled]); legalize_util.run_kernel reads the mode. The default schedule
tests (test_default_schedule.py) schedule their kernels themselves and run
once."""

import legalize_util
import pytest


def pytest_generate_tests(metafunc):
    if "kernel_mode" in metafunc.fixturenames and metafunc.module.__name__ != "test_default_schedule":
        metafunc.parametrize("kernel_mode", legalize_util.MODES, indirect=True)


@pytest.fixture(autouse=True)
def kernel_mode(request):
    mode = getattr(request, "param", "legalized")
    legalize_util.mode = mode
    yield mode
    legalize_util.mode = "legalized"
