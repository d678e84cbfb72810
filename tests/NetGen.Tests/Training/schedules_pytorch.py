"""Learning rates of PyTorch's schedulers, step by step, for LearningRateScheduleTests.

Run: python3 tests/NetGen.Tests/Training/schedules_pytorch.py  (PyTorch 1.13); writes schedules_pytorch.json beside it.
Each list holds the rate the optimizer has before each of the schedule's steps: entry k is the rate of epoch (or
batch) k + 1, read from optimizer.param_groups[0]["lr"] and then scheduler.step() (with the metric, for plateau).
"""
import json
import os
import warnings

import torch

warnings.filterwarnings("ignore")


def rates(base, make, steps, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = make(opt)
    out = []
    for k in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[k])
    return out


S = torch.optim.lr_scheduler
plateau_min = [1.0, 0.9, 0.895, 0.894, 0.893, 0.7, 0.71, 0.72, 0.73, 0.74, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
plateau_max = [0.50, 0.60, 0.60, 0.65, 0.64, 0.66, 0.66, 0.66, 0.80, 0.80, 0.80, 0.80]
result = {
    "torch": torch.__version__,
    "step": {"base": 0.1, "step_size": 3, "gamma": 0.5,
             "rates": rates(0.1, lambda o: S.StepLR(o, step_size=3, gamma=0.5), 10)},
    "exponential": {"base": 0.01, "gamma": 0.9,
                    "rates": rates(0.01, lambda o: S.ExponentialLR(o, gamma=0.9), 10)},
    # Linear warm-up over 3 steps from 0.1 of the rate, then cosine over the remaining 7 to 1e-4; 10 steps in all.
    "cosine_warmup": {"base": 0.1, "total": 10, "warmup": 3, "start_factor": 0.1, "min": 1e-4,
                      "rates": rates(0.1, lambda o: S.SequentialLR(o, [
                          S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=3),
                          S.CosineAnnealingLR(o, T_max=7, eta_min=1e-4)], milestones=[3]), 10)},
    "cosine": {"base": 0.05, "total": 8, "min": 0.0,
               "rates": rates(0.05, lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=0.0), 9)},
    "plateau_min": {"base": 0.01, "factor": 0.5, "patience": 2, "threshold": 0.01, "threshold_mode": "rel",
                    "cooldown": 1, "min_lr": 0.002, "metrics": plateau_min,
                    "rates": rates(0.01, lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=0.01,
                                                                        threshold_mode="rel", cooldown=1, min_lr=0.002),
                                   len(plateau_min), plateau_min)},
    "plateau_max_abs": {"base": 0.2, "factor": 0.1, "patience": 1, "threshold": 0.02, "threshold_mode": "abs",
                        "cooldown": 0, "min_lr": 0.0, "metrics": plateau_max,
                        "rates": rates(0.2, lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.1, patience=1, threshold=0.02,
                                                                          threshold_mode="abs"),
                                       len(plateau_max), plateau_max)},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedules_pytorch.json")
with open(path, "w") as f:
    json.dump(result, f, indent=1)
    f.write("\n")
for k, v in result.items():
    print(k, v if k == "torch" else v["rates"])
