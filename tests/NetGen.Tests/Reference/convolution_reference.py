#!/usr/bin/python3
"""Reference outputs and gradients for NetGen's convolution and pooling parity tests, from PyTorch twins.

Run with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/convolution_reference.py
It writes convolution.json next to this script; the C# tests (tests/NetGen.Tests/Parity/ConvolutionParityTests.cs)
read that file and never need Python.

The twins are nn.Sequential networks of the test networks in tests/NetGen.Tests/Networks/ConvolutionNetworks.cs,
with the same layer indices, so their state_dict names are the names NetGen gives its parameters. To keep the
file small, weights, inputs and the loss weights c are not stored: both sides draw them from NetGen's Rng
(xoshiro256** seeded through SplitMix64, reimplemented in parity_reference.py) in float32:
  - parameters, tensor by tensor in state_dict order, row-major: (2u - 1) * bound, u = Rng(seed).NextFloat(),
    bound = 1/sqrt(numel / shape[0]) for a weight (its fan-in) and 0.1 for a bias;
  - inputs [batch, ...] from Rng(seed + 1) and c [batch, outputs] from Rng(seed + 2), both as 2u - 1.
The loss is L = sum(c * y), so dL/dy = c. Outputs are evaluated in float64 on those float32 values (the exact
answer; the script checks PyTorch's float32 run agrees with it) and written as Python's repr; gradients are written
rounded to float32. For LeNet5 only every 17th element of the dense layers' gradients is kept.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_reference import Rng, Num, dump, values32, values64  # noqa: E402

BATCH = 2
SAMPLE_STRIDE = 17


class GlobalAvgPool(nn.Module):
    """NetGen's [GlobalAvgPool]: the mean of each channel over all positions, [C, ...] -> [C]."""

    def forward(self, x):
        return x.flatten(2).mean(2)


def networks():
    return {
        "GradConvPadded": ((2, 7, 6), nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.Tanh())),
        "GradConvStrided": ((3, 9, 8), nn.Sequential(nn.Conv2d(3, 2, (3, 2), stride=(2, 3), padding=(0, 1)))),
        "GradConvDilated": ((2, 9, 9), nn.Sequential(nn.Conv2d(2, 3, 3, dilation=2, padding=2, stride=2), nn.Sigmoid())),
        "GradConvPointwise": ((5, 4, 6), nn.Sequential(nn.Conv2d(5, 3, 1, bias=False))),
        "GradMaxPool": ((2, 7, 9), nn.Sequential(nn.MaxPool2d(2), nn.MaxPool2d((2, 3), stride=(2, 1)))),
        "GradAvgPool": ((2, 8, 7), nn.Sequential(nn.Conv2d(2, 3, 2), nn.AvgPool2d((3, 2), stride=(2, 1)))),
        "GradConv1D": ((3, 11), nn.Sequential(
            nn.Conv1d(3, 4, 3, padding=2, dilation=2, stride=2), nn.Tanh(),
            nn.MaxPool1d(2, stride=1), nn.AvgPool1d(2, stride=3), nn.Flatten(), nn.Linear(8, 3))),
        "GradGlobalPool": ((3, 5, 6), nn.Sequential(nn.Conv2d(3, 4, 3), nn.Tanh(), GlobalAvgPool(), nn.Linear(4, 2))),
        "GradGlobalPool1D": ((2, 9), nn.Sequential(nn.Conv1d(2, 3, 2), GlobalAvgPool())),
        "LeNet5": ((1, 28, 28), nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))),
    }


SEEDS = {name: 1000 + 10 * i for i, name in enumerate(networks())}


def uniform(rng, n, bound=None):
    two, one = np.float32(2), np.float32(1)
    values = [two * rng.next_float() - one for _ in range(n)]
    if bound is not None:
        values = [v * bound for v in values]
    return np.array(values, dtype=np.float32)


def fill(model, seed):
    rng = Rng(seed)
    state = model.state_dict()
    for name, t in state.items():
        n = t.numel()
        bound = np.float32(1.0 / np.sqrt(n // t.shape[0])) if t.dim() > 1 else np.float32(0.1)
        t.copy_(torch.from_numpy(uniform(rng, n, bound).reshape(t.shape)))
    return state


def run(model, x, c, dtype):
    m = model.to(dtype)
    xi = x.to(dtype).clone().requires_grad_(True)
    m.zero_grad()
    y = m(xi)
    (y * c.to(dtype)).sum().backward()
    return y.detach(), {n: p.grad.detach().clone() for n, p in m.named_parameters()}, xi.grad.detach()


def entry(name, shape, model):
    seed = SEEDS[name]
    state = fill(model, seed)
    x = torch.from_numpy(uniform(Rng(seed + 1), BATCH * int(np.prod(shape)))).reshape(BATCH, *shape)
    with torch.no_grad():
        outputs = model(x).shape[1:]
    out_len = int(np.prod(outputs))
    c = torch.from_numpy(uniform(Rng(seed + 2), BATCH * out_len)).reshape(BATCH, *outputs)
    y64, g64, dx64 = run(model, x, c, torch.float64)
    y32, g32, dx32 = run(model.to(torch.float32), x, c, torch.float32)
    assert torch.allclose(y32.double(), y64, rtol=1e-4, atol=1e-6), name
    for n in g64:
        assert torch.allclose(g32[n].double(), g64[n], rtol=1e-3, atol=1e-5), (name, n)
    grads = []
    for n, g in g64.items():
        stride = SAMPLE_STRIDE if name == "LeNet5" and g.numel() > 3000 else 1
        grads.append({"name": n, "stride": stride, "values": values32(g.flatten()[::stride])})
    return {
        "seed": seed,
        "batch": BATCH,
        "tensors": [{"name": n, "shape": list(t.shape)} for n, t in state.items()],
        "outputs": values64(y64),
        "grads": grads,
        "input_grad": values32(dx64),
    }


def main():
    torch.set_grad_enabled(True)
    result = {"torch_version": torch.__version__}
    for name, (shape, model) in networks().items():
        result[name] = entry(name, shape, model)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "convolution.json")
    with open(path, "w") as f:
        f.write(dump(result) + "\n")
    json.load(open(path))  # well-formed
    print(f"wrote {path} ({os.path.getsize(path):,} bytes)")


if __name__ == "__main__":
    main()
