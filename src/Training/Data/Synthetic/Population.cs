using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Who the customers are and what the catalogue holds: customer IDs, heavy-tailed activity and popularity weights,
/// sign-up days, titles and the day each movie became available. User index order is CustomerID order.
/// </summary>
internal sealed class Population
{
    // DVDs reached Netflix some months after the theatrical release.
    private const int MinReleaseLagDays = 90;
    private const int MaxReleaseLagDays = 270;

    // Even the newest movie is available for the last few weeks of the span.
    private const int MinAvailableDays = 30;

    // Activity scales with tenure, but a customer who joins in the last days still rates like one of two months.
    private const int MinTenureDays = 60;

    // Real activity has a fatter upper tail than a lognormal: above two standard deviations the log-weight grows
    // quadratically, which yields the Prize's handful of customers with over ten thousand ratings.
    private const double TailStart = 2.0;
    private const double TailCurvature = 0.4;

    // Customers rate in sessions (a few movies on one evening): the median session holds this many ratings, with a
    // log-sd of SessionSpread between customers. An assumption of the generator, not a published Prize statistic.
    private const double MedianRatingsPerSession = 5;
    private const double SessionSpread = 0.8;

    private Population(int[] customerIds, double[] userWeights, short[] joinDays, short[] sessionGaps, short[] sessionPhases,
        double[] popularityScores, double[] movieWeights, MovieTitle[] titles, short[] availableDays)
    {
        CustomerIds = customerIds;
        UserWeights = userWeights;
        JoinDays = joinDays;
        SessionGaps = sessionGaps;
        SessionPhases = sessionPhases;
        PopularityScores = popularityScores;
        MovieWeights = movieWeights;
        Titles = titles;
        AvailableDays = availableDays;
    }

    public int[] CustomerIds { get; }

    /// <summary>Relative activity (a lognormal taste for rating times tenure): expected ratings are proportional to it.</summary>
    public double[] UserWeights { get; }

    public short[] JoinDays { get; }

    /// <summary>Days between a customer's rating sessions: every rating falls on a session day (see <see cref="SessionDay"/>).</summary>
    public short[] SessionGaps { get; }

    /// <summary>Where in its gap a customer's sessions fall: session days are those with (day − phase) mod gap = 0.</summary>
    public short[] SessionPhases { get; }

    /// <summary>The standard normal behind each movie's popularity (also nudges its bias: popular movies rate higher).</summary>
    public double[] PopularityScores { get; }

    public double[] MovieWeights { get; }

    public MovieTitle[] Titles { get; }

    public short[] AvailableDays { get; }

    public int Users => CustomerIds.Length;

    public int Movies => Titles.Length;

    public static Population Create(GeneratorOptions options)
    {
        int[] customerIds = SampleCustomerIds(options.Seed, options.Users);

        var userRng = Rng.Create(options.Seed, RngStream.Users, 0);
        double[] userWeights = new double[options.Users];
        short[] joinDays = new short[options.Users];
        for (int u = 0; u < options.Users; u++)
        {
            double z = userRng.NextGaussian();
            double excess = Math.Max(0, z - TailStart);
            double activity = Math.Exp((options.UserActivitySpread * z) + (TailCurvature * excess * excess));
            joinDays[u] = SyntheticCalendar.Draw(ref userRng, SyntheticCalendar.Start, SyntheticCalendar.JoinGrowth);
            int tenure = Math.Max(SyntheticCalendar.End - joinDays[u] + 1, MinTenureDays);
            userWeights[u] = activity * tenure / SyntheticCalendar.SpanDays;
        }

        ShiftToFloor(options, userWeights);
        (short[] gaps, short[] phases) = Sessions(options, userWeights, joinDays);
        var movieRng = Rng.Create(options.Seed, RngStream.Movies, 0);
        double[] scores = new double[options.Movies];
        double[] movieWeights = new double[options.Movies];
        for (int i = 0; i < options.Movies; i++)
        {
            scores[i] = movieRng.NextGaussian();
            movieWeights[i] = Math.Exp(options.MoviePopularitySpread * scores[i]);
        }

        MovieTitle[] titles = TitleGenerator.Create(options.Seed, options.Movies);
        short[] available = new short[options.Movies];
        for (int i = 0; i < options.Movies; i++)
        {
            available[i] = AvailableDay(ref movieRng, titles[i].Year);
        }

        return new Population(customerIds, userWeights, joinDays, gaps, phases, scores, movieWeights, titles, available);
    }

    /// <summary>
    /// The session day of a user on or after <paramref name="day"/>; if that lies past the end of the span, the one before
    /// it; if that lies before <paramref name="from"/> (no session day in [from, End]), the day itself.
    /// </summary>
    public short SessionDay(int user, short day, short from)
    {
        int gap = SessionGaps[user];
        int next = day + ((((SessionPhases[user] - day) % gap) + gap) % gap);
        if (next > SyntheticCalendar.End)
        {
            next -= gap;
        }

        return next < from ? day : (short)next;
    }

    /// <summary>
    /// Each user's session spacing: the expected ratings over the tenure divided into sessions of about
    /// <see cref="MedianRatingsPerSession"/> ratings, so light and heavy users alike rate several movies a day they rate.
    /// </summary>
    private static (short[] Gaps, short[] Phases) Sessions(GeneratorOptions options, double[] weights, short[] joinDays)
    {
        double perWeight = options.TargetRatings / weights.Sum();
        short[] gaps = new short[weights.Length];
        short[] phases = new short[weights.Length];
        for (int u = 0; u < weights.Length; u++)
        {
            var rng = Rng.Create(options.Seed, RngStream.Sessions, u);
            double perSession = MedianRatingsPerSession * Math.Exp(SessionSpread * rng.NextGaussian());
            double sessions = Math.Max(1, weights[u] * perWeight / perSession);
            int tenure = SyntheticCalendar.End - joinDays[u] + 1;
            gaps[u] = (short)Math.Clamp((int)Math.Round(tenure / sessions), 1, 365);
            phases[u] = (short)rng.NextInt(gaps[u]);
        }

        return (gaps, phases);
    }

    /// <summary>
    /// With a floor of m ratings a user, every user expects about m − 1 ratings before its share of the rest, so the
    /// sampling itself leaves few users below the floor and the top-up (<see cref="RaterSampler"/>) does not pile them
    /// up at exactly m. A floor of one leaves the weights as they are.
    /// </summary>
    private static void ShiftToFloor(GeneratorOptions options, double[] weights)
    {
        int below = options.MinRatingsPerUser - 1;
        if (below == 0)
        {
            return;
        }

        double shift = below * weights.Sum() / (options.TargetRatings - ((double)options.Users * below));
        for (int u = 0; u < weights.Length; u++)
        {
            weights[u] += shift;
        }
    }

    /// <summary>A sorted random subset of 1..MaxCustomerId (selection sampling, Knuth's Algorithm S): IDs with gaps.</summary>
    private static int[] SampleCustomerIds(int seed, int count)
    {
        var rng = Rng.Create(seed, RngStream.Customers, 0);
        int[] ids = new int[count];
        int chosen = 0;
        for (int id = 1; id <= GeneratorOptions.MaxCustomerId && chosen < count; id++)
        {
            int remaining = GeneratorOptions.MaxCustomerId - id + 1;
            if (rng.NextDouble() * remaining < count - chosen)
            {
                ids[chosen++] = id;
            }
        }

        return ids;
    }

    private static short AvailableDay(ref Rng rng, int? year)
    {
        DateOnly start = DayNumber.ToDate(SyntheticCalendar.Start);
        DateOnly latest = DayNumber.ToDate(SyntheticCalendar.End).AddDays(-MinAvailableDays);
        if (year is not int y)
        {
            return SyntheticCalendar.Start;
        }

        int lag = MinReleaseLagDays + rng.NextInt(MaxReleaseLagDays - MinReleaseLagDays);
        DateOnly release = new DateOnly(y, 1, 1).AddDays(rng.NextInt(365) + lag);
        DateOnly available = release < start ? start : release > latest ? latest : release;
        return DayNumber.FromDate(available);
    }
}
