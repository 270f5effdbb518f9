"""The workloads of bench/ops/blocks.py, one builder per file. Each builder
returns a Workload: the same computation as a torch.nn.Module and as a Kiln
relax module (weights as relax Constants, taken from the same NumPy arrays),
with the inputs both run on."""

from .common import Workload
from .bert_layer import bert_layer
from .bottleneck import bottleneck
from .mlp import mlp
from .rows import layer_norm_rows, softmax_rows

__all__ = ["Workload", "bert_layer", "bottleneck", "layer_norm_rows", "mlp", "softmax_rows"]
