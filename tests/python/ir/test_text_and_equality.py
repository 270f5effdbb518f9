"""The text format from Python (parse, print, round trips of the fixture
modules) and structural equality, hashing and mismatch reports."""

import subprocess
import sys
from pathlib import Path

import pytest

import kiln
from kiln import tir

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
KIR = sorted(FIXTURES.glob("*.kir"))


def test_fixtures_exist():
    assert {p.name for p in KIR} >= {"mlp.kir", "conv_block.kir", "transformer_block.kir"}


@pytest.mark.parametrize("path", KIR, ids=lambda p: p.name)
def test_fixture_round_trip(path):
    text = path.read_text()
    mod = kiln.parse(text, str(path))
    assert mod.script() == text
    kiln.ir.assert_structural_equal(kiln.parse(mod.script()), mod)
    assert kiln.ir.structural_hash(kiln.parse(text)) == kiln.ir.structural_hash(mod)


def test_fixtures_match_their_generator(tmp_path):
    subprocess.run([sys.executable, str(FIXTURES / "make_fixtures.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for path in KIR:
        kiln.ir.assert_structural_equal(kiln.parse((tmp_path / path.name).read_text()), kiln.parse(path.read_text()))


def test_parse_errors_name_line_and_column():
    text = "module {\n  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {\n    y = matmull(x, x)\n    return y\n  }\n}\n"
    with pytest.raises(kiln.Error, match=r'3:9: unknown op "matmull" \(did you mean "matmul"\?\)'):
        kiln.parse(text)
    with pytest.raises(kiln.Error, match=r"1:\d+"):
        kiln.parse("module { func")


def test_structural_equality_modulo_names():
    def make(name):
        i = tir.Var(name)
        a = tir.decl_buffer((8,), "float32", "A")
        return tir.PrimFunc([a], tir.For(i, 0, 8, "serial", tir.BufferStore(a, a[i] * 2.0, [i])))

    f, g = make("i"), make("j")
    assert kiln.ir.structural_equal(f, g)
    assert kiln.ir.structural_hash(f) == kiln.ir.structural_hash(g)
    i = tir.Var("i")
    a = tir.decl_buffer((8,), "float32", "A")
    h = tir.PrimFunc([a], tir.For(i, 0, 8, "serial", tir.BufferStore(a, a[i] * 3.0, [i])))
    assert not kiln.ir.structural_equal(f, h)
    diff = kiln.ir.find_mismatch(f, h)
    assert "2" in diff and "3" in diff
    with pytest.raises(kiln.Error, match="structurally different"):
        kiln.ir.assert_structural_equal(f, h)
