"""An independent gRPC client (Debian's python3-grpcio) for the NetflixRec Recommender.

Usage: client.py STUBS_DIR HOST:PORT CUSTOMER_ID MOVIE_ID[,MOVIE_ID...]
Calls Recommend (k=5), Predict, RecommendForRatings and PredictForRatings (rating the given movies 5, 4, 3, ...) and
SimilarMovies (of the first movie), checks the answers' shape and the INVALID_ARGUMENT of bad requests, prints one JSON
line, exits non-zero on any failure.
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
        given = [recommender_pb2.MovieRating(movie_id=m, stars=5 - i % 5) for i, m in enumerate(movies)]
        fresh = stub.RecommendForRatings(recommender_pb2.RecommendForRatingsRequest(ratings=given, k=5), timeout=10)
        if len(fresh.movies) != 5 or any(m.movie_id in movies for m in fresh.movies) or not all(m.title for m in fresh.movies):
            print(f"unexpected RecommendForRatings answer: {fresh}", file=sys.stderr)
            return 1
        fresh_ratings = stub.PredictForRatings(recommender_pb2.PredictForRatingsRequest(ratings=given, movie_ids=movies), timeout=10)
        if len(fresh_ratings.ratings) != len(movies) or [m.movie_id for m in fresh_ratings.movies] != movies:
            print(f"unexpected PredictForRatings answer: {fresh_ratings}", file=sys.stderr)
            return 1
        similar = stub.SimilarMovies(recommender_pb2.SimilarMoviesRequest(movie_id=movies[0], k=5), timeout=10)
        if similar.movie.movie_id != movies[0] or len(similar.movies) != 5 or any(m.movie_id == movies[0] for m in similar.movies):
            print(f"unexpected SimilarMovies answer: {similar}", file=sys.stderr)
            return 1
        bad = [
            ("k=0", lambda: stub.Recommend(recommender_pb2.RecommendRequest(customer_id=customer, k=0), timeout=10), "k"),
            ("empty ratings", lambda: stub.RecommendForRatings(recommender_pb2.RecommendForRatingsRequest(k=5), timeout=10), "ratings"),
            ("stars 6", lambda: stub.RecommendForRatings(recommender_pb2.RecommendForRatingsRequest(
                ratings=[recommender_pb2.MovieRating(movie_id=movies[0], stars=6)], k=5), timeout=10), "ratings[0].stars"),
            ("similar k=0", lambda: stub.SimilarMovies(recommender_pb2.SimilarMoviesRequest(movie_id=movies[0], k=0), timeout=10), "k"),
        ]
        for name, call, field in bad:
            try:
                call()
                print(f"{name} was accepted", file=sys.stderr)
                return 1
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.INVALID_ARGUMENT or not e.details().startswith(field + ":"):
                    print(f"{name} gave {e.code()} '{e.details()}', expected INVALID_ARGUMENT naming {field}", file=sys.stderr)
                    return 1
    print(json.dumps({
        "model": top.model,
        "recommended": [m.movie_id for m in top.movies],
        "titles": [m.title for m in top.movies],
        "ratings": list(predicted.ratings),
        "recommended_for_ratings": [m.movie_id for m in fresh.movies],
        "predicted_for_ratings": list(fresh_ratings.ratings),
        "similar": [m.movie_id for m in similar.movies],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
