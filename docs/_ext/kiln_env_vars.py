"""The environment variables Kiln's Python side reads (tests, docs and
tutorials), declared once. Those the C++ code reads are declared in
src/runtime/env.cc (``kiln._core.registries.env_vars()``). The configuration
reference lists both, and tests/python/docs/test_tested_in.py fails when
src/, python/, tools/, scripts/, tests/, docs/ or bench/ read a ``KILN_*``
variable that neither declares.
"""

ENV_VARS = [
    {
        "name": "KILN_DOCS_MODE",
        "type": "str: short or full",
        "default": "short",
        "doc": "the problem sizes of slow tutorials: short for CI and the docs build, full for the sizes "
        "the tutorials quote (scripts/docs.sh --full sets it)",
        "read_by": "docs/conf.py, docs/get_started/*.py, docs/how_to/*.py",
    },
    {
        "name": "KILN_TEST_FULL",
        "type": "str: 1 or unset",
        "default": "unset: the quick set",
        "doc": "1 runs the full list of models in the ONNX and PyTorch import tests instead of the quick set",
        "read_by": "tests/python/frontend/test_onnx_models.py, tests/python/frontend/test_torch_models.py",
    },
]
