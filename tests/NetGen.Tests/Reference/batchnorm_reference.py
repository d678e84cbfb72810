#!/usr/bin/python3
"""Reference values for NetGen's batch-norm parity tests, from PyTorch twins of the test networks.

Run with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/batchnorm_reference.py
It writes batchnorm.json next to this script; the C# tests (tests/NetGen.Tests/BatchNorm) read it and never need
Python.

The twins are nn.Sequential networks of ParityBnVector, ParityBnSequence and ParityBnImage
(tests/NetGen.Tests/Networks/BatchNormNetworks.cs), so their state_dict names (parameters and the buffers
running_mean, running_var, num_batches_tracked) are the names NetGen must give. Weights are PyTorch's default
initialization under torch.manual_seed, then γ and β of each batch norm drawn away from 1 and 0; all in float32.
Everything is then evaluated in float64 on those float32 values and checked against PyTorch's own float32 run.

Per network, with L = sum(c_k * y) on batch k (so dL/dy = c_k) and plain SGD (lr 0.1):
  outputs          eval-mode forward of `eval_inputs` with the initial state (running statistics 0 and 1)
  train_outputs    training-mode forward of batch 0 (batch statistics)
  grads, input_grad  of L on batch 0
  first_state      the state_dict after that one training forward (running statistics moved once)
  trained          the state_dict after STEPS steps of: zero_grad, forward, L, backward, SGD step
  trained_outputs  eval-mode forward of `eval_inputs` with the trained state
  safetensors      base64 of a safetensors file of the float32 run's trained state_dict, written as
                   safetensors.torch.save_file would (num_batches_tracked as I64), for the load test
"""
import base64
import copy
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

BATCH = 4
STEPS = 4
LR = 0.1


class Num(str):
    """A number already formatted; written into the JSON unquoted."""


def f32(x):
    return Num(repr(np.float32(x)))


def values32(t):
    return [f32(v) for v in t.detach().flatten().to(torch.float32).tolist()]


def values64(t):
    return [Num(repr(float(v))) for v in t.detach().flatten().to(torch.float64).tolist()]


def state(model):
    out = []
    for name, t in model.state_dict().items():
        if t.dtype == torch.int64:
            out.append({"name": name, "shape": list(t.shape), "dtype": "I64", "values": [int(v) for v in t.flatten().tolist()]})
        else:
            out.append({"name": name, "shape": list(t.shape), "dtype": "F32", "values": values64(t)})
    return out


def twins():
    return {
        "ParityBnVector": (nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3)), (6,), 3),
        "ParityBnSequence": (nn.Sequential(nn.BatchNorm1d(3, eps=1e-3), nn.Flatten(), nn.Linear(12, 2)), (3, 4), 2),
        "ParityBnImage": (nn.Sequential(nn.BatchNorm2d(2, momentum=0.3), nn.Tanh(), nn.Flatten(), nn.Linear(30, 4)), (2, 5, 3), 4),
    }


def run(model, dtype, eval_x, batches, cs):
    m = copy.deepcopy(model).to(dtype)
    r = {}
    m.eval()
    with torch.no_grad():
        r["outputs"] = m(eval_x.to(dtype))
    m.train()
    sgd = torch.optim.SGD(m.parameters(), lr=LR)
    for k in range(STEPS):
        sgd.zero_grad()
        x = batches[k].to(dtype).clone().requires_grad_(True)
        y = m(x)
        loss = (y * cs[k].to(dtype)).sum()
        loss.backward()
        if k == 0:
            r["train_outputs"] = y.detach()
            r["grads"] = {n: p.grad.detach().clone() for n, p in m.named_parameters()}
            r["input_grad"] = x.grad.detach()
            r["first_state"] = copy.deepcopy(m.state_dict())
        sgd.step()
    r["trained"] = m.state_dict()
    m.eval()
    with torch.no_grad():
        r["trained_outputs"] = m(eval_x.to(dtype))
    return r


def close(a, b, what):
    assert torch.allclose(a.double(), b.double(), rtol=1e-4, atol=1e-5), what


def safetensors_bytes(state_dict):
    """A safetensors file as the Python library writes one: sorted by dtype then name is not required; we keep
    state_dict order, dtype F32 for floats and I64 for num_batches_tracked."""
    header = {"__metadata__": {"format": "pt"}}
    data = b""
    for name, t in state_dict.items():
        if t.dtype == torch.int64:
            raw = t.numpy().astype("<i8").tobytes()
            dtype = "I64"
        else:
            raw = t.to(torch.float32).numpy().astype("<f4").tobytes()
            dtype = "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def entry(name, model, shape, outputs):
    with torch.no_grad():
        for module in model:
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
    eval_x = torch.randn(BATCH, *shape) * 1.5 + 0.3
    batches = [torch.randn(BATCH, *shape) * 2.0 - 0.5 for _ in range(STEPS)]
    cs = [torch.randn(BATCH, outputs) for _ in range(STEPS)]
    initial = state(model)
    r64 = run(model, torch.float64, eval_x, batches, cs)
    r32 = run(model, torch.float32, eval_x, batches, cs)
    for key in ("outputs", "train_outputs", "input_grad", "trained_outputs"):
        close(r32[key], r64[key], (name, key))
    for n in r64["grads"]:
        close(r32["grads"][n], r64["grads"][n], (name, n))
    for n in r64["trained"]:
        close(r32["trained"][n], r64["trained"][n], (name, "trained", n))
    return {
        "batch": BATCH,
        "steps": STEPS,
        "learning_rate": f32(LR),
        "initial": initial,
        "eval_inputs": values32(eval_x),
        "inputs": [values32(x) for x in batches],
        "c": [values32(c) for c in cs],
        "outputs": values64(r64["outputs"]),
        "train_outputs": values64(r64["train_outputs"]),
        "grads": [{"name": n, "values": values32(g)} for n, g in r64["grads"].items()],
        "input_grad": values32(r64["input_grad"]),
        "first_state": state_from_dict(r64["first_state"]),
        "trained": state_from_dict(r64["trained"]),
        "trained_outputs": values64(r64["trained_outputs"]),
        "safetensors": base64.b64encode(safetensors_bytes(r32["trained"])).decode(),
    }


def state_from_dict(sd):
    class Holder:
        def state_dict(self):
            return sd
    return state(Holder())


def dump(value, indent=0):
    pad = "  " * indent
    if isinstance(value, dict):
        items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if value and isinstance(value[0], Num):
            return "[" + ", ".join(value) + "]"
        if value and isinstance(value[0], int):
            return "[" + ", ".join(str(v) for v in value) + "]"
        if value and isinstance(value[0], (dict, list)):
            return "[\n" + ",\n".join(pad + "  " + dump(v, indent + 1) for v in value) + "\n" + pad + "]"
        return json.dumps(value)
    if isinstance(value, Num):
        return value
    return json.dumps(value)


def main():
    torch.manual_seed(4)
    result = {"torch_version": torch.__version__}
    for name, (model, shape, outputs) in twins().items():
        result[name] = entry(name, model, shape, outputs)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "batchnorm.json")
    with open(path, "w") as f:
        f.write(dump(result) + "\n")
    json.load(open(path))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
