"""The compatibility matrix: the pytest plugin (tests/python/compat_matrix.py)
records real outcomes of marked tests in its json, and the docs extension
(docs/_ext/kiln_compat.py) turns a json into the right cells and table."""

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import kiln_compat  # noqa: E402

TABLES = kiln_compat.load_tables()


def synthetic():
    def r(feature, target, outcome, test):
        return {"feature": feature, "target": target, "outcome": outcome, "test": test}

    return {"version": 1, "updated": "2026-01-01 00:00:00 UTC", "results": [
        r("onnx_import", "llvm", "passed", "tests/python/frontend/test_a.py::test_x[1]"),
        r("onnx_import", "llvm", "passed", "tests/python/frontend/test_a.py::test_x[2]"),
        r("nn", "llvm", "passed", "tests/python/nn/test_b.py::test_y"),
        r("nn", "llvm", "failed", "tests/python/nn/test_b.py::test_z"),
        r("cli", "c", "skipped", "tests/python/cli/test_c.py::TestK::test_w"),
    ]}


def test_cells_of_a_synthetic_run():
    grid = kiln_compat.cells(synthetic(), TABLES.FEATURES, TABLES.TARGETS, TABLES.NOT_SUPPORTED)
    assert set(grid) == {(f, t) for f in TABLES.FEATURES for t in TABLES.TARGETS}
    assert grid["onnx_import", "llvm"].status == "passed"
    assert [n for n, _ in grid["onnx_import", "llvm"].tests] == [
        "tests/python/frontend/test_a.py::test_x[1]", "tests/python/frontend/test_a.py::test_x[2]"]
    assert grid["nn", "llvm"].status == "failed"  # one failure outweighs a pass
    assert (grid["cli", "c"].status, grid["cli", "c"].note) == ("not run", "skipped")
    assert (grid["nn", "c"].status, grid["nn", "c"].tests) == ("not run", [])
    feature, target = next(iter(TABLES.NOT_SUPPORTED))
    cell = grid[feature, target]
    assert (cell.status, cell.note) == ("not supported", TABLES.NOT_SUPPORTED[feature, target])


def test_without_a_run_every_supported_cell_is_not_run():
    grid = kiln_compat.cells(None, TABLES.FEATURES, TABLES.TARGETS, TABLES.NOT_SUPPORTED)
    statuses = {key: c.status for key, c in grid.items()}
    assert {k for k, s in statuses.items() if s == "not supported"} == set(TABLES.NOT_SUPPORTED)
    assert {s for k, s in statuses.items() if k not in TABLES.NOT_SUPPORTED} == {"not run"}
    text = "\n".join(kiln_compat.matrix_rst(None, TABLES, lambda p, n: n))
    assert "No test run has written the results yet" in text


def test_table_rows_columns_and_links():
    links = []

    def link(path, name):
        links.append((path, name))
        return f"<{name}>"

    lines = kiln_compat.matrix_rst(synthetic(), TABLES, link)
    assert lines[0] == "Last updated by the test run of 2026-01-01 00:00:00 UTC (5 results)."
    rows = [i for i, line in enumerate(lines) if line.startswith("   * - ")]
    assert len(rows) == 1 + len(TABLES.FEATURES)  # header + one row per feature
    header = lines[rows[0] + 1 : rows[1]]
    assert header == [f"     - {label}" for label in TABLES.TARGETS.values()]
    onnx_row = lines[rows[1 + list(TABLES.FEATURES).index("onnx_import")] + 1 :][: len(TABLES.TARGETS)]
    assert onnx_row[0] == "     - **passed**: <test_x> 2/2"  # two instances of one test function
    assert onnx_row[1] == "     - **not run**"
    nn_row = lines[rows[1 + list(TABLES.FEATURES).index("nn")] + 1 :][: len(TABLES.TARGETS)]
    assert nn_row[0] == "     - **failed**: <test_y>, <test_z> 0/1"
    assert ("tests/python/cli/test_c.py", "TestK.test_w") in links  # class methods as the page names them


def test_a_marker_on_an_unsupported_or_unknown_cell_is_an_error():
    compat = TABLES
    feature, target = next(iter(compat.NOT_SUPPORTED))
    with pytest.raises(ValueError, match="declared not supported"):
        compat.check_cell(feature, target, "t.py::test")
    with pytest.raises(ValueError, match="unknown feature 'teleport'"):
        compat.check_cell("teleport", "llvm", "t.py::test")
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        compat.check_cell("nn", "tpu", "t.py::test")


def test_plugin_records_real_outcomes(tmp_path):
    """pytest in a subprocess on tiny marked tests, one passing, one failing,
    one skipped, one parametrized with a marker limited to one instance, and
    one unmarked: the json holds exactly the marked ones and their outcomes."""
    out = tmp_path / "compat.json"
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / "tests" / "python")!r})
        import compat_matrix

        def pytest_configure(config):
            compat_matrix.configure(config, {str(out)!r})
    """))
    (tmp_path / "test_sample.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.compat("onnx_import", "llvm")
        def test_passes():
            assert 1 + 1 == 2

        @pytest.mark.compat("nn", "c")
        @pytest.mark.compat("cli", "llvm")
        def test_fails():
            assert 1 + 1 == 3

        @pytest.mark.compat("torch_module", "llvm")
        def test_skipped():
            pytest.skip("no torch here")

        @pytest.mark.compat("dispatch_onednn", "llvm", params={"lib": "onednn"})
        @pytest.mark.parametrize("lib", ["onednn", "openblas"])
        def test_param(lib):
            pass

        def test_unmarked():
            pass
    """))

    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(tmp_path)],
                              cwd=tmp_path, capture_output=True, text=True)
        data = json.loads(out.read_text())
        got = sorted((r["test"].split("::")[-1], r["feature"], r["target"], r["outcome"]) for r in data["results"])
        return proc, data, got

    proc, data, got = run()
    assert proc.returncode == 1, proc.stdout + proc.stderr  # test_fails failed
    assert got == [
        ("test_fails", "cli", "llvm", "failed"),
        ("test_fails", "nn", "c", "failed"),
        ("test_param[onednn]", "dispatch_onednn", "llvm", "passed"),
        ("test_passes", "onnx_import", "llvm", "passed"),
        ("test_skipped", "torch_module", "llvm", "skipped"),
    ]
    grid = kiln_compat.cells(data, TABLES.FEATURES, TABLES.TARGETS, TABLES.NOT_SUPPORTED)
    assert grid["onnx_import", "llvm"].status == "passed"
    assert grid["cli", "llvm"].status == "failed"
    assert grid["torch_module", "llvm"].status == "not run"

    # A partial run updates what it ran and keeps the rest; a test that lost
    # its marker loses its entry even when deselected.
    sample = tmp_path / "test_sample.py"
    sample.write_text(sample.read_text().replace('@pytest.mark.compat("torch_module", "llvm")\n', "")
                      .replace("assert 1 + 1 == 3", "assert 1 + 1 == 2"))
    proc, _, got = run("-k", "test_fails")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert got == [
        ("test_fails", "cli", "llvm", "passed"),
        ("test_fails", "nn", "c", "passed"),
        ("test_param[onednn]", "dispatch_onednn", "llvm", "passed"),
        ("test_passes", "onnx_import", "llvm", "passed"),
    ]


def test_markers_in_the_suite_name_known_cells():
    """Every compat marker in tests/python names a declared feature and
    target (the plugin would stop the run otherwise), and some exist."""
    found = []
    for path in (ROOT / "tests" / "python").rglob("test_*.py"):
        for feature, target in re.findall(r'^@pytest\.mark\.compat\("(\w+)", "(\w+)"', path.read_text(), re.M):
            TABLES.check_cell(feature, target, str(path))
            found.append((feature, target))
    assert ("onnx_import", "llvm") in found and ("export_library", "c") in found
