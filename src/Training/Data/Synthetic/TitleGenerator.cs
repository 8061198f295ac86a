using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Plausible movie titles and release years. Exact shares of titles carry the format's awkward cases — commas inside
/// the title, Latin-1 letters, a <c>NULL</c> year — so that even a tiny dataset exercises every parser path.
/// </summary>
internal static class TitleGenerator
{
    public const int FirstYear = 1896;
    public const int LastYear = 2005;

    private const double NullYearShare = 0.005;
    private const double CommaShare = 0.06;
    private const double Latin1Share = 0.02;

    private static readonly string[] Adjectives =
    [
        "Silent", "Broken", "Hidden", "Last", "Golden", "Dark", "Wild", "Lost", "Secret", "Crimson", "Endless", "Frozen",
        "Little", "Big", "Distant", "Electric", "Midnight", "Burning", "Final", "American", "Perfect", "Quiet", "Savage",
        "Blue", "Second", "Forgotten", "Sweet", "Bitter", "Strange", "Lucky",
    ];

    private static readonly string[] Nouns =
    [
        "River", "Heart", "City", "Road", "Summer", "Night", "Kingdom", "Promise", "Storm", "Garden", "Stranger", "Island",
        "Shadow", "Empire", "Dream", "Game", "Journey", "Witness", "Harvest", "Frontier", "Mirror", "Season", "Letter",
        "Echo", "Horizon", "Legacy", "Station", "Ghost", "Winter", "Hunter", "Affair", "Ocean", "Code", "Family",
    ];

    private static readonly string[] Names =
    [
        "Jack", "Annie", "Max", "Lucy", "Sam", "Grace", "Henry", "Rosa", "Eddie", "Mabel", "Frank", "Ivy", "Walter", "June",
        "Dexter", "Clara", "Otis", "Vera",
    ];

    private static readonly string[] Places =
    [
        "Paris", "Texas", "Brooklyn", "Tokyo", "the Desert", "Space", "Vegas", "the Valley", "Manhattan", "Rome", "Alaska",
        "the Suburbs",
    ];

    // Latin-1 (not ASCII) but inside ISO-8859-1, as in the Prize's titles file.
    private static readonly string[] Latin1Words =
    [
        "Café", "Señor", "Über", "Noël", "Mañana", "Déjà Vu", "Garçon", "Señorita", "Fiancée", "Naïve", "Crème Brûlée",
        "Piñata", "Zürich", "Amélie", "Façade", "Rendez-vous à Paris", "Cañon", "Müller",
    ];

    private static readonly string[] Sequels = ["2", "3", "II", "III", "Part 2", "Returns", "Reloaded", "Forever"];

    private enum Kind
    {
        Plain,
        Comma,
        Latin1,
    }

    public static MovieTitle[] Create(int seed, int movies)
    {
        var rng = Rng.Create(seed, RngStream.Titles, 0);

        // A random order of movies decides which get the special cases, in exact numbers.
        int[] order = Permutation(ref rng, movies);
        int nullYears = AtLeastOne(NullYearShare, movies);
        int commas = AtLeastOne(CommaShare, movies);
        int latin1 = AtLeastOne(Latin1Share, movies);
        bool[] nullYear = new bool[movies];
        Kind[] kind = new Kind[movies];
        for (int k = 0; k < nullYears; k++)
        {
            nullYear[order[k]] = true;
        }

        for (int k = 0; k < Math.Min(commas, movies); k++)
        {
            kind[order[movies - 1 - k]] = Kind.Comma;
        }

        for (int k = 0; k < Math.Min(latin1, movies - commas); k++)
        {
            kind[order[movies - 1 - commas - k]] = Kind.Latin1;
        }

        var titles = new MovieTitle[movies];
        for (int i = 0; i < movies; i++)
        {
            int? year = nullYear[i] ? null : DrawYear(ref rng);
            titles[i] = new MovieTitle(i + 1, year, DrawTitle(ref rng, kind[i]));
        }

        return titles;
    }

    /// <summary>Release years skew recent like the Prize's catalogue: mostly the 1990s and 2000s, a thin tail to 1896.</summary>
    private static int DrawYear(ref Rng rng)
    {
        if (rng.NextDouble() < 0.08)
        {
            return FirstYear + rng.NextInt(1970 - FirstYear);
        }

        double age = -9.0 * Math.Log(1 - rng.NextDouble());
        return Math.Max(1970, LastYear - (int)age);
    }

    private static string DrawTitle(ref Rng rng, Kind kind)
    {
        string adjective = Pick(ref rng, Adjectives);
        string noun = Pick(ref rng, Nouns);
        string other = Pick(ref rng, Nouns);
        string name = Pick(ref rng, Names);
        return kind switch
        {
            Kind.Comma => rng.NextInt(4) switch
            {
                0 => $"{noun}, {adjective} Again",
                1 => $"{name}, {Pick(ref rng, Names)} and {Pick(ref rng, Names)}",
                2 => $"Goodbye, {name}",
                _ => $"{noun}, {other}, {Pick(ref rng, Nouns)}",
            },
            Kind.Latin1 => rng.NextInt(3) switch
            {
                0 => $"The {Pick(ref rng, Latin1Words)}",
                1 => $"{Pick(ref rng, Latin1Words)} {noun}",
                _ => $"{name} and the {Pick(ref rng, Latin1Words)}",
            },
            _ => rng.NextInt(8) switch
            {
                0 => $"The {adjective} {noun}",
                1 => $"{noun} of the {other}",
                2 => $"{adjective} {noun}",
                3 => $"{name}'s {noun}",
                4 => $"The {noun}",
                5 => $"{adjective} {noun} {Pick(ref rng, Sequels)}",
                6 => $"{noun}: Season {1 + rng.NextInt(7)}",
                _ => $"{noun} in {Pick(ref rng, Places)}",
            },
        };
    }

    private static string Pick(ref Rng rng, string[] words) => words[rng.NextInt(words.Length)];

    private static int AtLeastOne(double share, int count) => Math.Min(count, Math.Max(1, (int)Math.Round(share * count)));

    private static int[] Permutation(ref Rng rng, int count)
    {
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
