#!/usr/bin/python3
"""Reference values for NetGen's recurrent kernels (RecurrentKernels), from PyTorch (Debian's python3-torch 1.13).

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/recurrent_reference.py
It writes recurrent.json next to this script; the C# tests (Kernels/RecurrentReferenceTests.cs) read that file and
never need Python.

Each case is one nn.RNN (tanh or relu), nn.LSTM or nn.GRU layer with batch_first=True and a zero initial state. Its
weights, the input x and a random output gradient dy are drawn in float32 (what NetGen sees) and stored; the output
y = layer(x) and the gradients of L = sum(dy * y) with respect to every parameter and to x come from PyTorch's autograd,
evaluated in float64 on those same float32 values, so the stored numbers are the exact answer rather than one float32
rounding of it. The script also checks that PyTorch's float32 evaluation agrees with them.

Parameters are stored under PyTorch's names (weight_ih_l0, bias_hh_l0_reverse, ...), flattened row-major.
"""
import json
import os

import torch

torch.manual_seed(1313)

LAYERS = {"tanh": "RNN", "relu": "RNN", "lstm": "LSTM", "gru": "GRU"}


def make_layer(cell, inputs, hidden, bias, bidirectional, dtype, layers=1):
    kwargs = dict(input_size=inputs, hidden_size=hidden, num_layers=layers, bias=bias, batch_first=True,
                  bidirectional=bidirectional)
    if cell in ("tanh", "relu"):
        return torch.nn.RNN(nonlinearity=cell, **kwargs).to(dtype)
    return getattr(torch.nn, LAYERS[cell])(**kwargs).to(dtype)


def evaluate(cell, inputs, hidden, bias, bidirectional, params, x, dy, dtype, layers):
    layer = make_layer(cell, inputs, hidden, bias, bidirectional, dtype, layers)
    with torch.no_grad():
        for name, p in layer.named_parameters():
            p.copy_(params[name].to(dtype))
    xs = x.to(dtype).clone().requires_grad_(True)
    y, _ = layer(xs)
    loss = (y * dy.to(dtype)).sum()
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in layer.named_parameters()}
    return y.detach(), grads, xs.grad.detach()


def rounded(values):
    """Nine significant digits: exact for the float32 inputs, and far below the tests' tolerances for the results."""
    return [float(f"{v:.9g}") for v in values]


def case(name, cell, inputs, hidden, steps, batch, bias=True, bidirectional=False, layers=1):
    template = make_layer(cell, inputs, hidden, bias, bidirectional, torch.float32, layers)
    # PyTorch's default init, U(-1/sqrt(H), 1/sqrt(H)), scaled up so the gates leave their linear range
    params = {n: (p.detach().clone() * 2.0).float() for n, p in template.named_parameters()}
    x = torch.randn(batch, steps, inputs).float()
    directions = 2 if bidirectional else 1
    dy = torch.randn(batch, steps, directions * hidden).float()

    y64, g64, dx64 = evaluate(cell, inputs, hidden, bias, bidirectional, params, x, dy, torch.float64, layers)
    y32, g32, dx32 = evaluate(cell, inputs, hidden, bias, bidirectional, params, x, dy, torch.float32, layers)
    assert torch.allclose(y32.double(), y64, rtol=1e-5, atol=1e-6), name
    assert torch.allclose(dx32.double(), dx64, rtol=1e-4, atol=1e-5), name
    for n in g64:
        assert torch.allclose(g32[n].double(), g64[n], rtol=1e-4, atol=1e-5), (name, n)

    return {
        "name": name,
        "cell": cell,
        "inputs": inputs,
        "hidden": hidden,
        "steps": steps,
        "batch": batch,
        "bias": bias,
        "bidirectional": bidirectional,
        "layers": layers,
        "parameters": {n: rounded(p.flatten().tolist()) for n, p in params.items()},   # float32 values, exact
        "x": rounded(x.flatten().tolist()),
        "dy": rounded(dy.flatten().tolist()),
        "y": rounded(y64.flatten().tolist()),
        "gradients": {n: rounded(g.flatten().tolist()) for n, g in g64.items()},
        "dx": rounded(dx64.flatten().tolist()),
    }


def main():
    cases = []
    for cell in ("tanh", "relu", "lstm", "gru"):
        cases.append(case(f"{cell}_T1_B1", cell, inputs=3, hidden=4, steps=1, batch=1))
        cases.append(case(f"{cell}_T7_B3", cell, inputs=3, hidden=5, steps=7, batch=3))
        cases.append(case(f"{cell}_nobias_T2_B3", cell, inputs=3, hidden=4, steps=2, batch=3, bias=False))
        cases.append(case(f"{cell}_bidirectional_T7_B2", cell, inputs=3, hidden=4, steps=7, batch=2, bidirectional=True))
    # num_layers=2: the second layer reads the first's output ([B, T, 2H] when bidirectional), as a caller stacks them
    stacked = [
        case("lstm_stacked_bidirectional_T4_B2", "lstm", inputs=3, hidden=4, steps=4, batch=2, bidirectional=True, layers=2),
        case("gru_stacked_T4_B2", "gru", inputs=3, hidden=4, steps=4, batch=2, layers=2),
    ]
    data = {
        "generator": "tests/NetGen.Tests/Reference/recurrent_reference.py",
        "torch": torch.__version__,
        "cases": cases,
        "stacked": stacked,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent.json")
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
