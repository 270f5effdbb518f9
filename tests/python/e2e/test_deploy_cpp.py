"""examples/deploy_cpp end to end: make_model.py exports a compiled MLP,
CMake builds the C++ program against libkiln_runtime alone, and the program
runs the model: its output equals the Python VM's on the same library, a
wrong expectation makes it fail, and its dynamic dependencies hold neither
the compiler library nor LLVM."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kiln

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "deploy_cpp"
VENV_BIN = Path(sys.executable).parent


def tool(name):
    path = VENV_BIN / name
    return str(path) if path.exists() else shutil.which(name)


@pytest.fixture(scope="module")
def deploy(tmp_path_factory):
    """(the built program, the folder make_model.py wrote)."""
    cmake, ninja = tool("cmake"), tool("ninja")
    if cmake is None or ninja is None or not (ROOT / "build" / "lib" / "libkiln_runtime.so").exists():
        pytest.skip("needs cmake, ninja and build/lib/libkiln_runtime.so")
    model = tmp_path_factory.mktemp("model")
    build = tmp_path_factory.mktemp("build")
    run = subprocess.run([sys.executable, str(EXAMPLE / "make_model.py"), str(model)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    configure = [cmake, "-S", str(EXAMPLE), "-B", str(build), "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}",
                 f"-DKILN_ROOT={ROOT}", "-DCMAKE_BUILD_TYPE=Release"]
    for cmd in (configure, [cmake, "--build", str(build)]):
        run = subprocess.run(cmd, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
    return build / "deploy_cpp", model


def run_program(program, model, expected="expected.kiln", *extra):
    return subprocess.run(
        [str(program), str(model / "model.so"), str(model / "inputs.kiln"), str(model / expected), *extra],
        capture_output=True, text=True, timeout=60,
    )


def test_program_output_equals_python_vm(deploy, tmp_path):
    program, model = deploy
    run = run_program(program, model, "expected.kiln", "--save", str(tmp_path / "out.kiln"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "output: (4, 10) float32" in run.stdout
    assert run.stdout.rstrip().endswith("OK")
    # The bad call the example makes on purpose, and the call after it.
    assert (
        "bad input rejected: main: argument 'x' (0) must be Tensor((n, 784), float32), "
        "got Tensor((3136,), float32): rank 1, expected 2" in run.stdout
    )
    got = kiln.nd.load(tmp_path / "out.kiln")["output"].numpy()
    vm = kiln.VirtualMachine(kiln.load(str(model / "model.so")), kiln.cpu())
    x = kiln.nd.load(model / "inputs.kiln")["x"]
    np.testing.assert_array_equal(got, vm["main"](x).numpy())
    np.testing.assert_allclose(got, kiln.nd.load(model / "expected.kiln")["y"].numpy(), rtol=1e-4, atol=1e-5)


def test_program_fails_on_a_mismatch(deploy, tmp_path):
    program, model = deploy
    wrong = kiln.nd.load(model / "expected.kiln")["y"].numpy()
    wrong[2, 3] += 0.01
    kiln.nd.save(tmp_path / "wrong.kiln", {"y": wrong})
    run = run_program(program, model, tmp_path / "wrong.kiln")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "MISMATCH" in run.stdout
    run = run_program(program, model, tmp_path / "missing.kiln")
    assert run.returncode == 2 and "cannot open array file" in run.stderr


def needed_libraries(path):
    """The DT_NEEDED entries of an ELF file."""
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


@pytest.mark.skipif(shutil.which("readelf") is None or shutil.which("ldd") is None, reason="needs readelf and ldd")
def test_program_links_only_the_runtime(deploy):
    program, model = deploy
    needed = needed_libraries(program)
    assert "libkiln_runtime.so" in needed, needed
    assert not any(n.startswith("libkiln.so") or "LLVM" in n for n in needed), needed
    # Everything the loader pulls in, transitively, for the program and the model.
    for path in (program, model / "model.so"):
        libs = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True,
                              env={**os.environ, "LD_LIBRARY_PATH": ""}).stdout
        assert "not found" not in libs, libs
        assert "libkiln.so" not in libs and "LLVM" not in libs, libs
    assert not any("kiln" in n or "LLVM" in n for n in needed_libraries(model / "model.so"))
