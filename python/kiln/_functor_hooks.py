"""What the visitors and mutators of kiln.relax and kiln.tir share on the
Python side (the C++ side is src/python/functor_hooks.h): the hooks a
subclass overrides, the error for a subclass that skips
``super().__init__()``, and the default hook of a node kind, which runs the
C++ traversal of the node."""

from typing import Dict, List

from ._core import Error


def overridden(obj, defaults: Dict[str, object]) -> List[str]:
    """The hooks in ``defaults`` (name -> the base class's function) that the
    class of ``obj`` overrides."""
    cls = type(obj)
    return [name for name, default in defaults.items() if getattr(cls, name) is not default]


def missing_attribute(self, name):
    """``__getattr__`` of the functor classes: a missing ``_impl`` means
    ``__init__`` did not call ``super().__init__()``."""
    if name == "_impl":
        raise Error(f"{type(self).__name__}.__init__ must call super().__init__() before visiting")
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def kind_hook(name: str, doc: str):
    """The default hook ``name`` of a node kind: the node's C++ traversal,
    its children coming back through the hooks."""

    def hook(self, node):
        return self._impl.visit_node(node)

    hook.__name__ = hook.__qualname__ = name
    hook.__doc__ = doc
    return hook
