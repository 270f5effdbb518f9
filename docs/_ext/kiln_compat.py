"""Sphinx extension: the compatibility matrix, generated from a test run.

``.. kiln-compat-matrix::`` renders a table, rows features and columns
targets, from the json the pytest plugin ``tests/python/compat_matrix.py``
writes (``build/compat.json``; the ``kiln_compat_json`` config value) and
from that plugin's tables of features, targets and the pairs Kiln does not
support. Each cell is passed, failed, not supported or not run, and links to
the tests behind it (their pages from ``kiln_tested_in``; the node id as text
where no page exists). Nothing in the table is typed by hand.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "tests" / "python" / "compat_matrix.py"

PASSED, FAILED, NOT_SUPPORTED, NOT_RUN = "passed", "failed", "not supported", "not run"


@dataclass
class Cell:
    status: str  # PASSED, FAILED, NOT_SUPPORTED or NOT_RUN
    note: str = ""  # the reason a pair is not supported; "skipped" when every test skipped
    tests: List[Tuple[str, str]] = field(default_factory=list)  # (node id, outcome)


def load_tables():
    """The plugin module (FEATURES, TARGETS, NOT_SUPPORTED), loaded from its file."""
    spec = importlib.util.spec_from_file_location("kiln_compat_tables", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_results(path: Path) -> Optional[dict]:
    """The json of the last test run, or None when there is none."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    if data.get("version") != 1 or not isinstance(data.get("results"), list):
        raise ValueError(f"{path}: not a compatibility json of version 1")
    return data


def cells(results: Optional[dict], features, targets, not_supported) -> Dict[Tuple[str, str], Cell]:
    """Every (feature, target) cell: not supported when declared so; else
    failed when any of its tests failed, passed when one passed, not run when
    none ran (or all were skipped)."""
    by_cell: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}
    for r in (results or {}).get("results", []):
        by_cell.setdefault((r["feature"], r["target"]), []).append((r["test"], r["outcome"]))
    out = {}
    for f in features:
        for t in targets:
            tests = sorted(by_cell.get((f, t), []))
            outcomes = {o for _, o in tests}
            if (f, t) in not_supported:
                out[f, t] = Cell(NOT_SUPPORTED, not_supported[f, t])
            elif "failed" in outcomes:
                out[f, t] = Cell(FAILED, tests=tests)
            elif "passed" in outcomes:
                out[f, t] = Cell(PASSED, tests=tests)
            else:
                out[f, t] = Cell(NOT_RUN, "skipped" if tests else "", tests)
    return out


def _test_function(nodeid: str) -> Tuple[str, str]:
    """("tests/python/x/test_y.py", "test_z") or ("...", "TestA.test_b") of a
    node id, its parameters dropped."""
    path, _, name = nodeid.partition("::")
    return path, name.split("[", 1)[0].replace("::", ".")


def cell_rst(cell: Cell, link: Callable[[str, str], str]) -> str:
    """One cell as inline reStructuredText: the status, then the test
    functions behind it (one link per function, with its instance count)."""
    text = f"**{cell.status}**" + (f" ({cell.note})" if cell.note else "")
    functions: Dict[Tuple[str, str], List[str]] = {}
    for nodeid, outcome in cell.tests:
        functions.setdefault(_test_function(nodeid), []).append(outcome)
    parts = []
    for (path, name), outcomes in sorted(functions.items()):
        passed = outcomes.count("passed")
        count = f" {passed}/{len(outcomes)}" if len(outcomes) > 1 or passed != len(outcomes) else ""
        parts.append(link(path, name) + count)
    return text + (": " + ", ".join(parts) if parts else "")


def matrix_rst(results: Optional[dict], tables, link: Callable[[str, str], str]) -> List[str]:
    """The table (a list-table) with a line on where its data came from."""
    grid = cells(results, tables.FEATURES, tables.TARGETS, tables.NOT_SUPPORTED)
    if results is None:
        lines = ["No test run has written the results yet (``build/compat.json``): every cell that is not "
                 "declared unsupported reads *not run*. Run the Python tests, then build the docs."]
    else:
        lines = [f"Last updated by the test run of {results.get('updated', 'an unknown time')} "
                 f"({len(results['results'])} results)."]
    lines += ["", ".. list-table::", "   :header-rows: 1", "   :stub-columns: 1", "   :class: kiln-compat", "",
              "   * - feature"]
    lines += [f"     - {label}" for label in tables.TARGETS.values()]
    for f, label in tables.FEATURES.items():
        lines.append(f"   * - {label}")
        lines += [f"     - {cell_rst(grid[f, t], link)}" for t in tables.TARGETS]
    return lines + [""]


class CompatMatrixDirective(SphinxDirective):
    """``.. kiln-compat-matrix::``: the table from the last test run."""

    def run(self):
        import kiln_api_usage as usage  # docs/_ext: the test functions and their page labels

        path = Path(self.config.kiln_compat_json)
        self.env.note_dependency(str(path))
        self.env.note_dependency(str(PLUGIN))
        pages = {(t.path, t.name): t for ts in usage.usage_index().by_file().values() for t in ts}

        def link(path: str, name: str) -> str:
            t = pages.get((path, name))
            if t is None:
                return f"``{path}::{name}``"
            return f":ref:`{name} <{usage.test_label(t)}>`"

        rst = matrix_rst(load_results(path), load_tables(), link)
        container = nodes.section()
        container.document = self.state.document
        self.state.nested_parse(StringList(rst, source="<kiln-compat-matrix>"), self.content_offset, container)
        return container.children


def setup(app):
    app.add_config_value("kiln_compat_json", str(ROOT / "build" / "compat.json"), "env")
    app.add_directive("kiln-compat-matrix", CompatMatrixDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
