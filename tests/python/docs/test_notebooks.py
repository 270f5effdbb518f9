"""The built documentation offers every tutorial as a valid Jupyter notebook
and as a Python script (scripts/test.sh builds the docs before pytest)."""

from pathlib import Path

import nbformat
import pytest

DOCS = Path(__file__).resolve().parents[3] / "docs"
HTML = DOCS / "_build" / "html"
TUTORIALS = sorted(p.stem for p in (DOCS / "get_started").glob("*.py"))


@pytest.fixture(scope="module")
def downloads():
    if not HTML.exists():
        pytest.skip("the docs are not built: run scripts/docs.sh (scripts/test.sh does)")
    return {p.name: p for p in (HTML / "_downloads").rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_downloads_as_valid_notebook(downloads, name):
    assert f"{name}.py" in downloads
    notebook = nbformat.read(downloads[f"{name}.ipynb"], as_version=4)
    nbformat.validate(notebook)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "import kiln" in code
