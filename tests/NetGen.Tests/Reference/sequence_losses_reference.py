#!/usr/bin/python3
"""Reference values for NetGen's sequence loss and embedding kernels, from PyTorch (Debian's python3-torch 1.13).

Run from anywhere with Debian's interpreter:  /usr/bin/python3 tests/NetGen.Tests/Reference/sequence_losses_reference.py
It writes sequence_losses.json next to this script; the C# tests read that file and never need Python.

As in losses_reference.py, inputs are float32 (what NetGen sees) and the answers are PyTorch's, evaluated in
float64 on those same values and checked against PyTorch's own float32 evaluation:

- sequence_cross_entropy: F.cross_entropy(logits.reshape(-1, C), targets.reshape(-1), ignore_index=ii) on
  logits [B, T, C] and targets [B, T], its value and d/d(logits), with and without ignored positions, for
  several B and T (and an ignore index that is a class, which PyTorch allows).
- embedding: nn.Embedding(V, D) with a given weight, its output for ids [B, T] with repeated tokens and tokens
  that never appear, and the weight's gradient from autograd for a given output gradient.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(2613)


def evaluate(logits, targets, ignore_index):
    """(loss, grad) in float64, checked against float32 PyTorch."""
    classes = logits.shape[-1]
    results = {}
    for dtype in (torch.float64, torch.float32):
        x = logits.to(dtype).clone().requires_grad_(True)
        loss = F.cross_entropy(x.reshape(-1, classes), targets.reshape(-1), ignore_index=ignore_index)
        loss.backward()
        results[dtype] = (loss.detach(), x.grad.detach())
    (l64, g64), (l32, g32) = results[torch.float64], results[torch.float32]
    assert torch.allclose(l32.double(), l64, rtol=1e-5, atol=1e-7), (l32, l64)
    assert torch.allclose(g32.double(), g64, rtol=1e-5, atol=1e-7), (g32, g64)
    return l64.item(), g64.flatten().tolist()


def sequence_case(name, batch, steps, classes, ignore_index=-100, ignored=0.0, scale=2.0, logits=None, targets=None):
    if logits is None:
        logits = (torch.randn(batch, steps, classes) * scale).float()
    if targets is None:
        targets = torch.randint(0, classes, (batch, steps))
        if ignored > 0:
            mask = torch.rand(batch, steps) < ignored
            mask[0, 0] = True          # at least one ignored position
            mask[-1, -1] = False       # and at least one counted
            targets[mask] = ignore_index
    loss, grad = evaluate(logits, targets, ignore_index)
    return {
        "name": name,
        "batch": batch,
        "steps": steps,
        "classes": classes,
        "ignore_index": ignore_index,
        "outputs": logits.flatten().tolist(),   # float32 values, exact in double
        "targets": targets.flatten().tolist(),
        "counted": int((targets != ignore_index).sum().item()),
        "loss": loss,
        "grad": grad,
    }


def sequence_cases():
    cases = [
        sequence_case("no_ignored_b3_t4", 3, 4, 7),
        sequence_case("ignored_b3_t4", 3, 4, 7, ignored=0.4),
        sequence_case("ignored_b1_t9", 1, 9, 5, ignored=0.5),
        sequence_case("padding_b4_t6_ignore_minus1", 4, 6, 11, ignore_index=-1, ignored=0.3),
        sequence_case("single_step_b5_t1", 5, 1, 6),
        sequence_case("ignore_index_is_class_2", 2, 5, 4, ignore_index=2),
    ]
    # Large logits: confident right and wrong positions, ties, and padding at the end of a sequence.
    big = torch.tensor([[[50, 0.5, -1, 2, 0], [50, 0.5, -1, 2, -50], [0, 0, 0, 0, 0]],
                        [[-50, 50, -50, 50, -50], [-50, -50, -50, -50, -49], [3, 1, 4, 1, 5]]], dtype=torch.float32)
    big_targets = torch.tensor([[0, 4, 2], [3, 4, -100]])
    cases.append(sequence_case("large_logits_with_padding", 2, 3, 5, logits=big, targets=big_targets))
    return cases


def embedding_cases():
    cases = []
    for name, vocab, dims, ids in [
        ("repeats_b2_t5", 6, 3, [[1, 4, 1, 1, 0], [4, 5, 1, 0, 0]]),      # rows 2 and 3 never appear
        ("one_token_b3_t2", 9, 4, [[7, 7], [7, 7], [7, 7]]),              # one row gets six gradients
        ("wide_b1_t4", 5, 37, [[2, 0, 4, 2]]),                             # D not a multiple of a vector
    ]:
        emb = torch.nn.Embedding(vocab, dims)
        with torch.no_grad():
            emb.weight.copy_(torch.randn(vocab, dims).float())
        index = torch.tensor(ids)
        grads = {}
        for dtype in (torch.float64, torch.float32):
            e = torch.nn.Embedding(vocab, dims).to(dtype)
            with torch.no_grad():
                e.weight.copy_(emb.weight.to(dtype))
            y = e(index)
            if dtype == torch.float64:
                dy = torch.randn(y.shape, dtype=torch.float32).double()
                dy64 = dy
            y.backward(dy64.to(dtype))
            grads[dtype] = (y.detach(), e.weight.grad.detach())
        (y64, g64), (y32, g32) = grads[torch.float64], grads[torch.float32]
        assert torch.equal(y32.double(), y64)
        assert torch.allclose(g32.double(), g64, rtol=1e-6, atol=1e-7)
        cases.append({
            "name": name,
            "vocabulary": vocab,
            "dimensions": dims,
            "batch": index.shape[0],
            "steps": index.shape[1],
            "ids": index.flatten().tolist(),
            "weight": emb.weight.detach().flatten().tolist(),
            "output": y64.flatten().tolist(),
            "output_gradient": dy64.flatten().tolist(),
            "weight_gradient": g64.flatten().tolist(),
        })
    return cases


def main():
    data = {
        "generator": "tests/NetGen.Tests/Reference/sequence_losses_reference.py",
        "torch": torch.__version__,
        "sequence_cross_entropy": sequence_cases(),
        "embedding": embedding_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sequence_losses.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
