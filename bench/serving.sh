#!/usr/bin/env bash
# Serving figures: starts the Release server on one exported model directory (CPU provider, loopback), runs load
# against it and stops the server. Two load tools:
#   bench/serving.sh MODEL_DIR [load generator options: --k 10 --concurrency 1,16,64 --seconds 10 --warmup 2]
#     the project's generator (Grpc.Net.Client; Recommend for random customers at each concurrency, then the
#     in-process floor), a markdown table.
#   bench/serving.sh MODEL_DIR --h2load [--k 10] [--concurrency 1,16,64] [--seconds 10] [--warmup 2] [--prewarm 10]
#     nghttp2's h2load (Debian nghttp2-client) sending raw gRPC frames over HTTP/2: one connection per concurrent
#     client, one stream each; latencies from its --log-file. h2load sees HTTP status only, so each run is followed
#     by a check of the server's gRPC status counts (errors = calls not OK).
#     Each h2load row also gives the server's CPU per call (from /proc, the measured period only) and the calls per
#     ONNX run (the batch size, from the server's metrics; warm-up included); the header names the
#     model's weight layout (export --weights), the server options, the DOTNET_* variables and the load average.
# Environment: SERVING_BENCH_PORT (5099), SERVING_DLL (a server build to measure instead of this tree's, e.g. an older
# one), SERVER_ARGS (extra server options, e.g. "--max-batch 1" to turn batching off), DOTNET_* runtime settings
# (e.g. DOTNET_gcServer=0) reach the server.
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(realpath "$1"); shift
port=${SERVING_BENCH_PORT:-5099}
metrics_port=$((port + 1))

mode=loadgen
if [[ "${1:-}" == "--h2load" ]]; then mode=h2load; shift; fi

if [[ -z "${SERVING_DLL:-}" ]]; then dotnet build src/Serving -c Release -v q -nologo >/dev/null; fi
dotnet build bench/LoadGen -c Release -v q -nologo >/dev/null
server_dll=${SERVING_DLL:-src/Serving/bin/Release/net10.0/NetflixRec.Serving.dll}
loadgen=bench/LoadGen/bin/Release/net10.0/netflixrec-loadgen.dll

# The models folder holds only the model: the server watches it, and h2load's log or any scratch file written there
# would wake a rescan (and a re-hash of model.onnx) on every write — measured at 29 % of the server's CPU at c=1.
root=$(mktemp -d)
scratch=$(mktemp -d)
ln -s "$model" "$root/bench"
# shellcheck disable=SC2086
dotnet "$server_dll" --models "$root" --urls "http://127.0.0.1:$port" \
  --metrics-urls "http://127.0.0.1:$metrics_port" --execution-provider cpu --Logging:LogLevel:Default Warning ${SERVER_ARGS:-} &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$root" "$scratch"' EXIT

# Models load before the port opens, so an open port means ready.
for _ in $(seq 1 240); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 $server 2>/dev/null || { echo "server exited" >&2; exit 1; }
  sleep 0.5
done

if [[ $mode == loadgen ]]; then
  dotnet "$loadgen" --target "http://127.0.0.1:$port" --model-dir "$model" --model bench --server-pid "$server" "$@"
  exit 0
fi

k=10; concurrency=1,16,64; seconds=10; warmup=2; prewarm=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --k) k=$2 ;; --concurrency) concurrency=$2 ;; --seconds) seconds=$2 ;; --warmup) warmup=$2 ;; --prewarm) prewarm=$2 ;;
    *) echo "serving.sh --h2load: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
command -v h2load >/dev/null || { echo "h2load not found: apt-get install nghttp2-client" >&2; exit 2; }
body="$scratch/recommend.bin"
dotnet "$loadgen" --model-dir "$model" --model bench --k "$k" --h2load-body "$body" >/dev/null

# Completed gRPC calls that were not OK, from the server's Prometheus counter.
not_ok() {
  curl -s "http://127.0.0.1:$metrics_port/metrics" |
    awk '/^netflixrec_serving_requests_total/ && !/status="(OK|Cancelled)"/ { n += $NF } END { print n + 0 }'
}

# Calls and ONNX runs of the every-movie batcher so far ("sum count" of the batch size histogram): calls per run.
batches() {
  curl -s "http://127.0.0.1:$metrics_port/metrics" |
    awk '/^netflixrec_serving_batch_size_(sum|count)/ && /kind="scores"/ { if ($1 ~ /_sum/) s += $NF; else c += $NF } END { print s + 0, c + 0 }'
}

# CPU seconds (user + system) the server has used so far, from /proc.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.4f", ($14 + $15) / hz }' "/proc/$server/stat"; }

weights=$(python3 -c 'import json, sys; print((json.load(open(sys.argv[1])).get("onnx") or {}).get("weights", "fp32"))' "$model/manifest.json")
echo "h2load: Recommend k=$k, raw gRPC frames, ${seconds} s per run after ${warmup} s warm-up (and ${prewarm} s untimed at c=16 first); model weights $weights;" \
  "server $server_dll ${SERVER_ARGS:-}; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
env | grep -E '^DOTNET_(gc|GC|Tiered|TC_|ReadyToRun|ThreadPool)|^MALLOC_' | sort | sed 's/^/environment: /' || true
# The JIT recompiles hot methods (tier 1, PGO) for the first seconds under load: perf put 13 % of the server's CPU in
# libclrjit 4–14 s after start, 0.6 % at 28–38 s. An untimed run first, so no measured row pays for it.
if (( prewarm > 0 )); then
  h2load -c 16 -m 1 -t 1 -D "$prewarm" -H 'content-type: application/grpc' -H 'te: trailers' -d "$body" \
    "http://127.0.0.1:$port/netflixrec.v1.Recommender/Recommend" > /dev/null
fi
echo "| run | p50 ms | p95 ms | p99 ms | req/s | requests | gRPC not OK | server CPU µs/req | calls per ONNX run |"
echo "|---|---|---|---|---|---|---|---|---|"
for c in ${concurrency//,/ }; do
  log="$scratch/h2load-$c.log"
  before_bad=$(not_ok)
  before_batches=$(batches)
  # The server's CPU is read once the warm-up has passed and again when h2load ends: the measured period only.
  (sleep "$warmup"; server_cpu > "$scratch/cpu-$c") &
  sampler=$!
  h2load -c "$c" -m 1 -t 1 -D "$seconds" --warm-up-time "$warmup" --log-file "$log" \
    -H 'content-type: application/grpc' -H 'te: trailers' -d "$body" \
    "http://127.0.0.1:$port/netflixrec.v1.Recommender/Recommend" > "$scratch/h2load-$c.out"
  cpu_end=$(server_cpu)
  wait $sampler
  bad=$(( $(not_ok) - before_bad ))
  after_batches=$(batches)
  # --log-file: one line per request, "start(µs since epoch) status duration(µs)"; only the measured period is logged.
  python3 - "$log" "$c" "$seconds" "$bad" "$(cat "$scratch/cpu-$c")" "$cpu_end" "$before_batches" "$after_batches" <<'PY'
import sys
path, c, seconds, bad = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
cpu = float(sys.argv[6]) - float(sys.argv[5])
(calls0, runs0), (calls1, runs1) = (map(float, a.split()) for a in sys.argv[7:9])
per_run = f"{(calls1 - calls0) / (runs1 - runs0):.1f}" if runs1 > runs0 else "-"
rows = [line.split() for line in open(path)]
lat = sorted(int(r[2]) / 1000.0 for r in rows if r[1] == "200")
http_bad = sum(1 for r in rows if r[1] != "200")
def pct(p):
    return lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))] if lat else float("nan")
cpu_per_call = f"{cpu * 1e6 / len(lat):.0f}" if lat else "-"
print(f"| h2load c={c} | {pct(50):.3f} | {pct(95):.3f} | {pct(99):.3f} | {len(lat) / seconds:,.0f} | {len(lat):,} | {int(bad) + http_bad} | {cpu_per_call} | {per_run} |")
PY
done
