"""The C++ API reference, generated at docs-build time: runs Doxygen over
include/kiln (docs/doxygen/Doxyfile) into docs/_build/doxygen/xml, then
writes one page per component (docs/reference/cpp/<component>.rst) listing
every namespace Doxygen found under ``kiln::<component>``, rendered by
breathe. Nothing is listed by hand, so a new namespace or header appears on
its own."""

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

# Component pages, in reading order, with their one-line summaries. A
# namespace whose component is not here goes on the "kiln" page.
COMPONENTS = {
    "kiln": "Compiling a module: ``kiln::Compile`` and the compiled module.",
    "ir": "The IRModule, global variables, types and struct info.",
    "relax": "Graph-level functions, expressions and the registered ops.",
    "tir": "Loop-level functions, arithmetic, the compute DSL and schedules.",
    "transform": "Passes, the pass context and the named pipelines.",
    "codegen": "Targets, code generation and library export.",
    "runtime": "The runtime: objects, tensors, modules, functions and the VM.",
    "text": "The text format: printing and parsing.",
    "frontend": "Importers (ONNX).",
}


def _run_doxygen(root: Path, out: Path) -> Path:
    if shutil.which("doxygen") is None:
        raise RuntimeError("the C++ API reference needs doxygen (scripts/deps.sh installs it)")
    out.mkdir(parents=True, exist_ok=True)
    config = (root / "docs/doxygen/Doxyfile").read_text()
    config += f"\nOUTPUT_DIRECTORY = {out}\nWARN_LOGFILE = {out / 'warnings.log'}\n"
    subprocess.run(["doxygen", "-"], input=config, text=True, cwd=root, check=True)
    return out / "xml"


def _namespaces(xml: Path):
    index = ET.parse(xml / "index.xml").getroot()
    names = [c.findtext("name") for c in index.iter("compound") if c.get("kind") == "namespace"]
    return sorted(n for n in names if n == "kiln" or n.startswith("kiln::"))


def generate(root: Path) -> Path:
    """Runs Doxygen and writes the pages; returns the XML folder for breathe."""
    xml = _run_doxygen(root, root / "docs/_build/doxygen")
    groups = {name: [] for name in COMPONENTS}
    for ns in _namespaces(xml):
        parts = ns.split("::")
        groups[parts[1] if len(parts) > 1 and parts[1] in COMPONENTS else "kiln"].append(ns)
    pages = root / "docs/reference/cpp"
    pages.mkdir(parents=True, exist_ok=True)
    toc = []
    for component, namespaces in groups.items():
        if not namespaces:
            continue
        title = "kiln" if component == "kiln" else f"kiln::{component}"
        body = [f"``{title}``", "=" * (len(title) + 4), "", COMPONENTS[component], ""]
        for ns in namespaces:
            body += [f"``{ns}``", "-" * (len(ns) + 4), "", f".. doxygennamespace:: {ns}", "   :content-only:", ""]
        (pages / f"{component}.rst").write_text("\n".join(body))
        toc.append(f"   {component}")
    index = ["C++ API", "=======", "",
             "Kiln's public C++ headers (``include/kiln``), generated from the headers by Doxygen and",
             "breathe at every docs build. Each declaration shows the contract comment written above it.",
             "", ".. toctree::", "   :maxdepth: 1", ""] + toc + [""]
    (pages / "index.rst").write_text("\n".join(index))
    return xml
