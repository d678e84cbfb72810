#!/usr/bin/python3
"""Reference values for NetGen's losses, from PyTorch (Debian's python3-torch 1.13).

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/losses_reference.py
It writes losses.json next to this script; the C# tests read that file and never need Python.

Inputs are generated in float32 (what NetGen sees). Losses and gradients are then evaluated by PyTorch in
float64 on those same float32 values, so the stored numbers are the exact answer to about 1e-15 rather than one
float32 rounding of it; the script also checks that PyTorch's own float32 evaluation agrees with them, so
"matches these values" means "matches PyTorch to float rounding".
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
CLASSES = 7


def f32(values):
    return torch.tensor(values, dtype=torch.float32)


def evaluate(fn, outputs, targets):
    """Returns (loss, grad) in float64 and checks float32 PyTorch against them."""
    results = {}
    for dtype in (torch.float64, torch.float32):
        x = outputs.to(dtype).clone().requires_grad_(True)
        t = targets if targets.dtype == torch.int64 else targets.to(dtype)
        loss = fn(x, t)
        loss.backward()
        results[dtype] = (loss.detach(), x.grad.detach())
    (l64, g64), (l32, g32) = results[torch.float64], results[torch.float32]
    assert torch.allclose(l32.double(), l64, rtol=1e-5, atol=1e-7), (l32, l64)
    assert torch.allclose(g32.double(), g64, rtol=1e-5, atol=1e-7), (g32, g64)
    return l64.item(), g64.flatten().tolist()


def case(name, fn, outputs, targets, target_values):
    loss, grad = evaluate(fn, outputs, targets)
    return {
        "name": name,
        "batch": outputs.shape[0],
        "outputs": outputs.flatten().tolist(),   # float32 values, exact in double
        "targets": target_values,
        "loss": loss,
        "grad": grad,
    }


def cross_entropy_cases():
    cases = []
    logits = (torch.randn(4, CLASSES) * 2).float()
    labels = torch.tensor([3, 0, 6, 2])
    cases.append(case("random", F.cross_entropy, logits, labels, labels.tolist()))

    big = f32([
        [50, 0.5, -1, 2, 0, 1, -0.5],        # confident and right
        [50, 0.5, -1, 2, 0, 1, -50],         # confident and wrong: loss ~100
        [-50, 50, -50, 50, -50, 50, -50],    # ties at +50
        [0, 0, 0, 0, 0, 0, 0],               # uniform: log 7
        [-50, -50, -50, -50, -50, -50, -49], # everything very negative
    ])
    big_labels = torch.tensor([0, 6, 3, 5, 6])
    cases.append(case("large_logits", F.cross_entropy, big, big_labels, big_labels.tolist()))

    one = (torch.randn(1, CLASSES) * 3).float()
    one_label = torch.tensor([4])
    cases.append(case("single_sample", F.cross_entropy, one, one_label, one_label.tolist()))
    return cases


def mse_cases():
    cases = []
    y = torch.randn(3, CLASSES).float()
    t = torch.randn(3, CLASSES).float()
    cases.append(case("random", F.mse_loss, y, t, t.flatten().tolist()))
    y = f32([[50.0], [-50.0], [0.25], [3.0]])
    t = f32([[49.0], [50.0], [0.25], [-1.5]])
    cases.append(case("one_output_large", F.mse_loss, y, t, t.flatten().tolist()))
    return cases


def bce_cases():
    cases = []
    z = (torch.randn(4, CLASSES) * 2).float()
    t = (torch.rand(4, CLASSES) > 0.5).float()
    cases.append(case("binary_targets", F.binary_cross_entropy_with_logits, z, t, t.flatten().tolist()))

    z = (torch.randn(3, CLASSES) * 2).float()
    t = torch.rand(3, CLASSES).float()
    t[0] = f32([0.25, 0.5, 0.9, 0.1, 0.75, 0.0, 1.0])
    cases.append(case("fractional_targets", F.binary_cross_entropy_with_logits, z, t, t.flatten().tolist()))

    z = f32([[50, -50, 50, -50, 50, -50, 0],
             [50, -50, 20, -20, 0.5, -0.5, 3]])
    t = f32([[1, 0, 0, 1, 0.3, 0.7, 0.5],
             [1, 0, 1, 0, 1, 0, 0.2]])
    cases.append(case("large_logits", F.binary_cross_entropy_with_logits, z, t, t.flatten().tolist()))
    return cases


def main():
    data = {
        "generator": "tests/NetGen.Tests/Reference/losses_reference.py",
        "torch": torch.__version__,
        "classes": CLASSES,
        "softmax_cross_entropy": cross_entropy_cases(),
        "mean_squared_error": mse_cases(),
        "binary_cross_entropy": bce_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
