"""Which public Kiln APIs each test calls, found by reading tests/ with ``ast``.

Shared by the Sphinx extensions (``kiln_tested_in``: the "Tested in" lists and
the coverage page; ``kiln_config_ref``: the tests using each configuration
key) and by tests/python/docs/test_tested_in.py, which checks the analysis
without building the docs.

The public API is what the reference documents: every class and function
named in the ``__all__`` of the modules in :data:`API_MODULES`, each under one
canonical name (the first module of that list exporting it; the others are
aliases). A test function uses an API when its body, or what it reaches
(helper functions and classes of its file or of a helper module under
tests/, its pytest fixtures there or in a conftest.py, module-level values
such as tables of ops), refers to it through ``kiln.x.y`` attribute chains,
names imported with ``import kiln...`` / ``from kiln... import ...`` or
aliased (``T = kiln.transform``), ``getattr(op, name)`` with ``name`` a
string or a parametrized argument, or methods called on a variable assigned
from a constructor or from a function whose return annotation names a public
class. C++ tests (tests/cpp) count for the configuration reference, by the
strings they contain.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import types
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
# The test of this analysis names every key it checks; it is no user of them.
SELF_TEST = "tests/python/docs/test_tested_in.py"

# Reference pages, one per module, in the order the canonical name is chosen:
# specific modules before the packages that re-export their names.
API_MODULES = [
    "kiln.nd",
    "kiln.runtime",
    "kiln.ir",
    "kiln.tir.te",
    "kiln.tir",
    "kiln.tir.schedule",
    "kiln.relax.op",
    "kiln.relax.pattern",
    "kiln.relax",
    "kiln.transform",
    "kiln.pipeline",
    "kiln.codegen",
    "kiln.vm",
    "kiln.frontend",
    "kiln.frontend.onnx",
    "kiln.frontend.torch",
    "kiln.nn.op",
    "kiln.nn",
    "kiln.nn.spec",
    "kiln.nn.tensor",
    "kiln.torch",
    "kiln",
]


@dataclass
class Api:
    name: str  # canonical dotted name, "kiln.nd.array"
    module: str  # the reference page's module, "kiln.nd"
    kind: str  # "function" or "class"
    obj: object = field(repr=False)
    aliases: List[str] = field(default_factory=list)  # other public names of the object


@dataclass(frozen=True)
class TestFunc:
    path: str  # relative to the repository root, "tests/python/e2e/test_compile.py"
    name: str  # "test_compile_mlp" or "TestX.test_y"
    lineno: int
    end_lineno: int

    @property
    def id(self) -> str:
        return f"{self.path}::{self.name}"


def _is_api_object(obj) -> bool:
    if isinstance(obj, types.ModuleType):
        return False
    return inspect.isclass(obj) or callable(obj)


@lru_cache(maxsize=1)
def public_apis() -> Dict[str, Api]:
    """Canonical name -> Api for every public class and function."""
    by_id: Dict[int, Api] = {}
    for modname in API_MODULES:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name, None)
            if obj is None or not _is_api_object(obj):
                continue
            dotted = f"{modname}.{name}"
            if id(obj) in by_id:
                by_id[id(obj)].aliases.append(dotted)
                continue
            kind = "class" if inspect.isclass(obj) else "function"
            by_id[id(obj)] = Api(dotted, modname, kind, obj)
    return {api.name: api for api in by_id.values()}


@lru_cache(maxsize=1)
def _apis_by_id() -> Dict[int, Api]:
    return {id(api.obj): api for api in public_apis().values()}


def api_for(obj) -> Optional[Api]:
    return _apis_by_id().get(id(obj))


@lru_cache(maxsize=None)
def resolve(dotted: str):
    """The object a dotted name starting with ``kiln`` names, or None. An
    attribute wins over a submodule of the same name (``kiln.compile`` is the
    function)."""
    parts = dotted.split(".")
    if parts[0] != "kiln":
        return None
    obj = importlib.import_module("kiln")
    for i, attr in enumerate(parts[1:], start=2):
        if hasattr(obj, attr):
            obj = getattr(obj, attr)
        elif isinstance(obj, types.ModuleType):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                return None
        else:
            return None
    return obj


def _apis_on_chain(dotted: str) -> Set[str]:
    """APIs named by a dotted chain and its prefixes: ``kiln.nd.NDArray.numpy``
    uses NDArray."""
    found = set()
    parts = dotted.split(".")
    for i in range(2, len(parts) + 1):
        api = api_for(resolve(".".join(parts[:i])))
        if api is not None:
            found.add(api.name)
    return found


def _return_class(api: Api) -> Optional[Api]:
    """The public class a function's return annotation names."""
    if api.kind == "class":
        return api
    try:
        ann = inspect.signature(api.obj).return_annotation
    except (TypeError, ValueError):
        return None
    if isinstance(ann, str):
        ann = resolve(f"{api.module}.{ann}") or resolve(f"kiln.{ann}")
    result = api_for(ann) if ann is not inspect.Signature.empty else None
    return result if result is not None and result.kind == "class" else None


def _string_values(fa: "_FileAnalysis", node: ast.AST) -> List[str]:
    """The strings a parametrize list holds: a literal list or tuple, or
    ``list(X)`` / ``sorted(X)`` / ``X`` of a module-level list or dict (its keys)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("list", "sorted", "tuple"):
        return _string_values(fa, node.args[0]) if node.args else []
    if isinstance(node, ast.Name):
        for stmt in fa.tree.body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets):
                return _string_values(fa, stmt.value)
        return []
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _parametrized_values(fa: "_FileAnalysis", func: ast.AST, argname: str) -> List[str]:
    for deco in getattr(func, "decorator_list", []):
        if not (isinstance(deco, ast.Call) and _chain(deco.func) and _chain(deco.func)[-1] == "parametrize"):
            continue
        if len(deco.args) >= 2 and isinstance(deco.args[0], ast.Constant) and deco.args[0].value == argname:
            return _string_values(fa, deco.args[1])
    return []


def _chain(node: ast.AST) -> Optional[List[str]]:
    """["a", "b", "c"] for the expression a.b.c, else None."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
        return names[::-1]
    return None


class _FileAnalysis:
    """The imports, helper functions and test functions of one Python file."""

    def __init__(self, path: Path):
        self.path = path
        self.tree = ast.parse(path.read_text(), filename=str(path))
        self.aliases: Dict[str, str] = {}  # local name -> "kiln.x.y"
        # local name -> (helper module file under tests/, the name imported from it or None)
        self.helper_imports: Dict[str, tuple] = {}
        self.functions: Dict[str, ast.AST] = {}  # module-level functions (and Class.method)
        self.classes: Set[str] = set()  # module-level classes (models, helpers)
        self._collect()

    def _collect(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "kiln" or a.name.startswith("kiln."):
                        if a.asname:
                            self.aliases[a.asname] = a.name
                        else:
                            self.aliases["kiln"] = "kiln"
                    else:
                        self._helper(a.asname or a.name, a.name)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    local = a.asname or a.name
                    if node.module == "kiln" or node.module.startswith("kiln."):
                        self.aliases[local] = f"{node.module}.{a.name}"
                    else:
                        self._helper(local, node.module, a.name)
        for node in self.tree.body:
            # Module-level aliases: T = kiln.transform
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                chain = _chain(node.value)
                if chain and chain[0] in self.aliases:
                    self.aliases[node.targets[0].id] = ".".join([self.aliases[chain[0]]] + chain[1:])
            # Module-level values (tables of ops, models) count for the tests that read them.
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id not in self.aliases:
                        self.functions[target.id] = node.value
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes.add(node.name)
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.functions[f"{node.name}.{item.name}"] = item

    def _helper(self, local: str, module: str, attr: Optional[str] = None) -> None:
        # A sibling helper module of the tests (legalize_util, nn_util, ...).
        candidate = self.path.parent / (module.replace(".", "/") + ".py")
        if candidate.exists():
            self.helper_imports[local] = (candidate, attr)

    def tests(self) -> List[str]:
        out = []
        for name in self.functions:
            leaf = name.rsplit(".", 1)[-1]
            owner = name.split(".")[0] if "." in name else ""
            if leaf.startswith("test") and (not owner or owner.startswith("Test")):
                out.append(name)
        return out


class UsageIndex:
    """API and string usage of every test function under ``tests/``."""

    def __init__(self, tests_dir: Path = TESTS):
        self.tests_dir = tests_dir
        self.files: Dict[Path, _FileAnalysis] = {}
        self.uses: Dict[TestFunc, Set[str]] = {}  # test -> canonical API names
        self.direct: Dict[TestFunc, Set[str]] = {}  # test -> APIs named in its own body
        self.sources: Dict[TestFunc, str] = {}  # test -> its source text (with the helpers it calls)
        self._cache: Dict[tuple, Set[str]] = {}
        self._text_cache: Dict[tuple, str] = {}
        for path in sorted(tests_dir.rglob("*.py")):
            fa = self._file(path)
            if fa is None or not path.name.startswith("test_"):
                continue
            rel = str(path.relative_to(tests_dir.parent))
            for name in fa.tests():
                node = fa.functions[name]
                t = TestFunc(rel, name, node.lineno, node.end_lineno)
                self.uses[t] = self._function_apis(fa, name, frozenset())
                self.direct[t] = self._direct_apis(fa, node)
                self.sources[t] = self._function_text(fa, name, frozenset())

    def _file(self, path: Path) -> Optional[_FileAnalysis]:
        if path not in self.files:
            try:
                self.files[path] = _FileAnalysis(path)
            except SyntaxError:
                self.files[path] = None
        return self.files[path]

    def _callees(self, fa: _FileAnalysis, name: str):
        """Helpers called by function ``name``: (file analysis, function name)."""
        node = fa.functions[name]
        owner = name.split(".")[0] if "." in name else None
        # pytest fixtures named by the function's parameters: in this file or a conftest.py above it.
        for arg in getattr(getattr(node, "args", None), "args", []):
            if arg.arg in fa.functions and arg.arg != name:
                yield fa, arg.arg
                continue
            for conftest in self._conftests(fa.path):
                if arg.arg in conftest.functions:
                    yield conftest, arg.arg
                    break
        for sub in ast.walk(node):
            chain = _chain(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else None
            if not chain:
                continue
            head = chain[0]
            if head in fa.functions and head != name:
                yield fa, head
            elif head in fa.classes and head != owner:
                yield from ((fa, f) for f in fa.functions if f.startswith(head + "."))
            elif owner and head == "self" and len(chain) > 1 and f"{owner}.{chain[1]}" in fa.functions:
                yield fa, f"{owner}.{chain[1]}"
            elif head in fa.helper_imports:
                path, attr = fa.helper_imports[head]
                helper = self._file(path)
                target = attr if attr is not None else (chain[1] if len(chain) > 1 else None)
                if helper is not None and target in helper.functions:
                    yield helper, target
                elif helper is not None and target in helper.classes:
                    yield from ((helper, f) for f in helper.functions if f.startswith(target + "."))

    def _conftests(self, path: Path) -> List[_FileAnalysis]:
        out = []
        for folder in path.parents:
            candidate = self._file(folder / "conftest.py") if (folder / "conftest.py").exists() else None
            if candidate is not None and candidate.path != path:
                out.append(candidate)
            if folder == self.tests_dir:
                break
        return out

    def _function_apis(self, fa: _FileAnalysis, name: str, seen: frozenset) -> Set[str]:
        key = (fa.path, name)
        if key in self._cache:
            return self._cache[key]
        if key in seen:
            return set()
        seen = seen | {key}
        found = self._direct_apis(fa, fa.functions[name])
        # Helper functions of the module (decorated fixtures included) count
        # for the tests that call them.
        for helper, callee in self._callees(fa, name):
            found |= self._function_apis(helper, callee, seen)
        self._cache[key] = found
        return found

    def _function_text(self, fa: _FileAnalysis, name: str, seen: frozenset) -> str:
        key = (fa.path, name)
        if key in self._text_cache:
            return self._text_cache[key]
        if key in seen:
            return ""
        seen = seen | {key}
        text = ast.get_source_segment(fa.path.read_text(), fa.functions[name]) or ""
        for helper, callee in self._callees(fa, name):
            text += "\n" + self._function_text(helper, callee, seen)
        self._text_cache[key] = text
        return text

    def _dotted(self, fa: _FileAnalysis, chain: List[str]) -> Optional[str]:
        head = chain[0]
        if head not in fa.aliases:
            return None
        return ".".join([fa.aliases[head]] + chain[1:])

    def _direct_apis(self, fa: _FileAnalysis, func: ast.AST) -> Set[str]:
        found: Set[str] = set()
        typed: Dict[str, Api] = {}  # local variable -> public class of its value
        local = dict(fa.aliases)  # plus local aliases: op = nn.op
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                chain = _chain(node.value)
                if chain and chain[0] in fa.aliases:
                    local[node.targets[0].id] = ".".join([fa.aliases[chain[0]]] + chain[1:])
        saved, fa.aliases = fa.aliases, local
        try:
            return self._direct_apis_with(fa, func, found, typed)
        finally:
            fa.aliases = saved

    def _direct_apis_with(self, fa, func, found, typed) -> Set[str]:
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                chain = _chain(node.value.func)
                dotted = self._dotted(fa, chain) if chain else None
                api = api_for(resolve(dotted)) if dotted else None
                cls = _return_class(api) if api else None
                if cls is not None:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            typed[target.id] = cls
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
                found |= self._getattr_apis(fa, func, node)
            if not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            chain = _chain(node)
            if not chain:
                continue
            dotted = self._dotted(fa, chain)
            if dotted is not None:
                found |= _apis_on_chain(dotted)
            elif chain[0] in typed and len(chain) > 1:
                found.add(typed[chain[0]].name)
        return found

    def _getattr_apis(self, fa: _FileAnalysis, func: ast.AST, call: ast.Call) -> Set[str]:
        """``getattr(op, name)`` with ``name`` a string or a parameter of the
        test (``@pytest.mark.parametrize("name", [...] or list(DICT))``)."""
        if len(call.args) < 2:
            return set()
        chain = _chain(call.args[0])
        dotted = self._dotted(fa, chain) if chain else None
        if dotted is None:
            return set()
        arg = call.args[1]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            names = [arg.value]
        elif isinstance(arg, ast.Name):
            names = _parametrized_values(fa, func, arg.id)
        else:
            names = []
        found: Set[str] = set()
        for name in names:
            found |= _apis_on_chain(f"{dotted}.{name}")
        return found

    # ---- queries ----

    def tested_in(self, api_name: str) -> List[TestFunc]:
        """The test functions that use the API named (canonical name)."""
        return sorted((t for t, uses in self.uses.items() if api_name in uses), key=lambda t: (t.path, t.lineno))

    def untested(self, apis: Optional[Iterable[str]] = None) -> List[str]:
        used = set().union(*self.uses.values()) if self.uses else set()
        return sorted(name for name in (apis if apis is not None else public_apis()) if name not in used)

    def tests_mentioning(self, text: str) -> List[TestFunc]:
        """The test functions whose source (or a helper they call) contains
        the string literal ``text``, or mentions it in any string."""
        return sorted((t for t, src in self.sources.items() if text in src), key=lambda t: (t.path, t.lineno))

    def by_file(self) -> Dict[str, List[TestFunc]]:
        out: Dict[str, List[TestFunc]] = {}
        for t in sorted(self.uses, key=lambda t: (t.path, t.lineno)):
            out.setdefault(t.path, []).append(t)
        return out


@lru_cache(maxsize=1)
def usage_index() -> UsageIndex:
    return UsageIndex()


_CPP_TEST = re.compile(r"^TEST(?:_F|_P)?\((\w+),\s*(\w+)\)", re.M)


@lru_cache(maxsize=1)
def cpp_test_sources() -> Dict[TestFunc, str]:
    """Every GoogleTest test under tests/cpp with its body (braces matched)."""
    out: Dict[TestFunc, str] = {}
    for path in sorted((TESTS / "cpp").rglob("*.cc")):
        text = path.read_text()
        rel = str(path.relative_to(ROOT))
        for m in _CPP_TEST.finditer(text):
            start = text.find("{", m.end())
            depth, i = 0, start
            while i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                if depth == 0:
                    break
                i += 1
            lineno = text.count("\n", 0, m.start()) + 1
            end_lineno = text.count("\n", 0, i) + 1
            out[TestFunc(rel, f"{m.group(1)}.{m.group(2)}", lineno, end_lineno)] = text[m.start() : i + 1]
    return out


def cpp_tests_by_file() -> Dict[str, List[TestFunc]]:
    out: Dict[str, List[TestFunc]] = {}
    for t in sorted(cpp_test_sources(), key=lambda t: (t.path, t.lineno)):
        out.setdefault(t.path, []).append(t)
    return out


def tests_mentioning(text: str) -> List[TestFunc]:
    """The Python and C++ test functions whose source (with the helpers a
    Python test calls) contains ``text``: how the configuration reference
    finds the tests using a key, an option or an environment variable."""
    found = [t for t in usage_index().tests_mentioning(text) if t.path != SELF_TEST]
    found += [t for t, src in cpp_test_sources().items() if text in src]
    return sorted(found, key=lambda t: (t.path, t.lineno))


def test_label(t: TestFunc) -> str:
    """The Sphinx label of a test function on its generated page."""
    slug = t.path.replace("/", "-").replace(".py", "").replace("_", "-")
    return f"kiln-test-{slug}-{t.name.replace('.', '-').replace('_', '-')}".lower()


def test_page(path: str) -> str:
    """The docname of the generated page of a test file."""
    return "_generated/tests/" + path.replace("/", "_").replace(".py", "")
