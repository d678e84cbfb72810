#!/usr/bin/python3
"""Reference values for NetGen's GENERATED attention networks, from PyTorch (Debian's python3-torch 1.13).

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/attention_networks_reference.py
It writes attention_networks.json next to this script; the C# tests (Parity/AttentionParityTests.cs) read that file and
never need Python.

Ten twins of networks declared in tests/NetGen.Tests/Networks/AttentionNetworks.cs, each an nn.Sequential whose
children are named "0", "1", ... as NetGen numbers its layers (from 0 after [Input], activations counted), so the
state_dict names are NetGen's parameter names. A [Block] is an nn.Sequential of the block's layers, a [Residual] a
subclass of it whose forward is x + Sequential(x), so a block at index i has the names i.{name inside the block}.

  AttnLayerNorm       LayerNorm(6) (γ, β random) -> Linear(6, 3) on every token; x [3, 5, 6]; mse_loss
  AttnLayerNormPlain  LayerNorm(6, eps=1e-3, elementwise_affine=False) -> Linear(6, 3); x [3, 5, 6]; mse_loss
  AttnMha             + sinusoidal positions -> MultiheadAttention(8, 2) self-attention -> Linear(8, 3); x [3, 7, 8]; mse
  AttnMhaCausal       MultiheadAttention(8, 4), causal mask -> Linear(8, 3); x [3, 7, 8]; mse_loss
  AttnMhaOneHead      MultiheadAttention(4, 1) on T = 1; x [3, 1, 4]; mse_loss
  EncoderPostRelu     TransformerEncoderLayer(8, 2, 16, dropout 0, relu, post-norm) -> mean over tokens -> Linear(8, 3);
                      x [3, 6, 8]; cross_entropy over the samples (NetGen's Loss.SoftmaxCrossEntropy)
  EncoderPreGelu      TransformerEncoderLayer(8, 2, 16, dropout 0, gelu (exact), norm_first) -> Linear(8, 3) on every
                      token; x [3, 6, 8]; mse_loss
  CausalTwoLayer      Embedding(9, 8) -> + learned positions [5, 8] -> 2 x TransformerEncoderLayer(8, 2, 16, dropout 0,
                      causal src_mask) -> Linear(8, 9) on every token; token ids [3, 5] (row 8 used by no token);
                      cross_entropy over every position with ignore_index=-1 (NetGen's Loss.SequenceCrossEntropy(9, -1))
  ResidualBlocks      Residual(FF) -> LayerNorm(8) -> Block(FF) -> mean over tokens -> Linear(8, 3), FF = Linear(8, 16),
                      ReLU, Linear(16, 8); x [3, 6, 8]; cross_entropy over the samples
  NestedBlocks        Residual(Residual(FF), LayerNorm(8)) -> Linear(8, 3) on every token; x [3, 6, 8]; mse_loss

The causal mask is torch.triu(torch.ones(T, T, dtype=torch.bool), 1) (True: position j > i is not attended to). Every
bias PyTorch initializes to 0 (in_proj_bias, out_proj.bias) and every LayerNorm's γ and β are set to random values, and
the learned positions too, so the tests see them.

For each: the weights (PyTorch's default initialization under a fixed seed, drawn in float32), the inputs and targets,
and, evaluated in float64 on those same float32 values (so the numbers are the exact answer, not one float32 rounding
of it): the outputs, the loss, the gradient of every parameter and of the input (not for token ids), and the weights
after 10 optimizer steps on that batch, each step clipping the gradients by global norm with
torch.nn.utils.clip_grad_norm_ (max_norm below the gradient norm, so the clipping acts) before SGD with momentum or
AdamW (decoupled weight decay on every parameter, biases and norms included, as torch.optim.AdamW given all of them
and as NetGen's AdamW, which decays the whole parameter buffer). The gradient norm before clipping at each step is
stored too. The script checks that float32 PyTorch agrees.

The key third of every in_proj_bias (rows d..2d) has a true gradient of exactly 0: a key bias adds q_i·b to every score
of row i, which the softmax removes. Float64 gives ~1e-17 there; float32 gives rounding noise, which Adam's m/(√v + ε)
turns into steps of up to ~lr each when the noise is well above ε = 1e-8. Those rows do not change the outputs nor any
other gradient, so the script reports how far float32 PyTorch's key biases drift after the AdamW steps, and the C# test
compares those rows after AdamW with an absolute bound of steps · lr (see AttentionParityTests).
"""
import copy
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1414)

STEPS = 10
SGD = dict(lr=0.1, momentum=0.9)
ADAMW = dict(lr=0.01, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.01)  # NetGen's AdamW defaults but lr (1e-3 there)
BATCH = 3


def causal_mask(t):
    return torch.triu(torch.ones(t, t, dtype=torch.bool), 1)


class SelfAttention(nn.MultiheadAttention):
    """[MultiHeadAttention(heads)]: self-attention, query = key = value = x."""

    def __init__(self, d, heads, causal=False):
        super().__init__(d, heads, batch_first=True)
        self.causal = causal

    def forward(self, x):
        mask = causal_mask(x.shape[1]) if self.causal else None
        return super().forward(x, x, x, attn_mask=mask, need_weights=False)[0]


class Encoder(nn.TransformerEncoderLayer):
    """[TransformerEncoder(heads, feedForward)] with its Causal option."""

    def __init__(self, d, heads, feed_forward, causal=False, **options):
        super().__init__(d, heads, feed_forward, batch_first=True, **options)
        self.causal = causal

    def forward(self, x):
        return super().forward(x, src_mask=causal_mask(x.shape[1]) if self.causal else None)


class LearnedPositions(nn.Module):
    """[PositionalEmbedding]: a learned [T, d] parameter added to the input."""

    def __init__(self, t, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(t, d) * 0.5)

    def forward(self, x):
        return x + self.weight


class SinusoidalPositions(nn.Module):
    """[SinusoidalPositions]: PE[t, 2i] = sin(t·exp(−ln(10000)·2i/d)), PE[t, 2i+1] = cos(same); no parameters."""

    def __init__(self, t, d):
        super().__init__()
        position = torch.arange(t, dtype=torch.float64)[:, None]
        frequency = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float64) / d)
        table = torch.zeros(t, d, dtype=torch.float64)
        table[:, 0::2] = torch.sin(position * frequency)
        table[:, 1::2] = torch.cos(position * frequency)
        self.register_buffer("table", table, persistent=False)

    def forward(self, x):
        return x + self.table.to(x.dtype)


class SequenceMean(nn.Module):
    """[SequenceMean]: [T, d] -> [d], the mean over the tokens."""

    def forward(self, x):
        return x.mean(dim=1)


class Residual(nn.Sequential):
    """[Residual(typeof(Block))]: x + Block(x), the block's layers as the Sequential's children."""

    def forward(self, x):
        return x + super().forward(x)


def feed_forward():
    """ResidualFeedForward: [Input(6, 8)] [Dense(16), ReLU] [Dense(8)]."""
    return [nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8)]


def randomize(model):
    """Random γ, β for every LayerNorm, random attention biases (PyTorch's init sets them to 1, 0 and 0)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.LayerNorm) and m.elementwise_affine:
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.3)
            if isinstance(m, nn.MultiheadAttention):
                m.in_proj_bias.normal_(0.0, 0.3)
                m.out_proj.bias.normal_(0.0, 0.3)
    return model


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


def key_rows(name, tensor):
    """The key third of an in_proj_bias (rows d..2d), whose true gradient is 0; None for any other tensor."""
    if not name.endswith("in_proj_bias"):
        return None
    d = tensor.shape[0] // 3
    return slice(d, 2 * d)


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
    if optimizer == "sgd":
        opt = torch.optim.SGD(m.parameters(), **SGD)
    else:
        opt = torch.optim.AdamW(m.parameters(), lr=ADAMW["lr"], betas=tuple(ADAMW["betas"]), eps=ADAMW["eps"],
                                weight_decay=ADAMW["weight_decay"])
    norms = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(m(xs), t).backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(m.parameters(), clip)))
        opt.step()
    return [(n, p.detach().clone()) for n, p in m.named_parameters()], norms


def case(name, model, x, targets, loss_fn, tokens):
    y64, loss64, g64, dx64 = evaluate(model, x, targets, loss_fn, torch.float64, tokens)
    y32, loss32, g32, dx32 = evaluate(model, x, targets, loss_fn, torch.float32, tokens)
    assert torch.allclose(y32.double(), y64, rtol=1e-5, atol=1e-6), name
    assert abs(loss32 - loss64) <= 1e-5 * abs(loss64), name
    for (n, a), (_, b) in zip(g32, g64):
        assert (a.double() - b).abs().max() <= 1e-4 * b.abs().max() + 1e-8, (name, n)
        rows = key_rows(n, b)
        if rows is not None:
            assert b[rows].abs().max() <= 1e-12 * b.abs().max(), (name, n, "key bias gradient not 0")
    if not tokens:
        assert (dx32.double() - dx64).abs().max() <= 1e-4 * dx64.abs().max(), (name, "input gradient")
    # Clip at a fifth of the first gradient norm: the clipping acts at most of the 10 steps of both optimizers.
    norm = math.sqrt(sum(float((g * g).sum()) for _, g in g64))
    clip = float(f"{norm / 5:.2g}")
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
        "adamw": ADAMW,
    }
    if not tokens:
        entry["input_grad"] = rounded(dx64.flatten().tolist())
    report = []
    for optimizer in ("sgd", "adamw"):
        w64, norms = train(model, x, targets, loss_fn, torch.float64, optimizer, clip)
        w32, _ = train(model, x, targets, loss_fn, torch.float32, optimizer, clip)
        assert sum(n > clip for n in norms) >= STEPS // 2, (name, optimizer, norms)  # the clipping acts at most steps
        worst, key_drift = 0.0, 0.0
        for (n, a), (_, b) in zip(w32, w64):
            error = (a.double() - b).abs()
            rows = key_rows(n, b)
            if rows is not None:
                key_drift = max(key_drift, float(error[rows].max()))
                error[rows] = 0
            worst = max(worst, float(error.max() / b.abs().max()))
        assert worst <= 1e-5, (name, optimizer, worst)
        assert key_drift <= STEPS * ADAMW["lr"], (name, optimizer, key_drift)
        report.append(f"{optimizer} float32 worst {worst:.1e}, key-bias drift {key_drift:.1e}")
        entry[f"{optimizer}_weights"] = tensors(w64)
        entry[f"{optimizer}_norms"] = rounded(norms)
    print(f"{name:19s} loss {loss64:.6f}, clip {clip}, {sum(p.numel() for p in model.parameters())} parameters; "
          + "; ".join(report))
    return entry


def main():
    results = {}

    model = randomize(nn.Sequential(nn.LayerNorm(6), nn.Linear(6, 3)))
    x = torch.randn(BATCH, 5, 6) * 2 + 0.5
    results["AttnLayerNorm"] = case("AttnLayerNorm", model, x, torch.randn(BATCH, 5, 3), mse, tokens=False)

    model = nn.Sequential(nn.LayerNorm(6, eps=1e-3, elementwise_affine=False), nn.Linear(6, 3))
    x = torch.randn(BATCH, 5, 6) * 0.1  # small spread: ε = 1e-3 against a variance of ~1e-2 matters
    results["AttnLayerNormPlain"] = case("AttnLayerNormPlain", model, x, torch.randn(BATCH, 5, 3), mse, tokens=False)

    model = randomize(nn.Sequential(SinusoidalPositions(7, 8), SelfAttention(8, 2), nn.Linear(8, 3)))
    x = torch.randn(BATCH, 7, 8)
    results["AttnMha"] = case("AttnMha", model, x, torch.randn(BATCH, 7, 3), mse, tokens=False)

    model = randomize(nn.Sequential(SelfAttention(8, 4, causal=True), nn.Linear(8, 3)))
    x = torch.randn(BATCH, 7, 8)
    results["AttnMhaCausal"] = case("AttnMhaCausal", model, x, torch.randn(BATCH, 7, 3), mse, tokens=False)

    model = randomize(nn.Sequential(SelfAttention(4, 1)))
    x = torch.randn(BATCH, 1, 4)
    results["AttnMhaOneHead"] = case("AttnMhaOneHead", model, x, torch.randn(BATCH, 1, 4), mse, tokens=False)

    model = randomize(nn.Sequential(Encoder(8, 2, 16, dropout=0.0), SequenceMean(), nn.Linear(8, 3)))
    x = torch.randn(BATCH, 6, 8)
    labels = torch.tensor([2, 0, 1])
    results["EncoderPostRelu"] = case("EncoderPostRelu", model, x, labels, class_loss, tokens=False)

    model = randomize(nn.Sequential(Encoder(8, 2, 16, dropout=0.0, norm_first=True, activation="gelu"), nn.Linear(8, 3)))
    x = torch.randn(BATCH, 6, 8)
    results["EncoderPreGelu"] = case("EncoderPreGelu", model, x, torch.randn(BATCH, 6, 3), mse, tokens=False)

    # Token ids with repeats; row 8 of the embedding is used by no token (its gradient is exactly 0); three ignored targets.
    model = randomize(nn.Sequential(
        nn.Embedding(9, 8), LearnedPositions(5, 8),
        Encoder(8, 2, 16, dropout=0.0, causal=True), Encoder(8, 2, 16, dropout=0.0, causal=True), nn.Linear(8, 9)))
    tokens = torch.randint(0, 8, (BATCH, 5))
    tokens[0, 1] = tokens[0, 0]
    targets = torch.randint(0, 9, (BATCH, 5))
    targets[0, 0] = -1
    targets[1, 4] = -1
    targets[2, 2] = -1
    results["CausalTwoLayer"] = case("CausalTwoLayer", model, tokens, targets, sequence_loss, tokens=True)

    model = randomize(nn.Sequential(
        Residual(*feed_forward()), nn.LayerNorm(8), nn.Sequential(*feed_forward()), SequenceMean(), nn.Linear(8, 3)))
    x = torch.randn(BATCH, 6, 8)
    labels = torch.tensor([1, 2, 0])
    results["ResidualBlocks"] = case("ResidualBlocks", model, x, labels, class_loss, tokens=False)

    model = randomize(nn.Sequential(Residual(Residual(*feed_forward()), nn.LayerNorm(8)), nn.Linear(8, 3)))
    x = torch.randn(BATCH, 6, 8)
    results["NestedBlocks"] = case("NestedBlocks", model, x, torch.randn(BATCH, 6, 3), mse, tokens=False)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention_networks.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path):,} bytes)")
    for name, entry in results.items():
        print(name, [t["name"] for t in entry["tensors"]])


if __name__ == "__main__":
    main()
