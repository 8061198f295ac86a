#!/usr/bin/env bash
# Serving figures: starts the Release server on one exported model directory (CPU provider, loopback), runs the load
# generator against it (Recommend top-k at several concurrencies, then the in-process floor) and stops the server.
#   bench/serving.sh MODEL_DIR [load generator options: --k 10 --concurrency 1,16,64 --seconds 10 --warmup 2]
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(realpath "$1"); shift
port=${SERVING_BENCH_PORT:-5099}

dotnet build src/Serving -c Release -v q -nologo >/dev/null
dotnet build bench/LoadGen -c Release -v q -nologo >/dev/null

root=$(mktemp -d)
ln -s "$model" "$root/bench"
dotnet src/Serving/bin/Release/net10.0/NetflixRec.Serving.dll --models "$root" --urls "http://127.0.0.1:$port" \
  --metrics-urls none --execution-provider cpu --Logging:LogLevel:Default Warning &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$root"' EXIT

# Models load before the port opens, so an open port means ready.
for _ in $(seq 1 240); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 $server 2>/dev/null || { echo "server exited" >&2; exit 1; }
  sleep 0.5
done

dotnet bench/LoadGen/bin/Release/net10.0/netflixrec-loadgen.dll --target "http://127.0.0.1:$port" --model-dir "$model" --model bench --server-pid "$server" "$@"
