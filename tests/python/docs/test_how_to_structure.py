"""Every How-To guide follows docs/how_to/TEMPLATE: a title, the three parts
S0 (the elements), S1 (transformations and their measured effect) and S2
(how it fits the overall flow), in that order, and its S2 builds a module
through a standard pipeline (kiln.pipeline.get or kiln.compile)."""

import re
from pathlib import Path

import pytest

HOW_TO = Path(__file__).resolve().parents[3] / "docs" / "how_to"
GUIDES = sorted(HOW_TO.glob("*.py"))
SECTION = re.compile(r"^# (S[012]): (.+)\n# -+$", re.M)


def sections(text):
    """[(name, title, start offset)] of the S0/S1/S2 headings."""
    return [(m.group(1), m.group(2), m.start()) for m in SECTION.finditer(text)]


def test_there_are_guides_and_a_template():
    assert GUIDES, "no How-To guides in docs/how_to/"
    assert [name for name, _, _ in sections((HOW_TO / "TEMPLATE").read_text())] == ["S0", "S1", "S2"]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_has_s0_s1_s2_in_order(guide):
    text = guide.read_text()
    assert re.match(r'"""\n.+\n=+\n', text), f"{guide.name}: the docstring must open with a title and '===' underline"
    names = [name for name, _, _ in sections(text)]
    assert names == ["S0", "S1", "S2"], f"{guide.name}: sections {names}, want S0, S1, S2 (see docs/how_to/TEMPLATE)"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_s2_builds_through_a_standard_pipeline(guide):
    text = guide.read_text()
    s2 = text[sections(text)[-1][2]:]
    code = "\n".join(line for line in s2.splitlines() if not line.lstrip().startswith("#"))
    assert re.search(r"kiln\.pipeline\.get\(|kiln\.compile\(", code), (
        f"{guide.name}: S2 must build a module through a standard pipeline "
        "(kiln.pipeline.get(...) or kiln.compile(...)) in code, not only in comments"
    )
