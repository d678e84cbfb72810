#!/usr/bin/python3
"""Reference logits and gradients for NetGen's parity tests, from PyTorch twins of the test networks.

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/parity_reference.py
It writes parity.json next to this script; the C# tests (tests/NetGen.Tests/Parity) read that file and never need
Python.

The twins are nn.Sequential networks of Mlp and Zoo (tests/NetGen.Tests/Networks/TestNetworks.cs), with the same
layer indices (activations and dropout count) and Zoo's layer 8 named "head", so their state_dict names are the
names NetGen must give its parameters. Weights are PyTorch's default initialization under torch.manual_seed, in
float32; inputs are float32. Outputs and gradients are then evaluated in float64 on those same float32 values, so
they are the exact answer (to ~1e-15) rather than one float32 rounding of it, and the script checks that PyTorch's
own float32 run agrees with them, so "matches these values" means "matches PyTorch to float rounding".

Values: float32 tensors (weights, inputs, mask, c) as the shortest decimal that round-trips a float32; float64
results as Python's repr; gradients are stored rounded to float32 (compared at 1e-4, that rounding is 6e-8).

Mlp: forward on a batch of 4 (eval), and the gradients of cross-entropy (mean over the batch) with given labels.
Zoo: forward on a batch of 4 in eval mode (dropout is the identity). For gradients Zoo runs in training mode with
the dropout mask NetGen draws: a workspace whose Random is Rng(7) (xoshiro256** seeded through SplitMix64,
runtime/Core/Rng.cs, reimplemented below) and inverted dropout as runtime/Core/Dropout.cs does it (one draw per
element in row-major order, kept when NextFloat() >= p, scaled by 1/(1-p) in float32). The loss is L = sum(c * y)
with a fixed random c, so dL/dy = c.
"""
import collections
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 4
DROPOUT_SEED = 7
MASK64 = (1 << 64) - 1


class Rng:
    """NetGen.Rng: xoshiro256** seeded through SplitMix64."""

    def __init__(self, seed):
        x = seed
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK64

    def next_uint64(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & MASK64, 7) * 9) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_float(self):
        return np.float32(self.next_uint64() >> 40) * np.float32(1.0 / (1 << 24))


def dropout_mask(shape, p, rng):
    p32 = np.float32(p)
    keep = np.float32(1) / (np.float32(1) - p32)
    n = int(np.prod(shape))
    values = [keep if rng.next_float() >= p32 else np.float32(0) for _ in range(n)]
    return torch.tensor(np.array(values, dtype=np.float32).reshape(shape))


class FixedMask(nn.Module):
    """Training-mode dropout with a given mask: y = x * m."""

    def __init__(self, mask):
        super().__init__()
        self.mask = mask

    def forward(self, x):
        return x * self.mask.to(x.dtype)


def mlp():
    return nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10))


def zoo_layers(dropout):
    layers = [
        nn.Linear(13, 11), nn.Tanh(),
        nn.Linear(11, 9, bias=False), nn.Sigmoid(),
        nn.Linear(9, 7), nn.GELU(),                 # exact (erf) GELU, PyTorch's default
        nn.Linear(7, 6), nn.LeakyReLU(0.1),
        nn.Linear(6, 5), nn.LeakyReLU(-0.2),
        dropout,
        nn.Linear(5, 4), nn.Softmax(dim=-1)]
    names = [str(i) for i in range(len(layers))]
    names[8] = "head"
    return nn.Sequential(collections.OrderedDict(zip(names, layers)))


class Num(str):
    """A number already formatted; written into the JSON unquoted."""


def f32(x):
    """Shortest decimal that round-trips the float32 value."""
    return Num(repr(np.float32(x)))


def values32(t):
    return [f32(v) for v in t.detach().flatten().to(torch.float32).tolist()]


def values64(t):
    return [Num(repr(float(v))) for v in t.detach().flatten().to(torch.float64).tolist()]


def tensors(model):
    return [{"name": name, "shape": list(t.shape), "values": values32(t)} for name, t in model.state_dict().items()]


def run(model, x, dtype, loss_fn):
    """Forward in eval mode, then (when loss_fn) the loss and gradients; returns results in that dtype."""
    m = _copy(model, dtype)
    xi = x.to(dtype).clone().requires_grad_(True)
    m.eval()
    out_eval = m(xi).detach()
    result = {"outputs": out_eval}
    if loss_fn is not None:
        m.train()
        m.zero_grad()
        xi.grad = None
        y = m(xi)
        loss = loss_fn(y)
        loss.backward()
        result["train_outputs"] = y.detach()
        result["loss"] = loss.detach()
        result["grads"] = {name: p.grad.detach() for name, p in m.named_parameters()}
        result["input_grad"] = xi.grad.detach()
    return result


def _copy(model, dtype):
    import copy
    return copy.deepcopy(model).to(dtype)


def compare(r64, r32, what):
    for key in ("outputs", "train_outputs", "input_grad"):
        if key in r64:
            assert torch.allclose(r32[key].double(), r64[key], rtol=1e-4, atol=1e-6), (what, key)
    if "grads" in r64:
        for name in r64["grads"]:
            assert torch.allclose(r32["grads"][name].double(), r64["grads"][name], rtol=1e-4, atol=1e-6), (what, name)


def network_entry(model, x, loss_fn, extra):
    r64 = run(model, x, torch.float64, loss_fn)
    r32 = run(model, x, torch.float32, loss_fn)
    compare(r64, r32, extra.get("name"))
    entry = dict(extra)
    entry.update({
        "batch": BATCH,
        "tensors": tensors(model),
        "inputs": values32(x),
        "outputs": values64(r64["outputs"]),
        "train_outputs": values64(r64["train_outputs"]),
        "loss": Num(repr(float(r64["loss"]))),
        "grads": [{"name": n, "values": values32(g)} for n, g in r64["grads"].items()],
        "input_grad": values32(r64["input_grad"]),
    })
    return entry


def dump(value, indent=0):
    """JSON with each number list on one line; numbers are pre-formatted strings written unquoted."""
    pad = "  " * indent
    if isinstance(value, dict):
        items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if value and isinstance(value[0], Num):
            return "[" + ", ".join(value) + "]"
        if value and isinstance(value[0], int):
            return "[" + ", ".join(str(v) for v in value) + "]"
        if value and isinstance(value[0], dict):
            return "[\n" + ",\n".join(pad + "  " + dump(v, indent + 1) for v in value) + "\n" + pad + "]"
        return json.dumps(value)
    if isinstance(value, Num):
        return value
    return json.dumps(value)


def main():
    torch.manual_seed(2024)

    # Mlp: pixels in [0, 1), cross-entropy against labels.
    mlp_model = mlp()
    mlp_x = torch.rand(BATCH, 784)
    labels = torch.tensor([3, 7, 0, 9])
    mlp_entry = network_entry(
        mlp_model, mlp_x, lambda y: F.cross_entropy(y, labels),
        {"name": "Mlp", "labels": [int(v) for v in labels]})

    # Zoo: eval forward through the real nn.Dropout; training with NetGen's mask in its place.
    zoo_eval = zoo_layers(nn.Dropout(0.25))
    zoo_x = torch.randn(BATCH, 13)
    c = torch.randn(BATCH, 4)
    mask = dropout_mask((BATCH, 5), 0.25, Rng(DROPOUT_SEED))
    zoo_train = zoo_layers(FixedMask(mask))
    zoo_train.load_state_dict(zoo_eval.state_dict())
    eval_outputs = run(zoo_eval, zoo_x, torch.float64, None)["outputs"]
    zoo_entry = network_entry(
        zoo_train, zoo_x, lambda y: (y * c.to(y.dtype)).sum(),
        {"name": "Zoo", "dropout_seed": DROPOUT_SEED, "dropout_mask": values32(mask), "c": values32(c)})
    # The fixed-mask twin in eval mode is not PyTorch's eval (its mask stays); take eval outputs from the real one.
    zoo_entry["outputs"] = values64(eval_outputs)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "parity.json")
    with open(path, "w") as f:
        f.write(dump({"torch_version": torch.__version__, "Mlp": mlp_entry, "Zoo": zoo_entry}) + "\n")
    json.load(open(path))  # well-formed
    print(f"wrote {path}: Mlp loss {mlp_entry['loss']}, Zoo mask {mask.flatten().tolist()}")


if __name__ == "__main__":
    main()
