"""C and C++ code on the pages is never typed into the Markdown: it comes
from files the build compiles (include/, src/) or the tests compile and run
(examples/, tests/), through `literalinclude` with text markers, so a
renamed function breaks the docs build instead of leaving a stale snippet."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if not {"_build", "_generated"} & set(p.parts))
TYPED = re.compile(r"^```(c|c\+\+|cpp|cc|cxx|h)\s*$", re.M | re.I)
INCLUDE = re.compile(r"^```\{literalinclude\} (\S+)\n((?::[\w-]+:.*\n)*)", re.M)
COMPILED_ROOTS = ("include", "src", "examples", "tests")


def includes():
    for page in PAGES:
        for m in INCLUDE.finditer(page.read_text()):
            options = dict(re.findall(r"^:([\w-]+):\s*(.*)$", m.group(2), re.M))
            yield page, (page.parent / m.group(1)).resolve(), options


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_no_typed_c_or_cpp_blocks(page):
    typed = TYPED.findall(page.read_text())
    assert not typed, (f"{page.relative_to(DOCS)}: {len(typed)} C/C++ block(s) typed into the page; "
                       "include them from a compiled file with literalinclude")


def test_cpp_includes_come_from_compiled_files_and_their_markers_exist():
    found = [(page, path, opts) for page, path, opts in includes() if path.suffix in (".h", ".cc", ".c", ".cpp")]
    assert found, "no C/C++ literalinclude on any page"
    tests_text = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("*.py"))
    for page, path, opts in found:
        where = f"{page.relative_to(DOCS)} -> {path.relative_to(ROOT)}"
        assert path.is_file(), f"{where}: no such file"
        top = path.relative_to(ROOT).parts[0]
        assert top in COMPILED_ROOTS, f"{where}: not under {COMPILED_ROOTS}"
        if top == "examples":
            folder = "/".join(path.relative_to(ROOT).parts[:2])
            assert folder in tests_text, f"{where}: no test under tests/ builds {folder}"
        text = path.read_text()
        for key in ("start-at", "start-after", "end-at", "end-before"):
            if key in opts:
                assert opts[key] in text, f"{where}: marker '{opts[key]}' ({key}) is not in the file"
