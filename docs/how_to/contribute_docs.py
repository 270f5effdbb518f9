"""
Contribute to this document
===========================

This site is built from the repository on every CI run, and every page that
shows code runs it: a tutorial that raises fails the build. This guide shows
how a page is made, by making one. **S0** lists the elements (where pages
live, how the site is built, the checks); **S1** takes a new How-To draft
through the transformations the build applies (script to page and notebook,
the structure check, short and full mode) and measures them; **S2** shows
how the draft fits the overall flow: its own S2 compiles a model through the
default pipeline, like every guide's.
"""

import ast
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat

import kiln

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"


def find_root():
    """The repository root: the documentation build runs this script from
    docs/, a reader may run the notebook anywhere inside the checkout."""
    here = Path(globals().get("__file__", os.getcwd())).resolve()
    for folder in [here, *here.parents]:
        if (folder / "docs" / "how_to" / "TEMPLATE").exists():
            return folder
    raise RuntimeError("run this guide inside a Kiln checkout")


root = find_root()

######################################################################
# S0: the elements
# ----------------
# The site has four parts, each a folder of ``docs/``: **get_started** and
# **how_to** hold tutorials (Python scripts that sphinx-gallery runs and
# turns into a page, a ``.py`` and a ``.ipynb`` download), **deep_dive**
# holds Markdown pages (MyST; their ``python`` blocks run in the tests), and
# **reference** is generated: the Python API by autodoc, the C++ API by
# Doxygen and breathe from ``include/kiln``. Nothing in the reference is
# typed by hand.

for part in ("get_started", "how_to", "deep_dive", "reference"):
    files = sorted(p.name for p in (root / "docs" / part).iterdir() if p.suffix in (".py", ".md", ".rst"))
    print(f"docs/{part + '/':13} {len(files):2} files: {', '.join(files[:5])}{' ...' if len(files) > 5 else ''}")

######################################################################
# ``scripts/docs.sh`` builds the site into ``docs/_build/html`` from a clean
# tree (sphinx-gallery skips scripts whose source did not change, so a
# stale build could hide a broken tutorial), with warnings as errors. It
# runs in short mode (``KILN_DOCS_MODE=short``: small sizes); ``scripts/
# docs.sh --full`` runs every tutorial at full size, and ``.ci/docs-full`` is
# that less frequent job. The checks of the built site are tests in
# ``tests/python/docs``; each file says what it checks:

for test in sorted((root / "tests" / "python" / "docs").glob("test_*.py")):
    doc = ast.get_docstring(ast.parse(test.read_text())) or ""
    print(f"{test.name:30} {' '.join(doc.split())[:88]}")

######################################################################
# A How-To starts from ``docs/how_to/TEMPLATE``: a title, then the three
# parts every guide has. These are its section headings:

template = (root / "docs" / "how_to" / "TEMPLATE").read_text()
print(re.findall(r"^# (S[012]: .+)$", template, re.M))

######################################################################
# S1: transformations and their effect
# ------------------------------------
# A draft guide, written as a contributor would: the template's parts
# filled in, with code that compiles a small model. (The draft lives in a
# temporary folder here; a real one goes to ``docs/how_to/``.)

draft_text = textwrap.dedent('''\
    """
    Fuse a linear layer with its activation
    =======================================

    Linear then relu becomes one kernel: **S0** the elements, **S1** the
    effect, **S2** the default pipeline.
    """
    import os

    import numpy as np

    import kiln

    full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
    n = 512 if full else 64

    ######################################################################
    # S0: the elements
    # ----------------
    # A relax function with a linear layer and a relu.
    mod = kiln.parse(f"""
    module {{
      func @main(x: Tensor(({n}, {n}), float32), w: Tensor(({n}, {n}), float32)) -> Tensor(({n}, {n}), float32) {{
        with dataflow {{
          y: Tensor(({n}, {n}), float32) = linear(x, w)
          output z: Tensor(({n}, {n}), float32) = relu(y)
        }}
        return z
      }}
    }}
    """)

    ######################################################################
    # S1: transformations and their effect
    # ------------------------------------
    # The zero pipeline keeps two kernels; the default one fuses them.
    zero = kiln.compile(mod, pipeline="zero")
    fused = kiln.compile(mod)
    print("kernels:", len(zero.kernels.function_names), "->", len(fused.kernels.function_names))

    ######################################################################
    # S2: how it fits the overall flow
    # --------------------------------
    # Compose with the default pipeline and check against NumPy.
    pipeline = kiln.pipeline.get("default", "llvm")
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=pipeline), kiln.cpu())
    x, w = np.random.rand(n, n).astype("float32"), np.random.rand(n, n).astype("float32")
    np.testing.assert_allclose(vm["main"](x, w).numpy(), np.maximum(x @ w.T, 0), rtol=1e-5)
    print("matches NumPy at", n, "x", n)
    ''')
work = Path(tempfile.mkdtemp(prefix="kiln-docs-draft-"))
draft = work / "fuse_linear_relu.py"
draft.write_text(draft_text)

######################################################################
# **The structure check.** ``tests/python/docs/test_how_to_structure.py``
# fails the CI run when a guide lacks a part or builds nothing through a
# standard pipeline in its S2. Its rules, run on the draft and on a copy
# without S2:

sys.path.insert(0, str(root / "tests" / "python" / "docs"))
import test_how_to_structure as structure  # noqa: E402


def check(path):
    try:
        structure.test_guide_has_s0_s1_s2_in_order(path)
        structure.test_guide_s2_builds_through_a_standard_pipeline(path)
        return "passes"
    except AssertionError as e:
        return f"fails: {str(e).splitlines()[0]}"


broken = work / "no_s2.py"
broken.write_text(draft_text[: draft_text.index("######################################################################\n# S2")])
print("draft:       ", check(draft))
print("without S2:  ", check(broken))

######################################################################
# **Script to page and notebook.** The build runs the script and renders
# its comments as text and its output under each code block; the same
# blocks become the cells of the notebook a reader downloads, which the
# tests validate with ``nbformat``. Converting the draft, and running it in
# both modes as the two CI jobs do:

start = time.perf_counter()
subprocess.run([sys.executable, "-c", "from sphinx_gallery.notebook import python_to_jupyter_cli as c; "
                f"c([{str(draft)!r}])"], check=True, capture_output=True)
notebook = nbformat.read(draft.with_suffix(".ipynb"), as_version=4)
nbformat.validate(notebook)
convert_s = time.perf_counter() - start
print(f"notebook: {len(notebook.cells)} cells "
      f"({sum(c.cell_type == 'code' for c in notebook.cells)} code), valid, converted in {convert_s:.2f} s")

timings = {}
for mode in ("short", "full"):
    start = time.perf_counter()
    run = subprocess.run([sys.executable, str(draft)], env={**os.environ, "KILN_DOCS_MODE": mode},
                         capture_output=True, text=True, check=True)
    timings[mode] = time.perf_counter() - start
    print(f"{mode:5} mode: {timings[mode]:5.2f} s   {' | '.join(run.stdout.split(chr(10))[:2])}")

######################################################################
# A tutorial that raises is a failed build, named with its file and line:

bad = work / "raises.py"
bad.write_text(draft_text.replace("np.maximum(x @ w.T, 0)", "np.maximum(x @ w, 0) + 1"))
run = subprocess.run([sys.executable, str(bad)], capture_output=True, text=True)
print("exit status", run.returncode, "|", [ln for ln in run.stderr.splitlines() if "raises.py" in ln][-1].strip())

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# Every How-To ends where a user's work ends: a module through a standard
# pipeline. The draft's S2 does it with ``kiln.pipeline.get("default",
# "llvm")``; the same module here, with the guide's step (a custom pass
# would be spliced in with ``insert_after``) composed with the default
# build:

namespace = {"__name__": "draft"}
exec(compile(draft_text, str(draft), "exec"), namespace)
pipeline = kiln.pipeline.get("default", "llvm")
compiled = kiln.compile(namespace["mod"], pipeline=pipeline)
print("passes in the default pipeline:", len(pipeline), "| kernels:", compiled.kernels.function_names)

######################################################################
# **What goes where.** A task a user wants done (import a model, dispatch a
# pattern to a library) is a How-To with S0/S1/S2; how a component works
# inside is a Deep Dive section in Markdown; an API's contract is its
# docstring (Python) or header comment (C++), which the reference shows with
# the tests that exercise it. C and C++ code on a page is never typed in: it
# comes from a file the tests compile, with ``literalinclude``
# (``tests/python/docs/test_cpp_snippets.py`` enforces it). Before sending
# a change, run ``scripts/docs.sh`` and ``pytest tests/python/docs``; the
# browser check there opens the pages you changed in headless Chromium.
