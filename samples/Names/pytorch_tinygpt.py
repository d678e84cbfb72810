r"""The names sample's Transformer recipe (issue 14, item 6) in PyTorch, to compare held-out loss and training time with
NetGen's.

Same data as pytorch_names.py and NameData.cs (imported from pytorch_names.py, so the split cannot drift): the 8,422 unique
names of data/female.txt and data/male.txt, sorted, shuffled with NetGen's Rng(2024) stream, 842 held out; 53 characters
plus a boundary token (id 0); sequences of 16: input [boundary, c1..cn, boundary...], target [c1..cn, boundary, -100...];
CrossEntropyLoss(ignore_index=-100), the mean over the counted positions; held-out nats per character = the summed loss
over every counted held-out position / their count.

The model, a character-level causal Transformer (a "tiny GPT"):
  Embedding(54, 64) + a learned [16, 64] position table (nn.Parameter, initialized to zero)
  -> 2 x TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, dropout=0.1 (PyTorch's default; the issue
     does not name one), activation=relu, batch_first=True, norm_first=False (post-norm)), each with the causal mask
     torch.triu(ones(16, 16, bool), 1) (True = position j > i is masked out)
  -> Linear(64, 54) at every position.
Adam 3e-3, batch 64 (the last batch holds the rest), 30 epochs, PyTorch's default initialization, seed 0. After training,
20 names sampled at temperature 0.8 as the NetGen sample does (from the boundary token, the prefix padded to 16, the next
character drawn from softmax(logits / 0.8) at the prefix's last position, until the boundary comes up or 15 characters).

One thread (torch.set_num_threads(1), set_num_interop_threads(1)): NetGen's Trainer runs every step on the calling thread.

Run: /usr/bin/python3 samples/Names/pytorch_tinygpt.py   (--epochs N, --seed N, --dropout P, --json PATH)
With OpenBLAS rather than Debian's reference BLAS, as pytorch_names.py explains:
  env -u OPENBLAS_CORETYPE OMP_NUM_THREADS=1 LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 samples/Names/pytorch_tinygpt.py
Prints the held-out loss in nats per character and the seconds of each epoch (held-out evaluation excluded), the total,
and the sampled names.

One run each here (seed 0, OpenBLAS, one thread, a shared 2-core machine): dropout 0.1 ends at 1.954 nats/char held out
(5.6 s per epoch); --dropout 0 ends at 2.037 (its best 2.016 at epoch 26; it overfits from about epoch 15), nearer the
2.021 issue 14 quotes, which names no dropout.
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_names import BOUNDARY, IGNORE, STEPS, encode, held_out_loss, load  # noqa: E402

D_MODEL = 64
HEADS = 4
FEED_FORWARD = 256
LAYERS = 2
GENERATED = 20
TEMPERATURE = 0.8


class TinyGpt(nn.Module):
    def __init__(self, vocabulary, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, D_MODEL)
        self.positions = nn.Parameter(torch.zeros(STEPS, D_MODEL))
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(D_MODEL, HEADS, FEED_FORWARD, dropout=dropout, activation="relu",
                                       batch_first=True, norm_first=False)
            for _ in range(LAYERS))
        self.dense = nn.Linear(D_MODEL, vocabulary)
        self.register_buffer("mask", torch.triu(torch.ones(STEPS, STEPS, dtype=torch.bool), 1), persistent=False)

    def forward(self, x):
        h = self.embedding(x) + self.positions[:x.shape[1]]
        for layer in self.layers:
            h = layer(h, src_mask=self.mask)
        return self.dense(h)


def generate(model, chars, generator):
    """One name, as Program.cs's Generate: the boundary, then characters until the boundary or 15 of them."""
    tokens = torch.full((1, STEPS), BOUNDARY, dtype=torch.long)
    name = []
    with torch.no_grad():
        for position in range(STEPS - 1):
            logits = model(tokens)[0, position].double()
            weights = torch.softmax(logits / TEMPERATURE, dim=0)
            nxt = int(torch.multinomial(weights, 1, generator=generator))
            if nxt == BOUNDARY:
                break
            tokens[0, position + 1] = nxt
            name.append(chars[nxt - 1])
    return "".join(name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    parser.add_argument("--json")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)

    names, train, held, chars = load(args.data)
    token_of = {c: i + 1 for i, c in enumerate(chars)}
    vocabulary = len(chars) + 1
    x_train, y_train = encode(train, token_of)
    x_held, y_held = encode(held, token_of)
    model = TinyGpt(vocabulary, args.dropout)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread: {len(names):,} unique names, "
          f"{len(train):,} train / {len(held):,} held out, vocabulary {vocabulary} (uniform ln {vocabulary} = "
          f"{math.log(vocabulary):.3f} nats/char); {sum(p.numel() for p in model.parameters()):,} parameters, "
          f"dropout {args.dropout}", flush=True)

    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
    order_gen = torch.Generator().manual_seed(args.seed)
    train_seconds = 0.0
    by_epoch, seconds_by_epoch = [], []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(x_train), generator=order_gen)
        for i in range(0, len(order), 64):
            batch = order[i:i + 64]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[batch]).reshape(-1, vocabulary), y_train[batch].reshape(-1))
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        train_seconds += seconds
        held_loss = held_out_loss(model, x_held, y_held, vocabulary)
        by_epoch.append(held_loss)
        seconds_by_epoch.append(seconds)
        print(f"Epoch {epoch:2}/{args.epochs} held out {held_loss:.4f} nats/char  {seconds:.1f} s", flush=True)

    print(f"tinygpt: held out {by_epoch[-1]:.4f} nats/char after {args.epochs} epochs; training took {train_seconds:.1f} s "
          f"({train_seconds / args.epochs:.2f} s per epoch, held-out evaluation not included)")

    model.eval()
    known = set(train)
    generator = torch.Generator().manual_seed(args.seed)
    sampled = [generate(model, chars, generator) for _ in range(GENERATED)]
    print(f"\n{GENERATED} names sampled at temperature {TEMPERATURE} (* = in the training names):")
    for name in sampled:
        print(f"  {name}{' *' if name in known else ''}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": "tinygpt", "epochs": args.epochs, "seed": args.seed, "dropout": args.dropout,
                       "threads": 1, "torch": torch.__version__, "heldOutNatsPerChar": round(by_epoch[-1], 6),
                       "trainSeconds": round(train_seconds, 3),
                       "heldOutNatsPerCharByEpoch": [round(v, 6) for v in by_epoch],
                       "secondsByEpoch": [round(v, 3) for v in seconds_by_epoch], "names": sampled}, f, indent=2)


if __name__ == "__main__":
    main()
