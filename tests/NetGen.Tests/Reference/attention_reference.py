#!/usr/bin/python3
"""Reference values for NetGen's attention kernels (AttentionKernels), from PyTorch (Debian's python3-torch 1.13).

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/attention_reference.py
It writes attention.json next to this script; the C# tests (Kernels/AttentionKernelsTests.cs) read that file and never
need Python.

The kernels compute what lies between nn.MultiheadAttention's two projections, per sample and head j (dk = d / h):
  qkv [B, T, 3d] is the packed in_proj output, q = row[0:d], k = row[d:2d], v = row[2d:3d]; head j uses features
  j*dk .. (j+1)*dk - 1 of each;
  S = Q_j K_j^T / sqrt(dk); P = softmax(S) per row (causal: over j <= i, P = 0 above the diagonal);
  P' = P * mask (dropout on the attention weights: mask is 0 or 1/(1-p), drawn here and stored); O_j = P' V_j;
  output [B, T, d] holds O_j in columns j*dk ..; weights [B, h, T, T] is P (before dropout).
For a random dOutput, dQkv is the gradient of L = sum(dOutput * output) with respect to qkv.

Everything is drawn in float32 (what NetGen sees) and stored exactly; the results come from explicit torch ops (PyTorch
1.13 has no F.scaled_dot_product_attention) in float64 on those float32 values, with autograd for dQkv. One case is
also run through nn.MultiheadAttention itself (its in_proj applied by hand to get qkv, its out_proj applied to our
output), so the convention above is PyTorch's.
"""
import json
import math
import os

import torch

torch.manual_seed(1414)
DROPOUT = 0.25


def attention(qkv, mask, heads, causal):
    """qkv [B, T, 3d] float64 -> output [B, T, d], weights [B, h, T, T]."""
    batch, steps, width = qkv.shape
    d = width // 3
    dk = d // heads
    q, k, v = qkv[..., :d], qkv[..., d:2 * d], qkv[..., 2 * d:]
    # [B, T, d] -> [B, h, T, dk]
    q, k, v = (t.reshape(batch, steps, heads, dk).transpose(1, 2) for t in (q, k, v))
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(dk)
    if causal:
        upper = torch.triu(torch.ones(steps, steps, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(upper, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    dropped = weights * mask if mask is not None else weights
    out = torch.matmul(dropped, v)                         # [B, h, T, dk]
    return out.transpose(1, 2).reshape(batch, steps, d), weights


def rounded(values):
    """Nine significant digits: exact for the float32 inputs, and far below the tests' tolerances for the results."""
    return [float(f"{v:.9g}") for v in values]


def case(name, heads, steps, model, causal, masked, batch):
    qkv = (torch.randn(batch, steps, 3 * model) * 1.5).float()
    mask = None
    if masked:
        keep = torch.rand(batch, heads, steps, steps) >= DROPOUT
        mask = keep.float() * torch.tensor(1.0 / (1.0 - DROPOUT), dtype=torch.float32)   # 0 or 1/(1-p) in float32
    d_output = torch.randn(batch, steps, model).float()

    x = qkv.double().clone().requires_grad_(True)
    out, weights = attention(x, mask.double() if mask is not None else None, heads, causal)
    (out * d_output.double()).sum().backward()

    # float32 evaluation agrees
    out32, weights32 = attention(qkv, mask, heads, causal)
    assert torch.allclose(out32.double(), out.detach(), rtol=1e-4, atol=1e-5), name
    assert torch.allclose(weights32.double(), weights.detach(), rtol=1e-4, atol=1e-6), name
    if causal:
        assert (weights.detach().triu(diagonal=1) == 0).all(), name

    entry = {
        "name": name,
        "heads": heads,
        "steps": steps,
        "model": model,
        "causal": causal,
        "batch": batch,
        "qkv": rounded(qkv.flatten().tolist()),
        "d_output": rounded(d_output.flatten().tolist()),
        "output": rounded(out.detach().flatten().tolist()),
        "weights": rounded(weights.detach().flatten().tolist()),
        "d_qkv": rounded(x.grad.flatten().tolist()),
    }
    entry["mask"] = rounded(mask.flatten().tolist()) if mask is not None else []
    return entry


def cross_check_module():
    """nn.MultiheadAttention (batch_first, eval: no dropout) against attention() fed with its own in_proj."""
    for causal in (False, True):
        d, h, t, b = 12, 4, 7, 2
        layer = torch.nn.MultiheadAttention(d, h, batch_first=True).double().eval()
        with torch.no_grad():
            layer.in_proj_bias.normal_()
            layer.out_proj.bias.normal_()
        x = torch.randn(b, t, d, dtype=torch.float64)
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1) if causal else None
        expected, expected_weights = layer(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
        qkv = x @ layer.in_proj_weight.T + layer.in_proj_bias        # the packed in_proj: q | k | v
        out, weights = attention(qkv, None, h, causal)
        mine = out @ layer.out_proj.weight.T + layer.out_proj.bias
        assert torch.allclose(mine, expected, rtol=1e-12, atol=1e-12), causal
        assert torch.allclose(weights, expected_weights, rtol=1e-12, atol=1e-12), causal


def main():
    cross_check_module()
    cases = [
        case("h1_t1_d4", 1, 1, 4, False, False, 2),
        case("h1_t1_d4_causal_mask", 1, 1, 4, True, True, 2),
        case("h1_t7_d4_causal", 1, 7, 4, True, False, 2),
        case("h2_t7_d8_mask", 2, 7, 8, False, True, 3),
        case("h2_t16_d8_causal_mask", 2, 16, 8, True, True, 2),
        case("h4_t16_d12", 4, 16, 12, False, False, 2),
        case("h4_t16_d12_causal_mask", 4, 16, 12, True, True, 2),
        case("h4_t7_d12_causal", 4, 7, 12, True, False, 3),
        case("h2_t16_d12_mask", 2, 16, 12, False, True, 2),
        case("h1_t16_d8_causal", 1, 16, 8, True, False, 2),
        case("h4_t1_d8_causal_mask", 4, 1, 8, True, True, 3),
        case("h4_t16_d8", 4, 16, 8, False, False, 2),
        case("h2_t40_d48_causal_mask", 2, 40, 48, True, True, 2),
        case("h2_t40_d48", 2, 40, 48, False, False, 1),
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "dropout": DROPOUT, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
