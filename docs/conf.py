"""Sphinx configuration for Kiln's documentation.

Tutorials are Python scripts run by sphinx-gallery during the build: an
exception fails the build. KILN_DOCS_MODE=short (the default, used by CI) or
full is read by slow tutorials to pick their problem sizes. Options come from
environment variables, not `-D`, because -W turns -D type warnings into
errors.
"""

import os
import sys
from pathlib import Path

import kiln

project = "Kiln"
author = "The Kiln developers"
copyright = "2026, The Kiln developers"
release = kiln.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "breathe",
    "kiln_tested_in",
    "kiln_config_ref",
    "kiln_compat",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/README.rst", "how_to/TEMPLATE*"]
myst_heading_anchors = 3
suppress_warnings = ["config.cache"]

html_theme = "furo"
html_title = f"Kiln {release}"

autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_typehints = "description"

mode = os.environ.get("KILN_DOCS_MODE", "short")
sphinx_gallery_conf = {
    "examples_dirs": ["get_started", "how_to"],
    "gallery_dirs": ["_generated/get_started", "_generated/how_to"],
    "filename_pattern": r".*\.py",
    "ignore_pattern": r"(__init__|conf)\.py",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "plot_gallery": "True",
    "remove_config_comments": True,
}
os.environ.setdefault("KILN_DOCS_MODE", mode)
sys.path.insert(0, str(Path(__file__).parent))

# The C++ API reference: Doxygen XML over include/kiln, pages per component
# (docs/doxygen/cpp_reference.py), rendered by breathe.
sys.path.insert(0, str(Path(__file__).parent / "doxygen"))
import cpp_reference  # noqa: E402

breathe_projects = {"kiln": str(cpp_reference.generate(Path(__file__).resolve().parent.parent))}
breathe_default_project = "kiln"
breathe_domain_by_extension = {"h": "cpp"}

# The Python API reference tied to the tests and the configuration reference
# (docs/_ext/kiln_tested_in.py, docs/_ext/kiln_config_ref.py): extensions of
# our own, found on this path.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

# The compatibility matrix (docs/_ext/kiln_compat.py) is rendered from the
# outcomes the last pytest run wrote (tests/python/compat_matrix.py).
kiln_compat_json = str(Path(__file__).resolve().parents[1] / "build" / "compat.json")
