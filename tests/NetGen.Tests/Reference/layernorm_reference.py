#!/usr/bin/python3
"""Reference values for NetGen's layer-norm kernels (LayerNormKernels), from PyTorch (Debian's python3-torch 1.13).

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/layernorm_reference.py
It writes layernorm.json next to this script; the C# tests (Kernels/LayerNormKernelsTests.cs) read that file and
never need Python.

Each case is one nn.LayerNorm(features, eps, elementwise_affine) over the last axis of x: [rows, features]. γ, β (random
when affine), x and a random output gradient dy are drawn in float32 (what NetGen sees) and stored; the output
y = norm(x), the per-row mean and 1/sqrt(var + eps), and the gradients of L = sum(dy * y) with respect to x, γ and β
come from PyTorch's autograd evaluated in float64 on those same float32 values, so the stored numbers are the exact
answer rather than one float32 rounding of it. Some cases put a large common offset on x (1000 + N(0, 1)): a variance
taken as E[x^2] - mean^2 in float32 loses every digit there. The script prints how far PyTorch's own float32
evaluation is from the float64 answer, for comparison.
"""
import json
import os

import torch

torch.manual_seed(1414)


def evaluate(features, eps, affine, weight, bias, x, dy, dtype):
    norm = torch.nn.LayerNorm(features, eps=eps, elementwise_affine=affine).to(dtype)
    if affine:
        with torch.no_grad():
            norm.weight.copy_(weight.to(dtype))
            norm.bias.copy_(bias.to(dtype))
    xs = x.to(dtype).clone().requires_grad_(True)
    y = norm(xs)
    (y * dy.to(dtype)).sum().backward()
    dweight = norm.weight.grad.detach().clone() if affine else None
    dbias = norm.bias.grad.detach().clone() if affine else None
    return y.detach(), xs.grad.detach(), dweight, dbias


def rounded(values):
    """Nine significant digits: exact for the float32 inputs, and far below the tests' tolerances for the results."""
    return [float(f"{v:.9g}") for v in values]


def relative(a, b):
    return float((a.double() - b).abs().max() / b.abs().max().clamp_min(1e-12))


def textbook(eps, weight, bias, x, dy):
    """The formulas written out in float64 (two-pass variance), against which PyTorch's float64 autograd is checked."""
    x = x.double()
    mean = x.mean(dim=1, keepdim=True)
    rstd = 1.0 / torch.sqrt(((x - mean) ** 2).mean(dim=1, keepdim=True) + eps)
    xhat = (x - mean) * rstd
    g = dy.double() * (weight.double() if weight is not None else 1.0)
    y = xhat * weight.double() + bias.double() if weight is not None else xhat
    dx = rstd * (g - g.mean(dim=1, keepdim=True) - xhat * (g * xhat).mean(dim=1, keepdim=True))
    return y, dx, (dy.double() * xhat).sum(dim=0), dy.double().sum(dim=0)


def case(name, features, rows, eps, affine, offset=0.0):
    weight = (1.0 + 0.5 * torch.randn(features)).float() if affine else None
    bias = (0.5 * torch.randn(features)).float() if affine else None
    x = (offset + torch.randn(rows, features)).float()
    dy = torch.randn(rows, features).float()

    y64, dx64, dw64, db64 = evaluate(features, eps, affine, weight, bias, x, dy, torch.float64)
    y32, dx32, dw32, db32 = evaluate(features, eps, affine, weight, bias, x, dy, torch.float32)
    ty, tdx, tdw, tdb = textbook(eps, weight, bias, x, dy)
    assert torch.allclose(y64, ty, rtol=1e-12, atol=1e-12), name
    assert torch.allclose(dx64, tdx, rtol=1e-12, atol=1e-12), name
    if affine:
        assert torch.allclose(dw64, tdw, rtol=1e-12, atol=1e-12), name
        assert torch.allclose(db64, tdb, rtol=1e-12, atol=1e-12), name
    x64 = x.double()
    mean = x64.mean(dim=1)
    rstd = 1.0 / torch.sqrt(x64.var(dim=1, unbiased=False) + eps)
    print(f"{name}: PyTorch float32 vs float64, y {relative(y32, y64):.1e}, dx {relative(dx32, dx64):.1e}"
          + (f", dweight {relative(dw32, dw64):.1e}, dbias {relative(db32, db64):.1e}" if affine else ""))

    result = {
        "name": name,
        "features": features,
        "rows": rows,
        "epsilon": eps,
        "affine": affine,
        "offset": offset,
        "x": rounded(x.flatten().tolist()),
        "dy": rounded(dy.flatten().tolist()),
        "y": rounded(y64.flatten().tolist()),
        "mean": rounded(mean.tolist()),
        "rstd": rounded(rstd.tolist()),
        "dx": rounded(dx64.flatten().tolist()),
    }
    if affine:
        result["weight"] = rounded(weight.tolist())
        result["bias"] = rounded(bias.tolist())
        result["dweight"] = rounded(dw64.tolist())
        result["dbias"] = rounded(db64.tolist())
    return result


def main():
    cases = [
        case("F1_rows3_affine", 1, 3, 1e-5, True),
        case("F1_rows7_plain_eps1e-3", 1, 7, 1e-3, False),
        case("F5_rows1_affine", 5, 1, 1e-5, True),
        case("F5_rows7_plain_eps1e-3", 5, 7, 1e-3, False),
        case("F17_rows3_affine", 17, 3, 1e-5, True),
        case("F17_rows7_affine_eps1e-3_offset", 17, 7, 1e-3, True, offset=1000.0),
        case("F64_rows7_affine_offset", 64, 7, 1e-5, True, offset=1000.0),
        case("F64_rows3_plain_offset", 64, 3, 1e-5, False, offset=1000.0),
        case("F64_rows1_plain_eps1e-3", 64, 1, 1e-3, False),
        case("F64_rows3_affine", 64, 3, 1e-5, True),
    ]
    data = {
        "generator": "tests/NetGen.Tests/Reference/layernorm_reference.py",
        "torch": torch.__version__,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layernorm.json")
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
