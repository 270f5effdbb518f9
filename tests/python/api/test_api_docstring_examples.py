"""The Examples in the docstrings of python/kiln run as doctests: what the
reference shows is what Kiln does."""

import doctest
import importlib
import sys
from pathlib import Path

import pytest

import kiln

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "docs" / "_ext"))
from kiln_api_usage import API_MODULES  # noqa: E402

MODULES = sorted(set(API_MODULES) | {"kiln.compile", "kiln.frontend.onnx"})


def doctests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    seen = {}
    for name in MODULES:
        module = sys.modules.get(name) or importlib.import_module(name)
        for test in finder.find(module, name, globs={"kiln": kiln}):
            if test.examples:
                seen.setdefault(test.name, test)
    return [seen[k] for k in sorted(seen)]


TESTS = doctests()


def test_the_reference_has_examples():
    names = {t.name for t in TESTS}
    assert {"kiln.compile.compile", "kiln.pipeline.get", "kiln.nd.array", "kiln.codegen.build"} <= names


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.name)
def test_docstring_example(test):
    if "onnx" in test.name:
        pytest.importorskip("onnx")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda text: pytest.fail(text))
    assert runner.failures == 0 and runner.tries == len(test.examples)
