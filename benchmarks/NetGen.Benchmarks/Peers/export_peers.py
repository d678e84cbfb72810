#!/usr/bin/python3
"""The peers' copies of the anchor networks NetGen benchmarks beside ONNX Runtime, with the same weights.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx):  /usr/bin/python3 export_peers.py [name ...]
(no names: all five networks).
For each network it writes, next to this script:
  <name>.onnx          the PyTorch module exported at opset 17 with a dynamic batch axis (ONNX Runtime runs it)
  <name>.safetensors   its state_dict, under PyTorch's names (mlp, lenet, wide: nn.Sequential's 0.weight, 2.weight, ...,
                       which are NetGen's too; lstm: lstm.weight_ih_l0, fc.weight, ...) or under NetGen's layer indices (transformer:
                       encoder.* -> 0.*, fc.* -> 2.*, the names of [Input(64, 64)] [TransformerEncoder(4, 256, Dropout = 0f)]
                       [SequenceMean] [Dense(10)]), which NetGen's network of the same layers loads by name
  <name>.check.bin     a fixed input of 2 samples and PyTorch's output for it (little-endian float32), which the
                       benchmark compares every engine against before it times anything
The networks and seeds are those of ../../../../shared/anchors/models.py (seed 0, standard-normal inputs, seed 7 for
the check), written out here so that the files can be made again from the repository alone.
"""
import json
import os
import struct
import sys
import warnings

import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 17


class LSTMNet(nn.Module):
    """Anchor "lstm": LSTM 16 -> 64 over 32 steps (batch_first), the last state, Linear 64 -> 10."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=16, hidden_size=64, num_layers=1, batch_first=True)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.fc(h_n[-1])


class TransformerNet(nn.Module):
    """Anchor "transformer": TransformerEncoderLayer(d 64, 4 heads, feed-forward 256, dropout 0, ReLU, batch_first,
    post-norm) over 64 tokens, the mean over the tokens, Linear 64 -> 10."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(
            d_model=64, nhead=4, dim_feedforward=256, dropout=0.0,
            activation="relu", batch_first=True, norm_first=False)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.encoder(x).mean(dim=1))


def netgen_transformer_names(name):
    """NetGen numbers the layers after [Input]: the encoder is layer 0, the sequence mean 1, the dense layer 2."""
    for prefix, index in (("encoder.", "0."), ("fc.", "2.")):
        if name.startswith(prefix):
            return index + name[len(prefix):]
    raise ValueError(name)


def mlp():
    """Anchor "mlp": Linear 784 -> 128, ReLU, Linear 128 -> 64, ReLU, Linear 64 -> 10."""
    return nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10))


def lenet():
    """Anchor "lenet": LeNet-5 with 'same' padding on the first convolution (28 x 28 in)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def wide():
    """Anchor "wide": Linear 1024 -> 1024, ReLU, Linear 1024 -> 1024, ReLU, Linear 1024 -> 10."""
    return nn.Sequential(
        nn.Linear(1024, 1024), nn.ReLU(),
        nn.Linear(1024, 1024), nn.ReLU(),
        nn.Linear(1024, 10))


# name: (module, per-sample input shape, state_dict name -> the name in <name>.safetensors). The nn.Sequential networks
# keep PyTorch's names (0.weight, 2.weight, ...): NetGen counts activations, pooling and Flatten as layers too, so its
# names are the same.
NETWORKS = {
    "mlp": (mlp, (784,), lambda n: n),
    "lenet": (lenet, (1, 28, 28), lambda n: n),
    "lstm": (LSTMNet, (32, 16), lambda n: n),
    "transformer": (TransformerNet, (64, 64), netgen_transformer_names),
    "wide": (wide, (1024,), lambda n: n),
}


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    only = set(sys.argv[1:])
    for name, (make, shape, rename) in NETWORKS.items():
        if only and name not in only:
            continue
        torch.manual_seed(0)
        model = make().eval()
        x1 = torch.randn((1,) + shape, generator=torch.Generator().manual_seed(1))
        path = os.path.join(HERE, f"{name}.onnx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (x1,), path, opset_version=OPSET, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
        onnx.checker.check_model(onnx.load(path))
        tensors = {rename(n): t for n, t in model.state_dict().items()}
        write_safetensors(os.path.join(HERE, f"{name}.safetensors"), tensors)
        x2 = torch.randn((2,) + shape, generator=torch.Generator().manual_seed(7))
        with torch.inference_mode():
            y2 = model(x2)
        with open(os.path.join(HERE, f"{name}.check.bin"), "wb") as f:
            f.write(x2.numpy().astype("<f4").tobytes())
            f.write(y2.numpy().astype("<f4").tobytes())
        print(name, "written:", list(tensors))


if __name__ == "__main__":
    main()
