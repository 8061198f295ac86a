"""Writes a MovieLens ratings file in the Netflix Prize layout, with a random probe split, so that real rating data
with real dates runs through `netflixrec ingest`, `compare` and `predict` exactly as the Prize files do.

Usage: python3 bench/movielens_to_netflix.py RATINGS OUT_DIR [--movies MOVIES.csv] [--probe 0.2] [--seed 1]

RATINGS is MovieLens's `ratings.csv` (userId,movieId,rating,timestamp, with a header) or `u.data` (tab-separated, no
header). Half stars (ml-latest: 0.5–5.0) are rounded up to whole stars 1–5, as the Prize's scale has no halves; the
rounding is printed. Movie IDs are renumbered 1..M in order of their MovieLens ID (the Prize's IDs are dense);
customer IDs are kept. A uniformly random share of all ratings (default 20 %, MovieLens's u1–u5 splits) becomes
probe.txt, keeping at least one training rating for every user and movie; qualifying.txt is empty (no hidden set).
No data is stored in this repository: point it at your own copy of the files.
"""
import argparse, csv, datetime, math, os, random, sys

ap = argparse.ArgumentParser()
ap.add_argument('ratings'); ap.add_argument('out')
ap.add_argument('--movies'); ap.add_argument('--probe', type=float, default=0.2); ap.add_argument('--seed', type=int, default=1)
args = ap.parse_args()
if os.path.exists(args.out):
    sys.exit(f'{args.out}: already exists; choose a new directory')

rows = []  # (customer, movielens movie, stars 1-5, date)
halves = 0
with open(args.ratings, newline='', encoding='utf-8') as f:
    tab = args.ratings.endswith('u.data')
    reader = csv.reader(f, delimiter='\t' if tab else ',')
    for n, rec in enumerate(reader, 1):
        if not tab and n == 1 and not rec[0].isdigit():
            continue  # the header
        try:
            user, movie, rating, stamp = int(rec[0]), int(rec[1]), float(rec[2]), int(float(rec[3]))
        except (ValueError, IndexError):
            sys.exit(f'{args.ratings}:{n}: expected userId, movieId, rating, timestamp; got {rec!r}')
        if not 0.5 <= rating <= 5:
            sys.exit(f'{args.ratings}:{n}: rating {rating} outside 0.5-5')
        stars = math.ceil(rating)
        halves += stars != rating
        day = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).date()
        rows.append((user, movie, max(1, stars), day))
if len({(u, m) for u, m, _, _ in rows}) != len(rows):
    sys.exit(f'{args.ratings}: a user rates the same movie twice')

ids = {m: i + 1 for i, m in enumerate(sorted({m for _, m, _, _ in rows}))}
source_of = {v: k for k, v in ids.items()}
titles = {}
if args.movies:
    with open(args.movies, newline='', encoding='utf-8') as f:
        for rec in csv.DictReader(f):
            titles[int(rec['movieId'])] = (rec.get('year') or 'NULL', rec['title'])

# Random probe: shuffle, then take ratings while their user and movie keep a training rating.
rng = random.Random(args.seed)
order = list(range(len(rows))); rng.shuffle(order)
left_u, left_m = {}, {}
for u, m, _, _ in rows:
    left_u[u] = left_u.get(u, 0) + 1; left_m[m] = left_m.get(m, 0) + 1
want = round(args.probe * len(rows)); probe = set()
for i in order:
    if len(probe) == want: break
    u, m, _, _ = rows[i]
    if left_u[u] > 1 and left_m[m] > 1:
        probe.add(i); left_u[u] -= 1; left_m[m] -= 1

os.makedirs(os.path.join(args.out, 'training_set'))
by_movie = {}
for i, (u, m, s, d) in enumerate(rows):
    by_movie.setdefault(ids[m], []).append((u, s, d, i in probe))
with open(os.path.join(args.out, 'movie_titles.txt'), 'w', encoding='latin-1', errors='replace') as t, \
        open(os.path.join(args.out, 'probe.txt'), 'w') as p:
    for mid in sorted(by_movie):
        source = source_of[mid]
        year, title = titles.get(source, ('NULL', f'MovieLens movie {source}'))
        year = year if year.isdigit() else 'NULL'
        t.write(f'{mid},{year},{title}\n')
        with open(os.path.join(args.out, 'training_set', 'mv_%07d.txt' % mid), 'w') as f:
            f.write(f'{mid}:\n')
            for u, s, d, _ in by_movie[mid]:
                f.write(f'{u},{s},{d.isoformat()}\n')
        held = [u for u, _, _, inprobe in by_movie[mid] if inprobe]
        if held:
            p.write(f'{mid}:\n' + ''.join(f'{u}\n' for u in held))
open(os.path.join(args.out, 'qualifying.txt'), 'w').close()
print(f'{len(rows):,} ratings, {len(left_u):,} users, {len(ids):,} movies, {len(probe):,} in probe '
      f'({len(probe) / len(rows):.1%}); {halves:,} half-star ratings rounded up -> {args.out}')
