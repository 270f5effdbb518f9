"""Sphinx extension: the Python API reference tied to the tests.

- ``.. kiln-api-module:: kiln.nd`` documents every public class and function
  whose canonical name lies in that module (``kiln_api_usage.public_apis``),
  each once across the reference, and lists the names the module re-exports
  from elsewhere.
- Each documented API gets an "Examples" section (the docstring's own, else
  the shortest test that calls it) and a "Tested in" list linking to the test
  functions that use it, found by ``kiln_api_usage`` reading tests/ with ast.
- Every test file gets a generated page (``_generated/tests/``) with its test
  functions and their source: the targets of those links.
- ``.. kiln-untested-apis::`` lists the public APIs no test uses (the
  coverage page; tests/python/docs/test_tested_in.py keeps it empty).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

import kiln_api_usage as usage

MAX_EXAMPLE_LINES = 25


def _generate_test_pages(app) -> None:
    """One page per test file (Python and C++), each test function under a label."""
    out = Path(app.srcdir) / "_generated" / "tests"
    out.mkdir(parents=True, exist_ok=True)
    index = usage.usage_index()
    by_file = index.by_file()
    for path, tests in usage.cpp_tests_by_file().items():
        by_file.setdefault(path, []).extend(tests)
    pages = []
    for path, tests in sorted(by_file.items()):
        docname = usage.test_page(path)
        pages.append(docname.rsplit("/", 1)[-1])
        language = "cpp" if path.endswith(".cc") else "python"
        lines = [path, "=" * len(path), "", f"The test functions of ``{path}``.", ""]
        source = (usage.ROOT / path).read_text().splitlines()
        for t in tests:
            title = f"``{t.name}``"
            lines += [f".. _{usage.test_label(t)}:", "", title, "-" * len(title), "",
                      f".. code-block:: {language}", f"   :lineno-start: {t.lineno}", ""]
            lines += [("   " + line) if line.strip() else "" for line in source[t.lineno - 1 : t.end_lineno]]
            lines.append("")
        _write_if_changed(out / (docname.rsplit("/", 1)[-1] + ".rst"), "\n".join(lines) + "\n")
    toc = ["Tests", "=====", "", "Every test function, by file: the targets of the API reference's",
           "*Tested in* lists and of the configuration reference.", "", ".. toctree::", "   :maxdepth: 1", ""]
    toc += [f"   {p}" for p in pages]
    _write_if_changed(out / "index.rst", "\n".join(toc) + "\n")


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def tested_in_links(tests: List["usage.TestFunc"]) -> str:
    """An inline list of :ref: links, grouped by file."""
    return ", ".join(f":ref:`{t.path.rsplit('/', 1)[-1]}::{t.name} <{usage.test_label(t)}>`" for t in tests)


def _has_examples(lines: List[str]) -> bool:
    return any(line.strip() in (".. rubric:: Examples", "Examples", ".. rubric:: Example", "Example:",
                                "Examples:") for line in lines)


def _example_from_tests(api: str, tests) -> List[str]:
    """The shortest test naming the API in its own body (else the shortest
    using it through a helper), as a code block with its origin."""
    direct = usage.usage_index().direct
    t = min(tests, key=lambda t: (api not in direct.get(t, ()), t.end_lineno - t.lineno, t.path, t.lineno))
    source = (usage.ROOT / t.path).read_text().splitlines()[t.lineno - 1 : t.end_lineno]
    if len(source) > MAX_EXAMPLE_LINES:
        source = source[:MAX_EXAMPLE_LINES] + ["    ..."]
    out = ["", ".. rubric:: Examples", "",
           f"From :ref:`{t.path.rsplit('/', 1)[-1]}::{t.name} <{usage.test_label(t)}>`:", "",
           ".. code-block:: python", ""]
    return out + [("   " + line) if line.strip() else "" for line in source] + [""]


def _plain_text_stars(lines: List[str]) -> None:
    """Docstrings bound from C++ (nanobind) are plain text: a ``*args`` in
    them is not reStructuredText emphasis."""
    for i, line in enumerate(lines):
        if "``" not in line:
            lines[i] = re.sub(r"(?<![\\`])\*", r"\\*", line)


def _process_docstring(app, what, name, obj, options, lines) -> None:
    if type(obj).__name__ in ("nb_func", "nb_method") or str(getattr(obj, "__module__", "")).startswith("kiln._core"):
        _plain_text_stars(lines)
    if what not in ("function", "class", "method", "exception"):
        return
    api = usage.api_for(obj)
    if api is None or name not in [api.name] + api.aliases:
        return
    tests = usage.usage_index().tested_in(api.name)
    if not _has_examples(lines) and tests:
        lines.extend(_example_from_tests(api.name, tests))
    lines += ["", ".. rubric:: Tested in", ""]
    lines.append(tested_in_links(tests) if tests else "No test calls this yet (see the coverage page).")
    lines.append("")


class ApiModuleDirective(SphinxDirective):
    """``.. kiln-api-module:: kiln.nd``: autodoc of the module's public APIs."""

    required_arguments = 1

    def run(self):
        module = self.arguments[0]
        apis = [a for a in usage.public_apis().values() if a.module == module]
        rst = []
        for api in sorted(apis, key=lambda a: (a.kind != "class", a.name.lower())):
            if api.kind == "class":
                rst += [f".. autoclass:: {api.name}", "   :members:", "   :show-inheritance:", ""]
            else:
                rst += [f".. autofunction:: {api.name}", ""]
        elsewhere = sorted(
            (alias, a.name) for a in usage.public_apis().values() for alias in a.aliases
            if alias.rsplit(".", 1)[0] == module and a.module != module
        )
        if elsewhere:
            rst += [".. rubric:: Also available here", "",
                    f"``{module}`` re-exports these names, documented where they are defined:", ""]
            rst += [f"- ``{alias}``: :py:obj:`{target}`" for alias, target in elsewhere] + [""]
        container = nodes.section()
        container.document = self.state.document
        self.state.nested_parse(StringList(rst, source=f"<kiln-api-module {module}>"), self.content_offset,
                                container)
        return container.children


class UntestedApisDirective(SphinxDirective):
    """``.. kiln-untested-apis::``: the public APIs no test uses."""

    def run(self):
        apis = usage.public_apis()
        untested = usage.usage_index().untested(apis)
        if not untested:
            rst = [f"All {len(apis)} public classes and functions are used by at least one test."]
        else:
            rst = [f"{len(untested)} of {len(apis)} public classes and functions are used by no test:", ""]
            rst += [f"- :py:obj:`{name}`" for name in untested]
        container = nodes.section()
        container.document = self.state.document
        self.state.nested_parse(StringList(rst, source="<kiln-untested-apis>"), self.content_offset, container)
        return container.children


def setup(app):
    app.connect("builder-inited", _generate_test_pages)
    app.connect("autodoc-process-docstring", _process_docstring, priority=600)  # after napoleon
    app.add_directive("kiln-api-module", ApiModuleDirective)
    app.add_directive("kiln-untested-apis", UntestedApisDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
