"""Every ```python block in the Markdown pages of docs/ runs, in page order,
each page in a fresh namespace: code on a page cannot silently rot."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts and "_generated" not in p.parts)
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_pages_exist():
    assert PAGES, "no Markdown pages found under docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_blocks_run(page):
    namespace = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(BLOCK.findall(page.read_text())):
        code = compile(block, f"{page.relative_to(DOCS)} [python block {number + 1}]", "exec")
        exec(code, namespace)
