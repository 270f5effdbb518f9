"""Sphinx extension: the configuration reference, generated from the
registries where each setting is declared.

``.. kiln-config-reference::`` renders four tables:

- PassContext config keys: ``kiln._core.registries.pass_configs()`` (the C++
  RegisterPassConfig table);
- pass options: the parameters of the pass constructors in ``kiln.transform``
  and of ``kiln.pipeline.get``, read with ``inspect.signature``;
- target options: ``kiln._core.registries.target_options()`` (the table
  Target::Parse applies);
- environment variables: ``kiln._core.registries.env_vars()`` (C++,
  src/runtime/env.cc) and ``kiln_env_vars.ENV_VARS`` (tests and docs).

Each row names the tests that use the setting: the test functions (Python and
C++) whose source contains it (``kiln_api_usage.tests_mentioning``).
"""

from __future__ import annotations

import inspect
from typing import Dict, List

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

import kiln_api_usage as usage
import kiln_env_vars


def pass_configs() -> List[Dict]:
    from kiln._core import registries

    return [dict(c, tests=usage.tests_mentioning(f'"{c["key"]}"') + _single_quoted(c["key"]))
            for c in registries.pass_configs()]


def _single_quoted(key: str):
    return [t for t in usage.usage_index().tests_mentioning(f"'{key}'") if t.path != usage.SELF_TEST]


def pass_options() -> List[Dict]:
    """One row per parameter of a public pass constructor (and pipeline.get)."""
    import kiln

    rows = []
    makers = [(f"kiln.transform.{n}", getattr(kiln.transform, n)) for n in kiln.transform.__all__
              if n[:1].isupper() and not inspect.isclass(getattr(kiln.transform, n))]
    makers.append(("kiln.pipeline.get", kiln.pipeline.get))
    for name, fn in makers:
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        doc = inspect.getdoc(fn) or ""
        summary = doc.split("\n\n")[0].replace("\n", " ")
        api = usage.api_for(fn)
        tests = usage.usage_index().tested_in(api.name) if api else []
        for p in sig.parameters.values():
            annotation = "" if p.annotation is inspect.Parameter.empty else getattr(p.annotation, "__name__", str(p.annotation))
            default = "required" if p.default is inspect.Parameter.empty else repr(p.default)
            rows.append({"pass": name, "option": p.name, "type": annotation, "default": default, "doc": summary,
                         "tests": [t for t in tests if p.name in usage.usage_index().sources[t]] or tests})
    return rows


def target_options() -> List[Dict]:
    from kiln._core import registries

    return [dict(o, tests=usage.tests_mentioning(o["name"])) for o in registries.target_options()]


def env_vars() -> List[Dict]:
    from kiln._core import registries

    rows = list(registries.env_vars()) + kiln_env_vars.ENV_VARS
    return [dict(v, tests=usage.tests_mentioning(v["name"])) for v in sorted(rows, key=lambda v: v["name"])]


def _cell(text: str) -> str:
    return str(text).replace("\n", " ").replace("|", "\\|") or "-"


def _tests_cell(tests) -> str:
    if not tests:
        return "-"
    from kiln_tested_in import tested_in_links

    return tested_in_links(sorted(set(tests), key=lambda t: (t.path, t.lineno)))


def _table(title: str, intro: str, header: List[str], rows: List[List[str]]) -> List[str]:
    out = [title, "-" * len(title), "", intro, "", ".. list-table::", "   :header-rows: 1", ""]
    out.append("   * - " + "\n     - ".join(header))
    for row in rows:
        out.append("   * - " + "\n     - ".join(row))
    return out + [""]


def reference_rst() -> List[str]:
    rst = []
    rst += _table(
        "PassContext configuration keys",
        "Set with ``kiln.transform.PassContext(config={key: value})``; an unknown key or a value of the wrong "
        "type raises :class:`kiln.Error`. Declared with ``RegisterPassConfig`` next to the pass that reads them.",
        ["Key", "Type", "Default", "What it changes", "Tested in"],
        [[f"``{c['key']}``", c["type"], f"``{c['default']!r}``", _cell(c["doc"]), _tests_cell(c["tests"])]
         for c in pass_configs()],
    )
    rst += _table(
        "Pass options",
        "The arguments of the pass constructors in :mod:`kiln.transform` (the others take none) and of "
        ":func:`kiln.pipeline.get`, read from their signatures.",
        ["Pass", "Option", "Type", "Default", "What it changes", "Tested in"],
        [[f":py:obj:`{r['pass']}`", f"``{r['option']}``", _cell(r["type"]), f"``{r['default']}``", _cell(r["doc"]),
          _tests_cell(r["tests"])] for r in pass_options()],
    )
    rst += _table(
        "Target options",
        "Written after the kind in a target string: ``\"llvm -mcpu=znver4 -mattr=+avx512f\"``. The kind ``c`` "
        "takes none; an unknown option raises :class:`kiln.Error` listing the kind's options. Declared in the "
        "table ``Target::Parse`` applies (src/codegen/target.cc).",
        ["Kind", "Option", "Type", "Default", "What it changes", "Tested in"],
        [[o["kind"], f"``{o['name']}{'=' if o['takes_value'] else ''}``", _cell(o["type"]), _cell(o["default"]),
          _cell(o["doc"]), _tests_cell(o["tests"])] for o in target_options()],
    )
    rst += _table(
        "Environment variables",
        "Those the C++ code reads are declared in src/runtime/env.cc, those tests and docs read in "
        "docs/_ext/kiln_env_vars.py; a test fails when the sources read a ``KILN_*`` variable neither declares.",
        ["Variable", "Type", "Default", "What it changes", "Read by", "Tested in"],
        [[f"``{v['name']}``", _cell(v["type"]), _cell(v["default"]), _cell(v["doc"]), _cell(v["read_by"]),
          _tests_cell(v["tests"])] for v in env_vars()],
    )
    return rst


class ConfigReferenceDirective(SphinxDirective):
    def run(self):
        container = nodes.section()
        container.document = self.state.document
        lines = "\n".join(reference_rst()).splitlines()
        nested_parse_with_titles(self.state, StringList(lines, source="<kiln-config-reference>"), container)
        return container.children


def setup(app):
    app.add_directive("kiln-config-reference", ConfigReferenceDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
