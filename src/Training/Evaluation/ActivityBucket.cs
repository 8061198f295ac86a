namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Held-out accuracy of the users whose TRAINING rating count lies in [<paramref name="MinTrainingRatings"/>,
/// <paramref name="MaxTrainingRatings"/>]: <paramref name="Users"/> distinct held-out users, <paramref name="Ratings"/>
/// held-out ratings, and the RMSE of their clipped predictions (NaN when the bucket is empty).
/// </summary>
public sealed record ActivityBucket(string Label, int MinTrainingRatings, int MaxTrainingRatings, int Users, int Ratings, double Rmse);

/// <summary>A bucket's label and inclusive bounds on the training rating count.</summary>
public sealed record ActivityRange(string Label, int MinTrainingRatings, int MaxTrainingRatings);
