#!/usr/bin/python3
"""Reference values for NetGen's GENERATED sequence networks, from PyTorch (Debian's python3-torch 1.13).

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/recurrent_networks_reference.py
It writes recurrent_networks.json next to this script; the C# tests (Parity/RecurrentParityTests.cs) read that file and
never need Python.

Six twins of networks declared in tests/NetGen.Tests/Networks/RecurrentNetworks.cs, each an nn.Module whose children
are named "0", "1", ... as NetGen numbers its layers, so the state_dict names are NetGen's parameter names:

  RecEmbedLstm         Embedding(7, 3) -> LSTM(5) -> Linear(5, 7) on every step; token ids [3, 6];
                       loss: cross_entropy over every step with ignore_index=-1 (NetGen's Loss.SequenceCrossEntropy(7, -1))
  RecGruStackedBiLast  GRU(4, 5, num_layers=2, bidirectional) -> cat(h_n[-2], h_n[-1]) -> Linear(10, 3); x [3, 6, 4];
                       loss: cross_entropy over the samples (NetGen's Loss.SoftmaxCrossEntropy)
  RecRnnReluStacked    RNN(3, 6, num_layers=2, relu) -> Linear(6, 2) on every step; x [3, 5, 3];
                       loss: mse_loss, mean over every element (NetGen's Loss.MeanSquaredError)
  RecNoBias            LSTM(3, 4) -> GRU(4, 3) -> RNN(3, 3), all bias=False, every step; x [3, 4, 3]; mse_loss
  RecLstmStackedBi     LSTM(3, 4, num_layers=2, bidirectional), every step [h_fwd,t ; h_rev,t]; x [3, 5, 3]; mse_loss
  RecEmbedGruLast      Embedding(6, 3) -> GRU(3, 4, bidirectional) -> cat(h_n[-2], h_n[-1]) -> Linear(8, 2); token
                       ids [3, 5]; cross_entropy over the samples

For each: the weights (PyTorch's default initialization under a fixed seed, drawn in float32), the inputs and targets,
and, evaluated in float64 on those same float32 values (so the numbers are the exact answer, not one float32 rounding
of it): the outputs, the loss, the gradient of every parameter and of the input (not for token ids), and the weights
after 10 optimizer steps on that batch, each step clipping the gradients by global norm with
torch.nn.utils.clip_grad_norm_ (max_norm below the gradient norm, so the clipping acts) before SGD with momentum or
Adam. The gradient norm before clipping at each step is stored too. The script checks that float32 PyTorch agrees.
"""
import copy
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1313)

STEPS = 10
SGD = dict(lr=0.1, momentum=0.9)
ADAM = dict(lr=0.01)  # betas (0.9, 0.999), eps 1e-8: NetGen's defaults
CLIP = 0.05  # below every twin's gradient norm but RecNoBias's, which gets 0.01


class EmbedLstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("0", torch.nn.Embedding(7, 3))
        self.add_module("1", torch.nn.LSTM(3, 5, batch_first=True))
        self.add_module("2", torch.nn.Linear(5, 7))

    def forward(self, tokens):
        y, _ = getattr(self, "1")(getattr(self, "0")(tokens))
        return getattr(self, "2")(y)


class GruStackedBiLast(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("0", torch.nn.GRU(4, 5, num_layers=2, bidirectional=True, batch_first=True))
        self.add_module("1", torch.nn.Linear(10, 3))

    def forward(self, x):
        _, h_n = getattr(self, "0")(x)
        return getattr(self, "1")(torch.cat((h_n[-2], h_n[-1]), -1))


class RnnReluStacked(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("0", torch.nn.RNN(3, 6, num_layers=2, nonlinearity="relu", batch_first=True))
        self.add_module("1", torch.nn.Linear(6, 2))

    def forward(self, x):
        y, _ = getattr(self, "0")(x)
        return getattr(self, "1")(y)


class NoBias(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("0", torch.nn.LSTM(3, 4, bias=False, batch_first=True))
        self.add_module("1", torch.nn.GRU(4, 3, bias=False, batch_first=True))
        self.add_module("2", torch.nn.RNN(3, 3, bias=False, batch_first=True))

    def forward(self, x):
        for i in range(3):
            x, _ = getattr(self, str(i))(x)
        return x


class LstmStackedBi(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("0", torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True))

    def forward(self, x):
        return getattr(self, "0")(x)[0]


class EmbedGruLast(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("0", torch.nn.Embedding(6, 3))
        self.add_module("1", torch.nn.GRU(3, 4, bidirectional=True, batch_first=True))
        self.add_module("2", torch.nn.Linear(8, 2))

    def forward(self, tokens):
        _, h_n = getattr(self, "1")(getattr(self, "0")(tokens))
        return getattr(self, "2")(torch.cat((h_n[-2], h_n[-1]), -1))


def sequence_loss(y, targets):
    return F.cross_entropy(y.reshape(-1, y.shape[-1]), targets.reshape(-1), ignore_index=-1)


def class_loss(y, targets):
    return F.cross_entropy(y, targets)


def mse(y, targets):
    return F.mse_loss(y, targets)


def rounded(values):
    """Nine significant digits: exact for float32 values, and far below the tests' tolerances for float64 results."""
    return [float(f"{v:.9g}") for v in values]


def tensors(named):
    return [{"name": n, "shape": list(t.shape), "values": rounded(t.detach().double().flatten().tolist())} for n, t in named]


def evaluate(model, x, targets, loss_fn, dtype, tokens):
    m = copy.deepcopy(model).to(dtype)
    xs = x if tokens else x.to(dtype).clone().requires_grad_(True)
    t = targets if targets.dtype == torch.long else targets.to(dtype)
    y = m(xs)
    loss = loss_fn(y, t)
    loss.backward()
    grads = [(n, p.grad.detach().clone()) for n, p in m.named_parameters()]
    return y.detach(), loss.item(), grads, (None if tokens else xs.grad.detach())


def train(model, x, targets, loss_fn, dtype, optimizer, clip):
    m = copy.deepcopy(model).to(dtype)
    t = targets if targets.dtype == torch.long else targets.to(dtype)
    xs = x if x.dtype == torch.long else x.to(dtype)
    opt = torch.optim.SGD(m.parameters(), **SGD) if optimizer == "sgd" else torch.optim.Adam(m.parameters(), **ADAM)
    norms = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(m(xs), t).backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(m.parameters(), clip)))
        opt.step()
    return [(n, p.detach().clone()) for n, p in m.named_parameters()], norms


def case(name, model, x, targets, loss_fn, tokens, clip=CLIP):
    y64, loss64, g64, dx64 = evaluate(model, x, targets, loss_fn, torch.float64, tokens)
    y32, loss32, g32, dx32 = evaluate(model, x, targets, loss_fn, torch.float32, tokens)
    assert torch.allclose(y32.double(), y64, rtol=1e-5, atol=1e-6), name
    for (n, a), (_, b) in zip(g32, g64):
        assert (a.double() - b).abs().max() <= 1e-4 * b.abs().max() + 1e-8, (name, n)
    entry = {
        "batch": x.shape[0],
        "inputs": rounded(x.double().flatten().tolist()),
        "targets": rounded(targets.double().flatten().tolist()),
        "tensors": tensors(model.named_parameters()),
        "outputs": rounded(y64.flatten().tolist()),
        "loss": float(f"{loss64:.12g}"),
        "grads": tensors(g64),
        "clip": clip,
        "steps": STEPS,
        "sgd": SGD,
        "adam": ADAM,
    }
    if not tokens:
        entry["input_grad"] = rounded(dx64.flatten().tolist())
    for optimizer in ("sgd", "adam"):
        w64, norms = train(model, x, targets, loss_fn, torch.float64, optimizer, clip)
        assert sum(n > clip for n in norms) >= STEPS // 2, (name, optimizer, norms)  # the clipping acts at most steps
        entry[f"{optimizer}_weights"] = tensors(w64)
        entry[f"{optimizer}_norms"] = rounded(norms)
    return entry


def main():
    results = {}

    # Token ids with repeats; row 6 of the embedding is used by no token (its gradient is exactly 0); two ignored targets.
    model = EmbedLstm().float()
    tokens = torch.randint(0, 6, (3, 6))
    tokens[0, 1] = tokens[0, 0]
    targets = torch.randint(0, 7, (3, 6))
    targets[0, 0] = -1
    targets[2, 5] = -1
    results["RecEmbedLstm"] = case("RecEmbedLstm", model, tokens, targets, sequence_loss, tokens=True)

    model = GruStackedBiLast().float()
    x = torch.randn(3, 6, 4).float()
    labels = torch.tensor([2, 0, 1])
    results["RecGruStackedBiLast"] = case("RecGruStackedBiLast", model, x, labels, class_loss, tokens=False)

    model = RnnReluStacked().float()
    x = torch.randn(3, 5, 3).float()
    goal = torch.randn(3, 5, 2).float()
    results["RecRnnReluStacked"] = case("RecRnnReluStacked", model, x, goal, mse, tokens=False)

    model = NoBias().float()
    x = torch.randn(3, 4, 3).float()
    goal = torch.randn(3, 4, 3).float()
    results["RecNoBias"] = case("RecNoBias", model, x, goal, mse, tokens=False, clip=0.01)

    model = LstmStackedBi().float()
    x = torch.randn(3, 5, 3).float()
    goal = torch.randn(3, 5, 8).float()
    results["RecLstmStackedBi"] = case("RecLstmStackedBi", model, x, goal, mse, tokens=False)

    model = EmbedGruLast().float()
    tokens = torch.randint(0, 5, (3, 5))  # row 5 is used by no token
    tokens[1, 3] = tokens[1, 2]
    labels = torch.tensor([1, 0, 1])
    results["RecEmbedGruLast"] = case("RecEmbedGruLast", model, tokens, labels, class_loss, tokens=True)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent_networks.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
