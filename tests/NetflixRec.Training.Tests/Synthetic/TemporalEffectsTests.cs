using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>
/// The generator's time effects beyond the user drift (version 2): rating sessions, day moods shared by a session's
/// ratings, and a movie's release burst.
/// </summary>
public sealed class TemporalEffectsTests(TinyPrizeFixture tiny) : IClassFixture<TinyPrizeFixture>
{
    [Fact]
    public void Ratings_Tiny_ComeInSessionsOfSeveralRatingsADay()
    {
        int userDays = tiny.Files.Training.Select(r => (r.Customer, r.Date)).Distinct().Count();

        // ~10,000 ratings; one rating a user-day would be ~10,000 user-days.
        double perDay = tiny.Files.Training.Count / (double)userDays;
        Assert.True(perDay >= 2.5, $"{perDay:F2} ratings per user-day");
    }

    [Fact]
    public void SessionDay_ByHand_IsTheNextDayOnTheUsersGridOrTheOneBeforeTheEnd()
    {
        var options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 7);
        var population = Population.Create(options);
        int user = Enumerable.Range(0, population.Users).First(u => population.SessionGaps[u] >= 5);
        int gap = population.SessionGaps[user], phase = population.SessionPhases[user];
        short from = SyntheticCalendar.Start;

        for (short day = (short)(SyntheticCalendar.Start + 100); day < SyntheticCalendar.Start + 100 + (3 * gap); day++)
        {
            short session = population.SessionDay(user, day, from);
            Assert.Equal(0, ((session - phase) % gap + gap) % gap);
            Assert.InRange(session - day, 0, gap - 1);
        }

        // Past the last session day: the one before, unless that falls before `from` (then the day itself).
        short lastDay = SyntheticCalendar.End;
        short atEnd = population.SessionDay(user, lastDay, from);
        Assert.True(atEnd <= lastDay && lastDay - atEnd < gap);
        if (((lastDay - phase) % gap + gap) % gap != 0)
        {
            Assert.Equal(lastDay, population.SessionDay(user, lastDay, lastDay));
        }
    }

    [Fact]
    public void Mood_IsOneDrawPerUserAndDay_WithTheIntendedSpread()
    {
        var options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 7);
        var population = Population.Create(options);
        var model = LatentModel.Create(options, population);

        Assert.Equal(model.Mood(3, 12000), model.Mood(3, 12000));
        var moods = new List<double>();
        for (int u = 0; u < population.Users; u++)
        {
            for (short day = 11000; day < 11050; day++)
            {
                moods.Add(model.Mood(u, day));
            }
        }

        double mean = moods.Average();
        double sd = Math.Sqrt(moods.Sum(m => (m - mean) * (m - mean)) / moods.Count);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(sd, 0.17, 0.19);
        // Neighbouring days are independent: the lag-1 correlation is near zero.
        double lag = Enumerable.Range(0, moods.Count - 1).Where(k => (k + 1) % 50 != 0).Average(k => (moods[k] - mean) * (moods[k + 1] - mean)) / (sd * sd);
        Assert.InRange(lag, -0.03, 0.03);
    }

    [Fact]
    public void Movies_Small_AreRatedMostInTheMonthsAfterRelease()
    {
        // Movies that came out within the span (first rated after 2002): ratings in their first 150 days against the
        // same length a year later, when the customer base has grown but the release burst has faded.
        var options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 7) with { Users = 3000, Movies = 400, TargetRatings = 150_000 };
        SyntheticDataset dataset = SyntheticNetflix.Build(options);
        short start2002 = DayNumber.FromDate(new DateOnly(2002, 1, 1)), cutoff = DayNumber.FromDate(new DateOnly(2004, 6, 1));
        long early = 0, later = 0;
        foreach (MovieRatings movie in dataset.Training)
        {
            ReadOnlySpan<short> days = movie.Days.Span;
            short first = short.MaxValue;
            foreach (short d in days)
            {
                first = Math.Min(first, d);
            }

            if (first < start2002 || first > cutoff)
            {
                continue;
            }

            foreach (short d in days)
            {
                early += d - first < 150 ? 1 : 0;
                later += d - first is >= 365 and < 515 ? 1 : 0;
            }
        }

        Assert.True(early > 1.5 * later, $"first 150 days {early:N0} ratings, a year later {later:N0}");
    }
}
