#!/usr/bin/python3
"""The PyTorch side of the interop sample (see README.md).

    python3 interop.py train DIR   train the twin in PyTorch, write DIR/torch_model.safetensors and DIR/torch_io.json
    python3 interop.py check DIR   load DIR/netgen_model.safetensors (written by the C# side) into the twin and
                                   compare with the outputs NetGen recorded in DIR/netgen_io.json

Needs PyTorch and NumPy only. The safetensors package is not needed: the format is an 8-byte little-endian
header length, a JSON header and the raw little-endian tensors, and the two functions below read and write it
as the package does (for float32 tensors).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn


def twin():
    """SpiralNet.cs: [Input(2)] [Dense(32), Tanh] [Dense(32), Tanh] [Dense(3)]."""
    return nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 3))


def save_file(tensors, path, metadata=None):
    """safetensors.torch.save_file for float32 tensors: sorted by name, header padded to 8 bytes."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        raw = tensors[name].detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_file(path):
    """safetensors.torch.load_file for F32 files: name -> tensor."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n:]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: this reader handles F32 only, found {info['dtype']}")
        begin, end = info["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(body[begin:end], dtype="<f4").copy()).reshape(info["shape"])
    return tensors


def spirals(count, generator):
    c = torch.arange(count) % 3
    r = torch.rand(count, generator=generator)
    angle = 4 * r + c * 2 * math.pi / 3 + 0.2 * torch.randn(count, generator=generator)
    return torch.stack([r * torch.cos(angle), r * torch.sin(angle)], dim=1), c


def grid(n):
    """Spirals.Grid in Support.cs: an n-by-n grid over [-1, 1]^2, row by row."""
    axis = [-1 + 2 * j / (n - 1) for j in range(n)]
    return torch.tensor([[x, y] for y in axis for x in axis], dtype=torch.float32)


def worst_relative_error(actual, expected):
    scale = expected.abs().max(dim=1, keepdim=True).values.clamp_min(1e-30)
    return ((actual - expected).abs() / scale).max().item()


def train(directory):
    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x, y = spirals(600, g)
    model = twin()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(150):
        for batch in torch.randperm(600, generator=g).split(32):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
        points = grid(8)
        outputs = model(points)
    print(f"PyTorch trained 150 epochs: training accuracy {accuracy:.1%}")
    weights = os.path.join(directory, "torch_model.safetensors")
    save_file(model.state_dict(), weights, {"format": "pt"})
    with open(os.path.join(directory, "torch_io.json"), "w") as f:
        json.dump({"inputs": [float(v) for v in points.flatten()], "outputs": [float(v) for v in outputs.flatten()]}, f)
    print(f"Wrote {weights} ({', '.join(model.state_dict())}) and torch_io.json")


def check(directory):
    model = twin()
    model.load_state_dict(load_file(os.path.join(directory, "netgen_model.safetensors")))  # strict, as NetGen's default
    model.eval()
    with open(os.path.join(directory, "netgen_io.json")) as f:
        io = json.load(f)
    inputs = torch.tensor(io["inputs"], dtype=torch.float32).reshape(-1, 2)
    expected = torch.tensor(io["outputs"], dtype=torch.float32).reshape(len(inputs), -1)
    with torch.no_grad():
        outputs = model(inputs)
    worst = worst_relative_error(outputs, expected)
    print(f"Loaded netgen_model.safetensors into the PyTorch twin; {len(inputs)} inputs: largest relative error {worst:.2e}")
    print("PyTorch matches NetGen." if worst <= 1e-5 else "MISMATCH: more than 1e-5.")
    return 0 if worst <= 1e-5 else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("train", "check"):
        print(__doc__)
        sys.exit(2)
    sys.exit(train(sys.argv[2]) if sys.argv[1] == "train" else check(sys.argv[2]))
