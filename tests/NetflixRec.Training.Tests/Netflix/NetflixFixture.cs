namespace NetflixRec.Training.Tests.Netflix;

/// <summary>A small, valid Netflix Prize directory written by hand, to break one piece at a time.</summary>
internal static class NetflixFixture
{
    public const string Movie1 = "1:\n10,3,2005-09-06\n20,5,2005-05-13\n2649429,4,1999-11-11\n";
    public const string Movie2 = "2:\r\n10,1,2003-01-02\r\n40,2,2005-12-31\r\n";
    public const string Titles = "1,2003,Dinosaur Planet\n2,NULL,Isle of Man TT, 2004 Review\n3,1997,Caf\u00e9, Cr\u00e8me, and Fr\u00e4ulein\n";
    public const string Probe = "1:\n20\n2:\n40\n";
    public const string Qualifying = "1:\n40,2005-12-01\n";

    public static void Write(TempDirectory dir, string movie1 = Movie1, string movie2 = Movie2, string titles = Titles,
        string probe = Probe, string qualifying = Qualifying)
    {
        dir.Write("training_set/mv_0000001.txt", movie1);
        dir.Write("training_set/mv_0000002.txt", movie2);
        dir.Write("movie_titles.txt", titles);
        dir.Write("probe.txt", probe);
        dir.Write("qualifying.txt", qualifying);
    }
}
