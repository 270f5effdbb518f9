"""The analysis behind the reference's "Tested in" lists, the coverage page
and the configuration reference (docs/_ext/), checked without building the
docs: known tests are found for sample APIs and unrelated ones are not; no
public API is untested; the configuration reference and the registries agree
both ways; every KILN_* environment variable the sources read is declared.
When docs/_build/html exists, one page is checked for working links."""

import re
import sys
import textwrap
from pathlib import Path

import pytest

import kiln
from kiln._core import registries

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import kiln_api_usage as usage  # noqa: E402
import kiln_config_ref  # noqa: E402
import kiln_env_vars  # noqa: E402


def ids(api):
    return {t.id for t in usage.usage_index().tested_in(api)}


@pytest.mark.parametrize(
    "api, known, unrelated",
    [
        ("kiln.compile",
         ["tests/python/e2e/test_compile.py::test_fixture_mlp",
          "tests/python/e2e/test_compile.py::test_mlp_symbolic_batch"],  # through its `mlp` fixture
         ["tests/python/ir/test_tir.py::test_dtype_checks", "tests/python/tir/test_te.py::test_matmul_with_sum"]),
        ("kiln.pipeline.get",
         ["tests/python/transform/test_pipeline.py::test_get_lists_passes_by_name"],
         ["tests/python/tir/test_te.py::test_matmul_with_sum", "tests/python/e2e/test_compile.py::test_fixture_mlp"]),
        ("kiln.frontend.from_onnx",
         ["tests/python/frontend/test_onnx_errors.py::test_valid_model_imports"],
         ["tests/python/transform/test_pipeline.py::test_get_lists_passes_by_name",
          "tests/python/ir/test_tir.py::test_dtype_checks"]),
        ("kiln.tir.ceil",  # named in a module-level table the test reads
         ["tests/python/api/test_api_tir.py::test_float_intrinsics_match_numpy"],
         ["tests/python/api/test_api_tir.py::test_expression_nodes"]),
    ],
)
def test_tested_in_for_sample_apis(api, known, unrelated):
    found = ids(api)
    assert set(known) <= found, f"{api}: missing {set(known) - found}"
    assert not set(unrelated) & found, f"{api}: unrelated tests listed: {set(unrelated) & found}"


def test_public_apis_are_canonical_once():
    apis = usage.public_apis()
    assert apis["kiln.compile"].obj is kiln.compile  # the function, not the module kiln.compile
    assert "kiln.IRModule" in apis["kiln.ir.IRModule"].aliases and "kiln.IRModule" not in apis
    assert apis["kiln.nd.array"].kind == "function" and apis["kiln.nd.NDArray"].kind == "class"
    assert len({id(a.obj) for a in apis.values()}) == len(apis)


def test_analysis_resolves_each_import_form(tmp_path):
    tests = tmp_path / "tests" / "python"
    tests.mkdir(parents=True)
    (tests / "helper_mod.py").write_text("import kiln\n\ndef make():\n    return kiln.nd.empty((2,), 'float32')\n")
    (tests / "test_sample.py").write_text(textwrap.dedent('''
        import pytest
        import kiln
        import kiln.relax.op as R
        from kiln.nd import array
        from kiln import pipeline as P
        from helper_mod import make
        T = kiln.transform

        def local_helper():
            return kiln.parse("module {}")

        def test_chain():
            kiln.nd.array([1.0]).numpy()

        def test_from_import_and_alias():
            array([1]); P.get("zero")

        def test_helpers():
            local_helper(); make()

        def test_module_alias():
            T.FoldConstant()

        @pytest.mark.parametrize("name", ["exp", "sqrt"])
        def test_getattr(name):
            getattr(R, name)

        def test_typed_method():
            p = kiln.pipeline.get("zero")
            p.insert_before("LegalizeOps")

        def test_nothing():
            assert 1 + 1 == 2

        class TestGroup:
            def test_method(self):
                kiln.cpu()
    '''))
    index = usage.UsageIndex(tests)
    uses = {t.name: u for t, u in index.uses.items()}
    assert uses["test_chain"] == {"kiln.nd.array"}
    assert uses["test_from_import_and_alias"] == {"kiln.nd.array", "kiln.pipeline.get"}
    assert uses["test_helpers"] == {"kiln.parse", "kiln.nd.empty"}
    assert uses["test_module_alias"] == {"kiln.transform.FoldConstant"}
    assert uses["test_getattr"] == {"kiln.relax.op.exp", "kiln.relax.op.sqrt"}
    assert uses["test_typed_method"] == {"kiln.pipeline.get", "kiln.pipeline.Pipeline"}
    assert uses["test_nothing"] == set()
    assert uses["TestGroup.test_method"] == {"kiln.runtime.cpu"}


def test_coverage_page_is_empty():
    untested = usage.usage_index().untested()
    assert untested == [], f"public APIs no test calls (add tests under tests/python/api/): {untested}"


def test_config_reference_lists_every_registered_key_and_no_other():
    registered = {c["key"] for c in kiln.transform.list_pass_configs()}
    documented = {c["key"] for c in kiln_config_ref.pass_configs()}
    assert registered == documented and {"dump_ir", "relax.fold_constant.max_bytes"} <= registered
    assert all(c["type"] in ("bool", "int", "float", "str") for c in kiln_config_ref.pass_configs())
    rst = "\n".join(kiln_config_ref.reference_rst())
    for key in registered:
        assert f"``{key}``" in rst
    rows = {r["key"]: r for r in kiln_config_ref.pass_configs()}
    assert "tests/python/legalize/test_legalize_ops.py::test_skip_ops" in {t.id for t in rows["relax.legalize.skip_ops"]["tests"]}


def test_target_options_are_what_the_parser_takes():
    table = registries.target_options()
    prim = kiln.tir.PrimFunc([kiln.tir.decl_buffer((1,), "float32", "A")], kiln.tir.Evaluate(0))
    for kind in ("llvm", "cuda"):
        names = [o["name"] for o in table if o["kind"] == kind]
        with pytest.raises(kiln.Error) as err:
            kiln.build(prim, target=f"{kind} -no-such-option")
        assert f"(known: {', '.join(names)})" in str(err.value)
    rst = "\n".join(kiln_config_ref.reference_rst())
    for o in table:
        assert f"``{o['name']}" in rst
    assert registries.target_kinds() == ["llvm", "c", "cuda"]
    assert kiln.build(prim, target="llvm -opt-level=1 -fast-math") is not None


READS = re.compile(
    r"""(?:getenv|GetEnv|environ\.get|environ\.setdefault|environ\[|getenv)\(?\s*["'](KILN_[A-Z0-9_]+)["']"""
    r"""|(KILN_[A-Z0-9_]+)=["']""")  # dict(os.environ, KILN_X="...") sets it for a child process


def test_every_kiln_environment_variable_read_is_declared():
    declared = {v["name"] for v in registries.env_vars()} | {v["name"] for v in kiln_env_vars.ENV_VARS}
    read = {}
    for folder in ("src", "python", "tools", "scripts", "include", "tests", "docs", "bench"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".cc", ".h", ".py", ".sh", ".c") or "_build" in path.parts or "_generated" in path.parts:
                continue
            if path == Path(__file__).resolve():
                continue
            for m in READS.finditer(path.read_text(errors="replace")):
                read.setdefault(m.group(1) or m.group(2), path.relative_to(ROOT))
    assert {"KILN_NUM_THREADS", "KILN_DUMP_IR", "KILN_TEST_FULL", "KILN_DOCS_MODE"} <= set(read)
    undeclared = {name: str(p) for name, p in read.items() if name not in declared}
    assert not undeclared, f"read but not declared (src/runtime/env.cc or docs/_ext/kiln_env_vars.py): {undeclared}"
    assert not declared - set(read), f"declared but never read: {declared - set(read)}"


def test_cpp_reads_kiln_variables_through_getenv():
    """runtime::GetEnv refuses undeclared names at run time; std::getenv would not."""
    raw = [f"{p.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}" for p in (ROOT / "src").rglob("*.cc")
           if p.name != "env.cc" for text in [p.read_text()] for m in re.finditer(r'std::getenv\("KILN_', text)]
    assert not raw, f"C++ reads KILN_* variables with std::getenv instead of runtime::GetEnv: {raw}"


@pytest.mark.built_docs
def test_built_html_links_resolve():
    html = ROOT / "docs" / "_build" / "html"
    page = html / "reference" / "python" / "kiln.pipeline.html"
    if not page.exists():
        pytest.skip("docs not built (scripts/docs.sh)")
    text = page.read_text()
    assert "Tested in" in text
    links = re.findall(r'href="(\.\./\.\./_generated/tests/[^"#]+)#([^"]+)"', text)
    assert links, "no Tested in links on the kiln.pipeline page"
    for target, anchor in links:
        generated = (page.parent / target).resolve()
        assert generated.exists(), target
        assert f'id="{anchor}"' in generated.read_text(), f"{target}#{anchor}"
    want = usage.test_label(next(t for t in usage.usage_index().tested_in("kiln.pipeline.get")
                                 if t.name == "test_get_lists_passes_by_name"))
    assert any(anchor == want for _, anchor in links)


def test_every_public_name_of_every_module_is_documented():
    import importlib
    import pkgutil

    documented = {id(a.obj) for a in usage.public_apis().values()}
    missing = []
    for info in pkgutil.walk_packages(kiln.__path__, "kiln."):
        if any(part.startswith("_") for part in info.name.split(".")) or "libkiln" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency (torch) is missing
            continue
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if obj is not None and usage._is_api_object(obj) and id(obj) not in documented:
                missing.append(f"{info.name}.{name}")
    assert not missing, f"public but in no reference page (add the module to API_MODULES): {missing}"


def test_one_reference_page_per_api_module():
    pages = {p.stem for p in (ROOT / "docs" / "reference" / "python").glob("kiln*.rst")}
    assert pages == set(usage.API_MODULES)
    index = (ROOT / "docs" / "reference" / "python" / "index.rst").read_text()
    assert all(f"   {m}\n" in index for m in usage.API_MODULES)
