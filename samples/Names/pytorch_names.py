r"""The names sample's recipe in PyTorch, to compare held-out loss and training time with NetGen's.

Same data preparation as NameData.cs: the unique names of data/female.txt and data/male.txt (8,422), sorted, shuffled
with the same xoshiro256** stream NetGen's Rng(2024) draws (so the very same 842 names are held out), a vocabulary of the
53 characters that occur plus a boundary token (id 0), sequences of 16: input [boundary, c1..cn, boundary...], target
[c1..cn, boundary, -100...]. Embedding(54, 32) -> LSTM/GRU/RNN(32, 128, batch_first) -> Linear(128, 54) at every step,
CrossEntropyLoss(ignore_index=-100) (mean over the counted positions), Adam 3e-3, batch 64 (the last batch holds the
rest), 30 epochs, PyTorch's default initialization.

One thread (torch.set_num_threads(1), set_num_interop_threads(1)): NetGen's Trainer runs every step on the calling
thread (its workspace's Threads is 1), so both use one core.

Run: /usr/bin/python3 samples/Names/pytorch_names.py --cell lstm   (or gru, rnn; --epochs N, --seed N, --json PATH)
Debian's python3-torch calls the netlib reference BLAS (10-20x slower here); to time it with OpenBLAS, as the anchors do:
  (cd /tmp && apt-get download libopenblas0-openmp && dpkg-deb -x libopenblas0-openmp_*.deb openblas)
  env -u OPENBLAS_CORETYPE OMP_NUM_THREADS=1 LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 samples/Names/pytorch_names.py --cell lstm
Prints the held-out loss in nats per character after each epoch and the training time (held-out evaluation excluded).
"""

import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn

STEPS = 16
BOUNDARY = 0
IGNORE = -100
SPLIT_SEED = 2024
M64 = (1 << 64) - 1


class Xoshiro:
    """NetGen's Rng: xoshiro256** seeded through SplitMix64, with Lemire's NextInt and Fisher-Yates Shuffle."""

    def __init__(self, seed):
        x = seed
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M64

    def next_u64(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_int(self, n):
        product = self.next_u64() * n
        low = product & M64
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                product = self.next_u64() * n
                low = product & M64
        return product >> 64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.next_int(i + 1)
            items[i], items[j] = items[j], items[i]


def load(directory):
    names = set()
    for file in ("female.txt", "male.txt"):
        with open(os.path.join(directory, file), encoding="ascii") as f:
            names.update(line.strip() for line in f if line.strip())
    names = sorted(names)
    assert max(map(len, names)) <= STEPS - 1
    chars = sorted(set("".join(names)))
    shuffled = list(names)
    Xoshiro(SPLIT_SEED).shuffle(shuffled)
    held = len(names) // 10
    return names, shuffled[held:], shuffled[:held], chars


def encode(names, token_of):
    x = torch.full((len(names), STEPS), BOUNDARY, dtype=torch.long)
    y = torch.full((len(names), STEPS), IGNORE, dtype=torch.long)
    for s, name in enumerate(names):
        ids = [token_of[c] for c in name]
        x[s, 1:len(ids) + 1] = torch.tensor(ids, dtype=torch.long)
        y[s, :len(ids)] = torch.tensor(ids, dtype=torch.long)
        y[s, len(ids)] = BOUNDARY
    return x, y


class CharModel(nn.Module):
    def __init__(self, vocabulary, cell):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, 32)
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell](32, 128, batch_first=True)
        self.dense = nn.Linear(128, vocabulary)

    def forward(self, x):
        h, _ = self.rnn(self.embedding(x))
        return self.dense(h)


def held_out_loss(model, x, y, vocabulary):
    model.eval()
    with torch.no_grad():
        total = 0.0
        for i in range(0, len(x), 256):
            logits = model(x[i:i + 256])
            total += nn.functional.cross_entropy(
                logits.reshape(-1, vocabulary), y[i:i + 256].reshape(-1), ignore_index=IGNORE, reduction="sum").item()
    model.train()
    return total / (y != IGNORE).sum().item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
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
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread: {len(names):,} unique names, "
          f"{len(train):,} train / {len(held):,} held out, vocabulary {vocabulary} (uniform ln {vocabulary} = {math.log(vocabulary):.3f} nats/char)")

    model = CharModel(vocabulary, args.cell)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
    order_gen = torch.Generator().manual_seed(args.seed)
    train_seconds = 0.0
    by_epoch = []
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
        print(f"Epoch {epoch:2}/{args.epochs} held out {held_loss:.4f} nats/char  {seconds:.1f} s", flush=True)

    print(f"{args.cell}: held out {by_epoch[-1]:.4f} nats/char after {args.epochs} epochs; training took {train_seconds:.1f} s "
          f"(held-out evaluation not included)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cell": args.cell, "epochs": args.epochs, "seed": args.seed, "threads": 1,
                       "torch": torch.__version__, "heldOutNatsPerChar": round(by_epoch[-1], 6),
                       "trainSeconds": round(train_seconds, 3),
                       "heldOutNatsPerCharByEpoch": [round(v, 6) for v in by_epoch]}, f, indent=2)


if __name__ == "__main__":
    main()
