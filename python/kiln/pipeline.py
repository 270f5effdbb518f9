"""Named pipelines (``kiln.pipeline``): the standard lists of passes from a
graph of ops to a module ready for codegen::

    p = kiln.pipeline.get("default", target="llvm")
    print(p)                                  # the passes, one a line
    p.insert_before("FuseOps", my_pass)       # splice your own pass in
    ex = kiln.compile(mod, target="llvm", pipeline=p)

``"zero"`` legalizes each op to a kernel of its own and does nothing more
(the reference for numbers); ``"default"`` is what ``kiln.compile`` runs when
given no pipeline. Each pipeline is one readable file in C++
(``src/transform/pipeline/<name>.cc``).
"""

from typing import Iterable, List, Optional, Union

from ._core.transform import Pass, Sequential, _list_pipelines, _pipeline_passes

__all__ = ["Pipeline", "get", "list_pipelines"]


class Pipeline(list):
    """A list of passes that runs as one: ``pipeline(mod)`` applies them in
    order (a ``Sequential``, so a pass's required passes run first and the
    opt level of the current PassContext applies). Being a list, it takes
    ``insert``, ``append``, slicing and ``del``; the helpers below find a pass
    by name."""

    def __init__(self, passes: Iterable[Pass] = (), name: str = "pipeline"):
        super().__init__(passes)
        self.name = name

    @property
    def names(self) -> List[str]:
        return [p.name for p in self]

    def index_of(self, name: str) -> int:
        """The position of the first pass called ``name``; raises ValueError
        listing the passes when there is none."""
        for i, p in enumerate(self):
            if p.name == name:
                return i
        raise ValueError(f"pipeline '{self.name}' has no pass '{name}' (passes: {', '.join(self.names)})")

    def insert_before(self, name: str, *passes: Pass) -> "Pipeline":
        i = self.index_of(name)
        self[i:i] = passes
        return self

    def insert_after(self, name: str, *passes: Pass) -> "Pipeline":
        i = self.index_of(name) + 1
        self[i:i] = passes
        return self

    def remove_pass(self, name: str) -> "Pipeline":
        del self[self.index_of(name)]
        return self

    def as_pass(self) -> Pass:
        return Sequential(list(self), self.name)

    def __call__(self, mod):
        return self.as_pass()(mod)

    def __repr__(self) -> str:
        lines = [f"Pipeline '{self.name}' ({len(self)} passes):"]
        lines += [f"  {i:2d}. {p.name}" for i, p in enumerate(self)]
        return "\n".join(lines)


def get(name: str = "default", target: str = "llvm", dispatch: Optional[Union[str, List[str]]] = None) -> Pipeline:
    """The passes of pipeline ``name`` for ``target`` as a :class:`Pipeline`.
    ``dispatch`` names libraries to send patterns to (``["onednn"]``).

    Examples:
        >>> kiln.pipeline.get("zero").names
        ['Normalize', 'LegalizeOps']
        >>> p = kiln.pipeline.get("default", target="llvm")
        >>> p.index_of("LegalizeOps") < p.index_of("DefaultSchedule")
        True
    """
    if isinstance(dispatch, str):
        dispatch = [dispatch]
    return Pipeline(_pipeline_passes(name, str(target), list(dispatch or [])), name)


def list_pipelines() -> List[str]:
    """The names :func:`get` takes.

    Examples:
        >>> {"zero", "default"} <= set(kiln.pipeline.list_pipelines())
        True
    """
    return list(_list_pipelines())
