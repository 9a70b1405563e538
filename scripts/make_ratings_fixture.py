#!/usr/bin/python3
"""Writes Tests/Fixtures/recommend/ratings.tsv: a small ratings file in MovieLens 100K's `u.data`
format (user id, item id, rating 1-5, Unix timestamp; tab-separated, no header), for the tests of
`ember train --task recommend`. The content is synthetic (60 users, 80 items, 20 ratings each, drawn
from 4 latent factors with a popularity skew and rounded to whole stars); only the format is real.
Ids are written as MovieLens writes them (numbers that do not start at 0 and are not contiguous).

    /usr/bin/python3 scripts/make_ratings_fixture.py
"""
import os
import random

rng = random.Random(19)
users, items, k, per_user = 60, 80, 4, 20
p = [[rng.gauss(0, 0.7) for _ in range(k)] for _ in range(users)]
q = [[rng.gauss(0, 0.7) for _ in range(k)] for _ in range(items)]
popularity = [1 / (r + 1) ** 0.5 for r in range(items)]
rng.shuffle(popularity)
user_ids = [str(10 + 7 * u) for u in range(users)]
item_ids = [str(100 + 3 * i) for i in range(items)]
lines = []
for u in range(users):
    affinity = [sum(a * b for a, b in zip(p[u], q[i])) for i in range(items)]
    weights = [popularity[i] * 2.718281828 ** (1.5 * affinity[i]) for i in range(items)]
    chosen = []
    while len(chosen) < per_user:
        i = rng.choices(range(items), weights)[0]
        if i not in chosen:
            chosen.append(i)
    for t, i in enumerate(chosen):
        stars = min(5, max(1, round(3.4 + affinity[i] + rng.gauss(0, 0.5))))
        lines.append(f"{user_ids[u]}\t{item_ids[i]}\t{stars}\t{881250000 + 86400 * u + 600 * t}")
rng.shuffle(lines)
out = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "recommend", "ratings.tsv")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", os.path.normpath(out), len(lines), "ratings")
