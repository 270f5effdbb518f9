"""The PyTorch importer's converters, one small module per op family:
each is exported, imported, compiled and run against PyTorch, with a
symbolic batch where the op allows one."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import kiln


class Fn(torch.nn.Module):
    def __init__(self, fn, *modules):
        super().__init__()
        self.fn = fn
        self.mods = torch.nn.ModuleList(modules)

    def forward(self, *xs):
        return self.fn(self, *xs)


F32 = "float32"

# name: (module, input specs, input makers for a batch b)
CASES = {
    "arith_scalars": (Fn(lambda s, x: (x * 0.5 + 1) / 3 - x ** 2 + 2 ** x), [(("b", 5), F32)], None),
    "compare_where": (Fn(lambda s, x, y: torch.where((x > y) & (x <= 1.0) | (y == 0), x, y - 1)),
                      [(("b", 6), F32), (("b", 6), F32)], None),
    "activations": (Fn(lambda s, x: F.gelu(x) + F.gelu(x, approximate="tanh") + torch.sigmoid(x) + F.silu(x)
                       + torch.tanh(x) + F.relu6(x) + F.leaky_relu(x, 0.1) + F.hardswish(x) + F.elu(x)
                       + torch.rsqrt(x.abs() + 1) + torch.exp(-x.abs()) + torch.erf(x)), [(("b", 7), F32)], None),
    "softmax_norms": (Fn(lambda s, x: F.softmax(x, -1) + F.log_softmax(x, 1) + s.mods[0](x),
                        torch.nn.LayerNorm(8)), [(("b", 4, 8), F32)], None),
    "reductions": (Fn(lambda s, x: torch.cat([x.sum(1), x.mean(1), x.amax(1), x.amin(1), x.var(1),
                                              x.max(dim=1).values, x.prod(1)], -1)), [(("b", 3, 4), F32)], None),
    "argmax_cumsum": (Fn(lambda s, x: (x.argmax(-1), torch.cumsum(x, 1))), [(("b", 6), F32)], None),
    "shapes": (Fn(lambda s, x: torch.cat([x.permute(0, 2, 1).reshape(x.shape[0], -1),
                                          x.transpose(1, 2).flatten(1), x.unsqueeze(1).squeeze(1).view(-1, 12)], 1)),
               [(("b", 3, 4), F32)], None),
    "split_slice_select": (Fn(lambda s, x: torch.cat([*x.split([2, 3], 1), x[:, 1:4:2], x[:, -2:], x[:, 2:3]], 1)
                              + x[:, 0:1] * x.select(1, -1).unsqueeze(1)), [(("b", 5), F32)], None),
    "expand_repeat": (Fn(lambda s, x: x.expand(3, -1, -1).sum(0) + x.repeat(1, 2)[:, :4]), [(("b", 4), F32)], None),
    "symbolic_slice": (Fn(lambda s, x, y: (torch.cat([x, y], 1)[:, : x.shape[1]] * 2, torch.cat([x, y], 1)[:, x.shape[1]:])),
                       [((2, "n"), F32), ((2, "m"), F32)], [lambda b: torch.randn(2, 3 + b), lambda b: torch.randn(2, b)]),
    "index_gather": (Fn(lambda s, x, i: (x[i] + x.gather(1, i[:, None].expand(-1, 3)), x[:, i])),
                     [((6, 3), F32), ((6,), "int64")], [lambda b: torch.randn(6, 3), lambda b: torch.randint(0, 3, (6,))]),
    "index_2d": (Fn(lambda s, x, i, j: x[i[:, None], j[None, :]]), [((5, 6, 2), F32), ((3,), "int64"), ((4,), "int64")],
                 [lambda b: torch.randn(5, 6, 2), lambda b: torch.randint(-5, 5, (3,)), lambda b: torch.randint(0, 6, (4,))]),
    "symbolic_scalars": (Fn(lambda s, x: x * x.shape[1] + x.shape[0] - torch.full_like(x, 2.0)), [(("b", "n"), F32)], None),
    "create": (Fn(lambda s, x: x + torch.arange(x.shape[1]) + torch.ones(x.shape[1]) * 2 + torch.zeros_like(x)
                  + torch.full((1, x.shape[1]), 0.5)), [(("b", "n"), F32)], None),
    "rounding": (Fn(lambda s, x, i: (torch.floor(x * 3) + torch.ceil(x) + torch.round(x * 4) + torch.div(x, 0.3, rounding_mode="floor")
                                     + torch.div(x, -0.3, rounding_mode="trunc"),
                                     torch.div(i, 3, rounding_mode="floor"), torch.div(i, 3, rounding_mode="trunc"))),
                 [(("b", 6), F32), (("b", 7), "int64")], [lambda b: torch.randn(b, 6), lambda b: torch.randint(-9, 9, (b, 7))]),
    "cast_masked_fill": (Fn(lambda s, x: x.masked_fill(x > 0.5, -1.0) + (x > 0).float() + x.to(torch.int64)),
                         [(("b", 5), F32)], None),
    "embedding": (Fn(lambda s, i: s.mods[0](i), torch.nn.Embedding(10, 4)), [(("b", 3), "int64")],
                  [lambda b: torch.randint(0, 10, (b, 3))]),
    "linear_matmul": (Fn(lambda s, x, y: s.mods[0](x) @ y + torch.bmm(x, y.expand(x.shape[0], -1, -1)).sum(),
                         torch.nn.Linear(4, 4, bias=False)), [(("b", 3, 4), F32), ((4, 2), F32)],
                      [lambda b: torch.randn(b, 3, 4), lambda b: torch.randn(4, 2)]),
    "conv_pool": (Fn(lambda s, x: F.max_pool2d(s.mods[0](x), 3, 2, 1) + F.avg_pool2d(s.mods[0](x), 2, 2, ceil_mode=True)[..., :4, :4]
                     + F.adaptive_avg_pool2d(s.mods[0](x), 1),
                     torch.nn.Conv2d(3, 4, 3, padding=1, groups=1)), [(("b", 3, 8, 8), F32)], None),
    "conv_variants": (Fn(lambda s, x: s.mods[1](s.mods[0](x)) + s.mods[2](F.pad(x, (1, 1, 2, 0)))[..., :8, :8],
                         torch.nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), torch.nn.ConvTranspose2d(4, 4, 2, stride=2, padding=4),
                         torch.nn.Conv2d(4, 4, 3, dilation=1)), [(("b", 4, 8, 8), F32)], None),
    "conv1d_groupnorm": (Fn(lambda s, x: s.mods[1](s.mods[0](x)), torch.nn.Conv1d(4, 6, 3, stride=2), torch.nn.GroupNorm(2, 6)),
                         [(("b", 4, 9), F32)], None),
    "batchnorm": (Fn(lambda s, x: s.mods[0](x), torch.nn.BatchNorm2d(3)), [(("b", 3, 4, 4), F32)], None),
    "attention": (Fn(lambda s, q, k: F.scaled_dot_product_attention(q, k, k)), [(("b", 2, 5, 8), F32)] * 2, None),
    "attention_causal_mask": (Fn(lambda s, q, k, m: (F.scaled_dot_product_attention(q, k, k, is_causal=True),
                                                    F.scaled_dot_product_attention(q, k, k, attn_mask=m),
                                                    F.scaled_dot_product_attention(q, k, k, attn_mask=m > 0, scale=0.3))),
                              [(("b", 2, "n", 8), F32)] * 2 + [(("n", "n"), F32)],
                              [lambda b: torch.randn(b, 2, 6, 8)] * 2 + [lambda b: torch.randn(6, 6)]),
}


def _inputs(specs, makers, b):
    if makers is not None:
        return [m(b) for m in makers]
    return [torch.randn([b if isinstance(d, str) and d == "b" else 7 if isinstance(d, str) else d for d in shape])
            for shape, _ in specs]


@pytest.mark.parametrize("name", list(CASES))
def test_op(name):
    torch.manual_seed(0)
    module, specs, makers = CASES[name]
    module = module.eval()
    with torch.no_grad():
        if isinstance(module.mods[0] if len(module.mods) else None, torch.nn.BatchNorm2d):
            module.mods[0].running_mean.uniform_(-1, 1)
            module.mods[0].running_var.uniform_(0.5, 2)
    mod = kiln.frontend.from_torch(module, specs)
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    for b in (1, 4):
        xs = _inputs(specs, makers, b)
        with torch.no_grad():
            ref = module(*xs)
        out = vm["main"](*[x.numpy() for x in xs])
        refs = ref if isinstance(ref, tuple) else (ref,)
        outs = tuple(out) if isinstance(ref, tuple) else (out,)
        for o, r in zip(outs, refs):
            assert o.numpy().dtype == r.numpy().dtype and o.shape == tuple(r.shape)
            np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=1e-4, atol=1e-4)
