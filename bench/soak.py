#!/usr/bin/python3
"""Soak benchmark (not CI): N minutes of mixed Recommend / Predict / RecommendMany against the Release server over one
exported model, with a hot reload every RELOAD seconds, sampling the server's RSS and open file descriptors.

  bench/soak.py MODEL_DIR [--minutes 10] [--reload-every 30] [--workers 4] [--raw /work/data/raw-small]

Needs Debian's python3-grpcio and python3-grpc-tools (the stubs are generated from protos/ into a temp folder), run
with /usr/bin/python3. The model is served twice, as 'soak' (reloaded: odd reloads touch its manifest, even ones
re-copy the whole directory and swap it in by two renames) and 'steady' (never touched). Customer IDs come from the
raw Prize-format training files the model's dataset was ingested from (--raw). Exit 1 when any call failed, a reload
was not picked up, or the server died.
"""
import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

import grpc
from grpc_tools import protoc

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stubs(folder):
    """Generates the Python gRPC stubs of recommender.proto into folder and imports them."""
    os.makedirs(folder, exist_ok=True)
    rc = protoc.main(["protoc", f"-I{REPO}/protos", f"--python_out={folder}", f"--grpc_python_out={folder}",
                      "netflixrec/v1/recommender.proto"])
    if rc != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, folder)
    from netflixrec.v1 import recommender_pb2, recommender_pb2_grpc  # noqa: E402
    return recommender_pb2, recommender_pb2_grpc


def customer_ids(raw, limit=5000):
    """Distinct CustomerIDs from the first training files (the model knows them all)."""
    ids, folder = set(), os.path.join(raw, "training_set")
    for name in sorted(os.listdir(folder))[:50]:
        with open(os.path.join(folder, name), encoding="latin-1") as f:
            next(f)
            for line in f:
                ids.add(int(line.split(",", 1)[0]))
        if len(ids) >= limit:
            break
    return sorted(ids)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sample(pid):
    """(RSS in MiB, open fds, threads) of the server process."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--reload-every", type=float, default=30)
    ap.add_argument("--sample-every", type=float, default=10)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--raw", default="/work/data/raw-small")
    ap.add_argument("--server", default=f"{REPO}/src/Serving/bin/Release/net10.0/NetflixRec.Serving.dll")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="soak-")
    pb, rpc = stubs(os.path.join(work, "stubs"))
    root = os.path.join(work, "models")
    os.makedirs(root)
    shutil.copytree(args.model_dir, os.path.join(root, "soak"))
    shutil.copytree(args.model_dir, os.path.join(root, "steady"))
    ids = customer_ids(args.raw)
    movies = list(range(1, 201))

    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen(["dotnet", args.server, "--models", root, "--urls", f"http://127.0.0.1:{port}",
                               "--metrics-urls", "none", "--execution-provider", "cpu", "--poll-ms", "1000",
                               "--Logging:LogLevel:Default", "Warning",
                               "--Logging:LogLevel:NetflixRec.Serving.ModelRegistry", "Information"],
                              stdout=log, stderr=subprocess.STDOUT)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        grpc.channel_ready_future(channel).result(timeout=120)
    except grpc.FutureTimeoutError:
        server.kill()
        sys.exit(f"server did not open port {port}; see {work}/server.log")
    stub = rpc.RecommenderStub(channel)

    calls, errors, stop = Counter(), Counter(), threading.Event()
    lock = threading.Lock()

    def worker(seed):
        rnd = random.Random(seed)
        while not stop.is_set():
            model = rnd.choice(["soak", "steady"])
            kind = rnd.choice(["Recommend", "Predict", "RecommendMany"])
            try:
                if kind == "Recommend":
                    r = stub.Recommend(pb.RecommendRequest(customer_id=rnd.choice(ids), k=10, model=model), timeout=30)
                    ok = len(r.movies) == 10
                elif kind == "Predict":
                    r = stub.Predict(pb.PredictRequest(customer_id=rnd.choice(ids), movie_ids=rnd.sample(movies, 20),
                                                       model=model), timeout=30)
                    ok = len(r.ratings) == 20
                else:
                    reqs = [pb.RecommendRequest(customer_id=rnd.choice(ids), k=5, model=model) for _ in range(16)]
                    ok = sum(len(r.movies) == 5 for r in stub.RecommendMany(iter(reqs), timeout=30)) == 16
                with lock:
                    calls[kind] += 1
                    if not ok:
                        errors[f"{kind}: short answer"] += 1
            except grpc.RpcError as e:
                with lock:
                    calls[kind] += 1
                    errors[f"{kind}: {e.code().name} {e.details()}"] += 1

    def version(name):
        for m in stub.ListModels(pb.ListModelsRequest(), timeout=30).models:
            if m.name == name:
                return m.version
        return None

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.workers)]
    for t in threads:
        t.start()

    start = time.monotonic()
    end = start + args.minutes * 60
    next_reload, next_sample = start + args.reload_every, start
    reloads = reloads_seen = 0
    samples = []
    print("   t_s  calls  errors  rss_mib  fds  threads  reloads(seen)", flush=True)
    while time.monotonic() < end and server.poll() is None:
        now = time.monotonic()
        if now >= next_reload:
            before = version("soak")
            reloads += 1
            target = os.path.join(root, "soak")
            if reloads % 2:
                os.utime(os.path.join(target, "manifest.json"))  # new mtime: a new version of the same files
            else:
                stage, old = os.path.join(root, f".stage-{reloads}"), os.path.join(root, f".old-{reloads}")
                shutil.copytree(args.model_dir, stage)  # fresh copy (new mtimes), swapped in by two renames
                os.rename(target, old)
                os.rename(stage, target)
                shutil.rmtree(old)
            for _ in range(100):  # picked up within 20 s?
                time.sleep(0.2)
                if version("soak") not in (before, None):
                    reloads_seen += 1
                    break
            next_reload += args.reload_every
        if now >= next_sample:
            rss, fds, nthreads = sample(server.pid)
            with lock:
                total, failed = sum(calls.values()), sum(errors.values())
            samples.append((now - start, rss, fds, nthreads))
            print(f"{now - start:6.0f} {total:6d} {failed:7d} {rss:8.1f} {fds:4d} {nthreads:8d}  {reloads}({reloads_seen})", flush=True)
            next_sample += args.sample_every
        time.sleep(0.1)

    stop.set()
    for t in threads:
        t.join(timeout=60)
    alive = server.poll() is None
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    log.close()

    total, failed = sum(calls.values()), sum(errors.values())
    elapsed = time.monotonic() - start
    rss = [s[1] for s in samples]
    fds = [s[2] for s in samples]
    later = samples[len(samples) // 2:] or samples  # the second half: after warm-up
    print(f"soak: {elapsed / 60:.1f} min, {total} calls ({dict(calls)}), {total / elapsed:.0f} calls/s, {failed} failed")
    for reason, n in errors.most_common(10):
        print(f"  {n} x {reason}")
    print(f"soak: reloads {reloads}, picked up {reloads_seen}; server alive at the end: {alive}")
    print(f"soak: RSS MiB first {rss[0]:.1f}, min {min(rss):.1f}, max {max(rss):.1f}, last {rss[-1]:.1f}; "
          f"second half {min(s[1] for s in later):.1f}..{max(s[1] for s in later):.1f}")
    print(f"soak: open fds first {fds[0]}, min {min(fds)}, max {max(fds)}, last {fds[-1]}; "
          f"second half {min(s[2] for s in later)}..{max(s[2] for s in later)}")
    print(f"soak: server log {work}/server.log")
    sys.exit(0 if failed == 0 and reloads_seen == reloads and alive else 1)


if __name__ == "__main__":
    main()
