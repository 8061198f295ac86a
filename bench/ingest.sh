#!/usr/bin/env bash
# Ingest benchmark: generates a synthetic Prize of the given scale once (kept in $WORK), then times
# `netflixrec ingest` on it from a warm page cache and prints the figures the data-pipeline issue asks for.
# Usage: bench/ingest.sh [tiny|small|medium|full] [WORK_DIR]
set -euo pipefail
scale=${1:-medium}
work=${2:-/tmp/netflixrec-bench}
cd "$(dirname "$0")/.."
dotnet build src/Training -c Release -v quiet -nologo >/dev/null
bin=src/Training/bin/Release/net10.0/netflixrec
mkdir -p "$work"
if [ ! -d "$work/netflix-$scale" ]; then
  "$bin" generate --scale "$scale" --out "$work/netflix-$scale"
fi
cat "$work/netflix-$scale"/training_set/* > /dev/null  # warm the page cache: measure parsing, not the disk
rm -rf "$work/dataset-$scale"
"$bin" ingest --netflix "$work/netflix-$scale" --out "$work/dataset-$scale" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
mb = 2 ** 20
print("ratings        {:,}".format(r["ratings"]))
print("seconds        {:.2f}  (parse {:.2f}, transform {:.2f}, write {:.2f})".format(r["seconds"], r["parse_seconds"], r["transform_seconds"], r["write_seconds"]))
print("ratings/s      {:.1f} M".format(r["ratings_per_second"] / 1e6))
print("peak RSS       {:,.0f} MB".format(r["peak_rss_bytes"] / mb))
print("text -> Arrow  {:,.0f} MB -> {:,.0f} MB ({:.1f}x smaller)".format(r["bytes_in"] / mb, r["bytes_out"] / mb, r["bytes_in"] / r["bytes_out"]))
'
