"""Shared fixtures for the Python tests."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import compat_matrix  # tests/python/compat_matrix.py: @pytest.mark.compat and build/compat.json

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def library_so(tmp_path_factory):
    """tests/fixtures/c/library_module.c compiled into a shared library in
    Kiln's C calling convention (functions add_one, scale, workspace)."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the fixture library")
    out = tmp_path_factory.mktemp("lib") / "library_module.so"
    subprocess.run(
        [cc, "-O2", "-shared", "-fPIC", f"-I{ROOT / 'include'}",
         str(ROOT / "tests/fixtures/c/library_module.c"), "-o", str(out)],
        check=True,
    )
    return out


def pytest_configure(config):
    compat_matrix.configure(config)
    # scripts/test.sh runs these after the docs build, the rest before it
    # (the compatibility page renders the json the first run writes).
    config.addinivalue_line("markers", "built_docs: checks the site scripts/docs.sh built (docs/_build/html)")
