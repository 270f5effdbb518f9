"""The converter registry: ATen target (``torch.ops.aten.add.Tensor``) to the
function that converts one FX node calling it.

A converter is ``fn(ctx, *args, **kwargs)`` with the node's own arguments, as
the ATen schema names them, already converted: tensors are relax
expressions, symbolic ints are ``tir`` expressions, Python scalars and lists
stay what they are. ``ctx`` (a :class:`~.importer.Context`) gives the block
builder, the node and helpers. It returns a relax expression, a Python tuple
of them (for multi-output ops, read by ``operator.getitem``), or ``None``."""

CONVERTERS = {}


def converter(*targets):
    """Registers the decorated function for every target (an OpOverload, an
    OpOverloadPacket meaning all its overloads, or a Python callable)."""

    def register(fn):
        for target in targets:
            CONVERTERS[target] = fn
        return fn

    return register


def lookup(target):
    """The converter of `target`, or None: an overload falls back to its
    packet (``aten.add`` covers ``aten.add.Tensor``)."""
    fn = CONVERTERS.get(target)
    if fn is None and hasattr(target, "overloadpacket"):
        fn = CONVERTERS.get(target.overloadpacket)
    return fn
