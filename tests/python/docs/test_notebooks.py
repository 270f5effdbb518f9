"""The built documentation offers every tutorial as a valid Jupyter notebook
and as a Python script (scripts/test.sh builds the docs before pytest)."""

from pathlib import Path

import nbformat
import pytest


pytestmark = pytest.mark.built_docs

DOCS = Path(__file__).resolve().parents[3] / "docs"
HTML = DOCS / "_build" / "html"
TUTORIALS = sorted(p.stem for folder in ("get_started", "how_to") for p in (DOCS / folder).glob("*.py"))


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


def test_a_downloaded_notebook_executes(downloads, tmp_path):
    """What a reader does with the download: run it in Jupyter. The runtime
    tour runs in seconds; every other tutorial's code already ran in the
    docs build."""
    import nbclient

    notebook = nbformat.read(downloads["runtime_tour.ipynb"], as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
