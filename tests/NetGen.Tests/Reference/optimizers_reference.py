#!/usr/bin/python3
"""Writes optimizers.json: PyTorch reference trajectories for NetGen's optimizers and gradient clipping.

Run with Debian's PyTorch 1.13 (apt-get install python3-torch python3-numpy):

    /usr/bin/python3 tests/NetGen.Tests/Reference/optimizers_reference.py

Every optimizer case starts from the same parameter vector and takes the same five seeded gradients, one
per step; the file records the parameters after every step. The length (37) is odd so that vector loops
leave a scalar tail. Floats are written with repr, so they round-trip to the exact float32 values.
The C# tests read the JSON only; they do not need Python.
"""
import json
import os

import torch

LENGTH = 37
STEPS = 5

# Options use NetGen's argument names; "optimizer" picks the class.
CASES = [
    ("sgd_plain", "sgd", dict(lr=0.1)),
    ("sgd_momentum", "sgd", dict(lr=0.1, momentum=0.9)),
    ("sgd_nesterov", "sgd", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", "sgd", dict(lr=0.1, weight_decay=0.05)),
    ("sgd_dampening", "sgd", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("sgd_nesterov_weight_decay", "sgd", dict(lr=0.05, momentum=0.8, weight_decay=0.01, nesterov=True)),
    ("adam_default", "adam", dict(lr=0.05)),
    ("adam_weight_decay", "adam", dict(lr=0.05, weight_decay=0.1)),
    ("adam_betas_eps", "adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
    ("adamw_default", "adamw", dict(lr=0.05)),
    ("adamw_strong_decay", "adamw", dict(lr=0.05, weight_decay=0.5, betas=(0.85, 0.995))),
    ("rmsprop_plain", "rmsprop", dict(lr=0.01)),
    ("rmsprop_momentum", "rmsprop", dict(lr=0.01, momentum=0.9)),
    ("rmsprop_centered", "rmsprop", dict(lr=0.01, centered=True)),
    ("rmsprop_centered_momentum_decay", "rmsprop",
     dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5, centered=True)),
    ("adagrad_plain", "adagrad", dict(lr=0.1)),
    ("adagrad_decay_accumulator", "adagrad",
     dict(lr=0.1, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.5, eps=1e-8)),
]

CONSTRUCTORS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}


def floats(tensor):
    return [float(x) for x in tensor.detach().reshape(-1).tolist()]


def main():
    generator = torch.Generator().manual_seed(20240613)
    initial = torch.randn(LENGTH, generator=generator, dtype=torch.float32)
    gradients = [torch.randn(LENGTH, generator=generator, dtype=torch.float32) * (0.5 + step) for step in range(STEPS)]
    # A zero and a tiny gradient exercise the epsilon terms.
    gradients[0][3] = 0.0
    gradients[2][5] = 1e-7

    cases = []
    for name, kind, options in CASES:
        parameter = torch.nn.Parameter(initial.clone())
        optimizer = CONSTRUCTORS[kind]([parameter], **options)
        steps = []
        for gradient in gradients:
            optimizer.zero_grad()
            parameter.grad = gradient.clone()
            optimizer.step()
            steps.append(floats(parameter))
        written = dict(options)
        if "betas" in written:
            written["beta1"], written["beta2"] = written.pop("betas")
        cases.append({"name": name, "optimizer": kind, "options": written, "steps": steps})

    clip_gradient = torch.randn(LENGTH, generator=generator, dtype=torch.float32) * 2.0
    clips = []
    for name, max_norm in [("clips", 1.0), ("clips_slightly", float(clip_gradient.norm()) * 0.9), ("does_not_clip", 100.0)]:
        parameter = torch.nn.Parameter(torch.zeros(LENGTH))
        parameter.grad = clip_gradient.clone()
        total = torch.nn.utils.clip_grad_norm_([parameter], max_norm)
        clips.append({
            "name": name,
            "max_norm": max_norm,
            "total_norm": float(total),
            "clipped": floats(parameter.grad),
        })

    document = {
        "generator": "optimizers_reference.py",
        "torch": torch.__version__,
        "initial": floats(initial),
        "gradients": [floats(g) for g in gradients],
        "cases": cases,
        "clip_gradient": floats(clip_gradient),
        "clip": clips,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
    with open(path, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} optimizer cases, {len(clips)} clipping cases")


if __name__ == "__main__":
    main()
