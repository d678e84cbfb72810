#!/usr/bin/python3
"""Safetensors files written from PyTorch state_dicts, for NetGen's weight-loading tests.

Run with Debian's PyTorch 1.13 (apt-get install python3-torch python3-numpy):

    /usr/bin/python3 tests/NetGen.Tests/Reference/safetensors_reference.py

For the twins of Zoo and Sequence (tests/NetGen.Tests/Networks/TestNetworks.cs; Zoo's twin comes from
parity_reference.py) with torch.manual_seed weights, it writes next to this script:

    <net>.safetensors        the float32 state_dict, with __metadata__ {"format": "pt"}
    <net>.f16.safetensors    the state_dict converted with .to(torch.float16), no __metadata__
    <net>.bf16.safetensors   the state_dict converted with .to(torch.bfloat16), no __metadata__
    safetensors_reference.json   per network: a batch of inputs and, per file, the eval-mode outputs

The Python safetensors package is not installable here, so write_safetensors() below is the format in a few
lines, laid out as the package's Rust serializer lays it out: tensors sorted by dtype then name (not in
state_dict order, so the C# side must match by name), the JSON header compact with __metadata__ first and
keys in data order, padded with spaces to a multiple of 8 bytes. read_safetensors() reads every file back and
the script checks the round trip.

Expected outputs are computed in float64 from exactly the weights in each file (float16 and bfloat16 values
widen to float64 exactly), so they are the exact answer for those weights; PyTorch's own float32 run on the
same weights is checked against them at 1e-5. The C# tests read the files only and never need Python.

LeNet5 is the network of samples/LeNet (tests/NetGen.Tests/Networks/ConvolutionNetworks.cs): its files check
that convolution weights [out, in, kh, kw] load from PyTorch's layout as they are.
"""
import collections
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

from parity_reference import Num, f32, values32, values64, zoo_layers, dump

BATCH = 4
HERE = os.path.dirname(os.path.abspath(__file__))

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
ALIGNMENT = {"F32": 4, "F16": 2, "BF16": 2}


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> torch tensor (F32, F16 or BF16). Little-endian raw data, as safetensors.torch.save_file."""
    # The Rust serializer sorts by dtype (larger alignment first) and then by name.
    order = sorted(tensors.items(), key=lambda kv: (-ALIGNMENT[DTYPES[kv[1].dtype]], kv[0]))
    header = collections.OrderedDict()
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, t in order:
        t = t.detach().contiguous()
        raw = t.view(torch.int16).numpy().astype("<i2").tobytes() if t.element_size() == 2 else t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Returns (metadata, name -> torch tensor); checks what a reader must check."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    body = data[8 + n:]
    result = {}
    end = 0
    for name, info in header.items():
        begin, stop = info["data_offsets"]
        raw = body[begin:stop]
        if info["dtype"] == "F32":
            t = torch.from_numpy(np.frombuffer(raw, dtype="<f4").copy())
        else:
            bits = torch.from_numpy(np.frombuffer(raw, dtype="<i2").copy())
            t = bits.view(torch.float16 if info["dtype"] == "F16" else torch.bfloat16)
        result[name] = t.reshape(info["shape"])
        end = max(end, stop)
    assert end == len(body), path
    return metadata, result


def zoo():
    return zoo_layers(nn.Dropout(0.25))


def sequence():
    # Dense(6) on each of the 3 steps of [3, 5]; Flatten keeps the batch axis, as NetGen's Flatten.
    return nn.Sequential(
        nn.Linear(5, 6), nn.Flatten(), nn.GELU(),
        nn.Linear(18, 4), nn.Dropout(0.5), nn.LeakyReLU(-0.3),
        nn.Linear(4, 3))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


# LeNet5 last, so the random draws of the others (and their files) stay as they were.
NETWORKS = [("Zoo", "zoo", zoo, (13,)), ("Sequence", "sequence", sequence, (3, 5)), ("LeNet5", "lenet5", lenet5, (1, 28, 28))]


def outputs(model, state, x):
    """Eval-mode outputs for the given weights: float64 (exact for those weights), checked against float32."""
    results = {}
    for dtype in (torch.float64, torch.float32):
        m = model().to(dtype)
        m.load_state_dict({k: v.to(dtype) for k, v in state.items()})
        m.eval()
        with torch.no_grad():
            results[dtype] = m(x.to(dtype))
    assert torch.allclose(results[torch.float32].double(), results[torch.float64], rtol=1e-5, atol=1e-6)
    return results[torch.float64]


def main():
    torch.manual_seed(505)
    reference = {"torch_version": torch.__version__}
    for name, stem, model, input_shape in NETWORKS:
        net = model()
        state = net.state_dict()
        x = torch.randn(BATCH, *input_shape)
        entry = {"batch": BATCH, "inputs": values32(x), "files": []}
        for suffix, dtype, metadata in (("", torch.float32, {"format": "pt"}),
                                        (".f16", torch.float16, None),
                                        (".bf16", torch.bfloat16, None)):
            file = f"{stem}{suffix}.safetensors"
            converted = {k: v.to(dtype) for k, v in state.items()}
            write_safetensors(os.path.join(HERE, file), converted, metadata)
            meta, back = read_safetensors(os.path.join(HERE, file))
            assert meta == metadata and back.keys() == converted.keys()
            for k in converted:
                assert torch.equal(back[k].view(torch.int16) if dtype != torch.float32 else back[k],
                                   converted[k].view(torch.int16) if dtype != torch.float32 else converted[k]), (file, k)
            y = outputs(model, {k: v.to(torch.float64) for k, v in back.items()}, x)
            entry["files"].append({"file": file, "dtype": DTYPES[dtype], "outputs": values64(y)})
        reference[name] = entry

    path = os.path.join(HERE, "safetensors_reference.json")
    with open(path, "w") as f:
        f.write(dump(reference) + "\n")
    json.load(open(path))
    sizes = {f: os.path.getsize(os.path.join(HERE, f)) for f in sorted(os.listdir(HERE)) if f.endswith(".safetensors")}
    print(f"wrote {path} and {sizes}")


if __name__ == "__main__":
    main()
