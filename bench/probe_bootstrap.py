"""Paired bootstrap over users of RMSE(a) - RMSE(b) on the probe, from two Prize-format prediction files.

Usage: python3 bench/probe_bootstrap.py RAW_NETFLIX_DIR A.txt B.txt [RESAMPLES]
where A.txt and B.txt come from `netflixrec predict --set probe` on the dataset ingested from RAW_NETFLIX_DIR (the
true stars are read from its training_set files). Prints both RMSEs and the gap with its 95 % interval: the same
method as compare's report (users resampled with replacement), for two models that were not trained in one compare.
"""
import sys, os, random, math, glob
raw, fa, fb = sys.argv[1], sys.argv[2], sys.argv[3]
pairs = []  # (movie, customer) in probe.txt order
movie = None
for line in open(os.path.join(raw, 'probe.txt')):
    line = line.strip()
    if line.endswith(':'): movie = int(line[:-1])
    elif line: pairs.append((movie, int(line)))
need = {}
for m, c in pairs: need.setdefault(m, set()).add(c)
truth = {}
for m, cs in need.items():
    with open(os.path.join(raw, 'training_set', 'mv_%07d.txt' % m)) as f:
        next(f)
        for line in f:
            c, r, _ = line.split(',', 2)
            c = int(c)
            if c in cs: truth[(m, c)] = int(r)
def read(path):
    out = []
    for line in open(path):
        line = line.strip()
        if line and not line.endswith(':'): out.append(float(line))
    return out
a, b = read(fa), read(fb)
assert len(a) == len(b) == len(pairs)
users = {}
for (m, c), x, y in zip(pairs, a, b):
    r = truth[(m, c)]
    s = users.setdefault(c, [0.0, 0.0, 0])
    s[0] += (x - r) ** 2; s[1] += (y - r) ** 2; s[2] += 1
rows = list(users.values())
def gap(sample):
    ea = sum(s[0] for s in sample); eb = sum(s[1] for s in sample); n = sum(s[2] for s in sample)
    return math.sqrt(ea / n) - math.sqrt(eb / n)
rng = random.Random(1)
boots = sorted(gap([rows[rng.randrange(len(rows))] for _ in rows]) for _ in range(int(sys.argv[4]) if len(sys.argv) > 4 else 1000))
print("rmse_a %.4f rmse_b %.4f gap %+.4f [%+.4f, %+.4f] users %d pairs %d" % (
    math.sqrt(sum(s[0] for s in rows) / len(pairs)), math.sqrt(sum(s[1] for s in rows) / len(pairs)), gap(rows),
    boots[int(0.025 * len(boots))], boots[int(0.975 * len(boots)) - 1], len(rows), len(pairs)))
