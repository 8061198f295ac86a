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
print(f"ratings        {r[\"ratings\"]:,}")
print(f"seconds        {r[\"seconds\"]:.2f}  (parse {r[\"parse_seconds\"]:.2f}, transform {r[\"transform_seconds\"]:.2f}, write {r[\"write_seconds\"]:.2f})")
print(f"ratings/s      {r[\"ratings_per_second\"]/1e6:.1f} M")
print(f"peak RSS       {r[\"peak_rss_bytes\"]/2**20:,.0f} MB")
print(f"text → Arrow   {r[\"bytes_in\"]/2**20:,.0f} MB → {r[\"bytes_out\"]/2**20:,.0f} MB ({r[\"bytes_in\"]/r[\"bytes_out\"]:.1f}×)")
'
