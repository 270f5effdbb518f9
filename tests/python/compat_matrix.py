"""The test side of the compatibility matrix (docs/reference/compatibility).

A test names the cells it proves with ``@pytest.mark.compat(feature, target)``
(several markers for several cells; ``params={"lib": "onednn"}`` limits a
marker to the instances of a parametrized test with those values). At the
end of a session that ran any marked test, this plugin updates
``build/compat.json``: one entry per marked test and cell with its outcome,
``passed``, ``failed`` or ``skipped``. The entries of the tests this session
ran replace their old ones; the entries of tests it did not run stay (a run
of one folder does not blank the rest), except those of tests now collected
without a marker and of test files that no longer exist. The docs build
(``docs/_ext/kiln_compat.py``) renders the matrix from that file and from the
tables below; nothing on the page is typed by hand.

``NOT_SUPPORTED`` declares the (feature, target) pairs Kiln does not support,
with the reason the page shows. A cell with no entry in the json and not in
that table reads "not run".
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JSON = ROOT / "build" / "compat.json"

# The rows, in order: key -> label on the page.
FEATURES: Dict[str, str] = {
    "compile_run": "compile and run a model (kiln.compile, VM)",
    "pytorch_import": "PyTorch import (kiln.frontend.from_torch)",
    "onnx_import": "ONNX import (kiln.frontend.from_onnx)",
    "nn": "kiln.nn models",
    "call_tir": "call_tir (a user's loop kernel)",
    "call_dps_packed": "call_dps_packed (an external function)",
    "dispatch_openblas": "dispatch to OpenBLAS",
    "dispatch_onednn": "dispatch to oneDNN",
    "custom_op": "custom op (kiln.relax.register_op)",
    "export_library": "export_library and load",
    "torch_module": "Torch module (kiln.torch)",
    "cli": "kiln command line",
    "kernel_codegen": "loop program codegen (kiln.build)",
}

# The columns, in order: target kind -> label on the page.
TARGETS: Dict[str, str] = {"llvm": "llvm (CPU)", "c": "c (C source)", "cuda": "cuda"}

# (feature, target) pairs Kiln does not support, with the reason. The CUDA
# backend turns explicitly scheduled loop programs into PTX; models do not
# compile for it (no GPU schedules) and nothing runs on a GPU yet.
_CUDA_KERNELS_ONLY = "cuda: PTX for scheduled loop programs only; models do not compile or run on a GPU yet"
NOT_SUPPORTED: Dict[Tuple[str, str], str] = {
    ("dispatch_openblas", "cuda"): "OpenBLAS is a CPU library",
    ("dispatch_onednn", "cuda"): "oneDNN is dispatched for CPU only",
    **{(feature, "cuda"): _CUDA_KERNELS_ONLY for feature in (
        "compile_run", "pytorch_import", "onnx_import", "nn", "call_tir", "call_dps_packed", "custom_op",
        "export_library", "torch_module", "cli")},
}

def check_cell(feature: str, target: str, where: str) -> None:
    """Raises ValueError naming the test when a marker names an unknown cell."""
    if feature not in FEATURES:
        raise ValueError(f"{where}: compat marker: unknown feature '{feature}' (known: {', '.join(FEATURES)})")
    if target not in TARGETS:
        raise ValueError(f"{where}: compat marker: unknown target '{target}' (known: {', '.join(TARGETS)})")
    if (feature, target) in NOT_SUPPORTED:
        raise ValueError(f"{where}: compat marker: ({feature}, {target}) is declared not supported")


def _params_match(item, params: Dict[str, object]) -> bool:
    """True when the parametrized test instance has every value in
    ``params``: ``@pytest.mark.compat("dispatch_onednn", "llvm",
    params={"lib": "onednn"})`` tags only the instances with lib=onednn."""
    given = getattr(getattr(item, "callspec", None), "params", {})
    return all(k in given and given[k] == v for k, v in params.items())


class CompatPlugin:
    """Collects the outcome of every marked test; writes the json at the end."""

    def __init__(self, path: Path):
        self.path = path
        self.cells: Dict[str, List[Tuple[str, str]]] = {}  # node id -> [(feature, target)]
        self.outcome: Dict[str, str] = {}  # node id -> passed / failed / skipped
        self.unmarked: set = set()  # node ids collected without a compat marker

    def pytest_itemcollected(self, item):
        """Every collected test, selected or not (before -k / -m deselect)."""
        cells = []
        for marker in item.iter_markers(name="compat"):
            if len(marker.args) != 2 or set(marker.kwargs) - {"params"}:
                raise ValueError(f"{item.nodeid}: compat marker takes (feature, target, params=...), "
                                 f"got {marker.args} {marker.kwargs}")
            check_cell(*marker.args, where=item.nodeid)
            if _params_match(item, marker.kwargs.get("params", {})):
                cells.append(tuple(marker.args))
        if cells:
            self.cells[item.nodeid] = sorted(set(cells))
        else:
            self.unmarked.add(item.nodeid)

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.cells:
            return
        if report.failed:
            self.outcome[report.nodeid] = "failed"
        elif report.skipped and self.outcome.get(report.nodeid) != "failed":
            self.outcome[report.nodeid] = "skipped"
        elif report.when == "call" and report.passed and report.nodeid not in self.outcome:
            self.outcome[report.nodeid] = "passed"

    def _previous(self) -> List[dict]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return []
        return data.get("results", []) if isinstance(data, dict) and data.get("version") == 1 else []

    def pytest_sessionstart(self, session):
        self.rootdir = Path(session.config.rootpath)

    def pytest_sessionfinish(self, session, exitstatus):
        if not self.outcome:
            return  # no marked test ran: keep the last run's matrix
        results = [
            {"feature": f, "target": t, "outcome": self.outcome[nodeid], "test": nodeid}
            for nodeid in sorted(self.outcome)
            for f, t in self.cells[nodeid]
        ]
        results += [r for r in self._previous() if r["test"] not in self.outcome and r["test"] not in self.unmarked
                    and (self.rootdir / r["test"].split("::")[0]).is_file()]
        results.sort(key=lambda r: (r["test"], r["feature"], r["target"]))
        data = {"version": 1, "updated": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "results": results}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        tmp.replace(self.path)


def configure(config, path: Path = DEFAULT_JSON) -> None:
    """Registers the marker and the plugin writing ``path`` (called from
    tests/python/conftest.py)."""
    config.addinivalue_line(
        "markers", "compat(feature, target): the test proves this cell of the compatibility matrix")
    if not config.pluginmanager.has_plugin("kiln-compat"):
        config.pluginmanager.register(CompatPlugin(Path(path)), "kiln-compat")
