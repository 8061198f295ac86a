"""An independent gRPC client (Debian's python3-grpcio) for the NetflixRec Recommender.

Usage: client.py STUBS_DIR HOST:PORT CUSTOMER_ID MOVIE_ID[,MOVIE_ID...]
Calls Recommend (k=5) and Predict, checks the answers' shape, prints one JSON line, exits non-zero on any failure.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from netflixrec.v1 import recommender_pb2, recommender_pb2_grpc  # noqa: E402


def main() -> int:
    target, customer = sys.argv[2], int(sys.argv[3])
    movies = [int(m) for m in sys.argv[4].split(",")]
    with grpc.insecure_channel(target) as channel:
        stub = recommender_pb2_grpc.RecommenderStub(channel)
        top = stub.Recommend(recommender_pb2.RecommendRequest(customer_id=customer, k=5), timeout=10)
        if top.customer_id != customer or len(top.movies) != 5 or top.cold_start:
            print(f"unexpected Recommend answer: {top}", file=sys.stderr)
            return 1
        predicted = stub.Predict(recommender_pb2.PredictRequest(customer_id=customer, movie_ids=movies), timeout=10)
        if len(predicted.ratings) != len(movies) or not all(1.0 <= r <= 5.0 for r in predicted.ratings):
            print(f"unexpected Predict answer: {predicted}", file=sys.stderr)
            return 1
        try:
            stub.Recommend(recommender_pb2.RecommendRequest(customer_id=customer, k=0), timeout=10)
            print("k=0 was accepted", file=sys.stderr)
            return 1
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
                print(f"k=0 gave {e.code()}, expected INVALID_ARGUMENT", file=sys.stderr)
                return 1
    print(json.dumps({
        "model": top.model,
        "recommended": [m.movie_id for m in top.movies],
        "titles": [m.title for m in top.movies],
        "ratings": list(predicted.ratings),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
