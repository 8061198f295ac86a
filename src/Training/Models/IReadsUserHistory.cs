using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models;

/// <summary>
/// A model whose input at inference is the user's rating vector (user-based autoencoders, Mult-VAE) rather than a
/// learned per-user parameter. <see cref="ModelStore"/> saves <see cref="History"/> as history.arrow beside the weights,
/// and the model's loader reads it back with <see cref="UserHistory.Read"/>.
/// </summary>
public interface IReadsUserHistory
{
    /// <summary>Every training rating by user (<see cref="RatingIndex.ByUser"/>): what goes in for a known user.</summary>
    RatingIndex History { get; }
}
