/// Generators of realistic Netflix Prize data, kept small so that every property runs in well under a second a case.
/// The generated values are plain F# records and lists (so FsCheck prints a readable counterexample); each property
/// turns them into the C# core's types at the edge.
module NetflixRec.Properties.Tests.Generators

open System
open FsCheck
open FsCheck.FSharp
open NetflixRec.Training.Data
open NetflixRec.Training.Data.Netflix
open NetflixRec.Training.Data.Transforms

// ---- Facts of the Prize data ------------------------------------------------------------------------------------

let MaxMovieId = 17770
let MaxCustomerId = 2649429
let FirstDay: int16 = DayNumber.FromDate(DateOnly(1999, 11, 11))
let LastDay: int16 = DayNumber.FromDate(DateOnly(2005, 12, 31))

/// One line of a training file.
type Rating = { Customer: int; Stars: byte; Day: int16 }

/// One <c>MovieID:</c> block: distinct customers, in file order.
type Block = { MovieId: int; Ratings: Rating list }

/// One line of movie_titles.txt.
type Title = { Movie: int; Year: int option; Name: string }

// ---- Conversions to and from the C# core ---------------------------------------------------------------------------

let toMovieRatings (block: Block) : MovieRatings =
    MovieRatings(
        block.MovieId,
        ReadOnlyMemory(block.Ratings |> List.map _.Customer |> Array.ofList),
        ReadOnlyMemory(block.Ratings |> List.map _.Stars |> Array.ofList),
        ReadOnlyMemory(block.Ratings |> List.map _.Day |> Array.ofList))

let ofMovieRatings (ratings: MovieRatings) : Block =
    let customers = ratings.Customers.ToArray()
    let stars = ratings.Ratings.ToArray()
    let days = ratings.Days.ToArray()
    if stars.Length <> customers.Length || days.Length <> customers.Length then
        failwithf "movie %d: %d customers, %d ratings, %d days" ratings.MovieId customers.Length stars.Length days.Length
    { MovieId = ratings.MovieId
      Ratings = List.init customers.Length (fun i -> { Customer = customers[i]; Stars = stars[i]; Day = days[i] }) }

let toMovieTitle (title: Title) : MovieTitle =
    MovieTitle(title.Movie, Option.toNullable title.Year, title.Name)

let ofMovieTitle (title: MovieTitle) : Title =
    { Movie = title.MovieId; Year = Option.ofNullable title.Year; Name = title.Title }

// ---- Field generators ----------------------------------------------------------------------------------------------

let genDay: Gen<int16> = Gen.choose (int FirstDay, int LastDay) |> Gen.map int16

/// Stars with the Prize's skew: about 5/10/29/34/23 % of 1..5.
let genStars: Gen<byte> =
    Gen.frequency [ 5, Gen.constant 1uy; 10, Gen.constant 2uy; 29, Gen.constant 3uy; 34, Gen.constant 4uy; 23, Gen.constant 5uy ]

/// A CustomerID, now and then one of the edges of the range.
let genCustomerId: Gen<int> =
    Gen.frequency [ 8, Gen.choose (1, MaxCustomerId); 1, Gen.elements [ 1; 2; 6; 7; 79; MaxCustomerId - 1; MaxCustomerId ] ]

let genMovieId: Gen<int> =
    Gen.frequency [ 8, Gen.choose (1, MaxMovieId); 1, Gen.elements [ 1; 2; 9; 10; 99; 100; MaxMovieId - 1; MaxMovieId ] ]

/// <c>n</c> distinct values drawn from <paramref name="element"/> (fewer when it cannot make that many), in random order.
let distinctOf (n: int) (element: Gen<'T>) : Gen<'T list> =
    let rec grow (acc: 'T list) (seen: Set<'T>) (tries: int) =
        gen {
            if List.length acc >= n || tries > 20 * (n + 1) then
                return List.rev acc
            else
                let! x = element
                if seen.Contains x then
                    return! grow acc seen (tries + 1)
                else
                    return! grow (x :: acc) (seen.Add x) (tries + 1)
        }
    grow [] Set.empty 0

/// Characters of real titles: mostly ASCII letters and spaces, then commas and punctuation, then the Latin-1 letters and
/// signs of foreign titles (all of U+00A0–U+00FF).
let private genTitleChar: Gen<char> =
    Gen.frequency
        [ 12, Gen.elements (Array.concat [ [| 'a' .. 'z' |]; [| 'A' .. 'Z' |]; [| ' '; ' '; ' '; ' ' |] ])
          2, Gen.elements [| ','; ','; ':'; '\''; '"'; '!'; '?'; '&'; '-'; '.'; '('; ')'; '/'; '#'; ';'; '0'; '1'; '2'; '9' |]
          2, Gen.elements [| 'é'; 'è'; 'ê'; 'à'; 'ç'; 'ñ'; 'ü'; 'ö'; 'ß'; 'Ø'; 'å'; 'Æ'; '¿'; '¡'; '½'; '«'; '»'; '©'; 'ÿ' |]
          1, Gen.choose (0xA0, 0xFF) |> Gen.map char ]

let genTitleName: Gen<string> =
    gen {
        let! length = Gen.frequency [ 1, Gen.constant 0; 20, Gen.choose (1, 40) ]
        let! chars = Gen.arrayOfLength length genTitleChar
        return String(chars)
    }

/// Years of release as movie_titles.txt has them: 1890–2005, or NULL for a few.
let genYear: Gen<int option> =
    Gen.frequency [ 1, Gen.constant None; 6, Gen.choose (1890, 2005) |> Gen.map Some ]

let genTitle (movie: int) : Gen<Title> =
    gen {
        let! year = genYear
        let! name = genTitleName
        return { Movie = movie; Year = year; Name = name }
    }

// ---- Whole files ---------------------------------------------------------------------------------------------------

/// A pool of customers shared by the movies, so that customers rate several movies as real ones do.
let genCustomerPool: Gen<int list> =
    Gen.sized (fun size ->
        gen {
            let! n = Gen.choose (1, max 1 (min 40 (size / 2 + 1)))
            return! distinctOf n genCustomerId
        })

/// A block of one movie: a non-empty random subset of the pool (no customer twice), in random order.
let genBlock (pool: int list) (movie: int) : Gen<Block> =
    gen {
        let! subset = Gen.subListOf pool
        let! customers = Gen.shuffle (if List.isEmpty subset then [ List.head pool ] else subset) |> Gen.map List.ofArray
        let! ratings =
            customers
            |> Seq.map (fun c ->
                gen {
                    let! stars = genStars
                    let! day = genDay
                    return { Customer = c; Stars = stars; Day = day }
                })
            |> Gen.sequenceToList
        return { MovieId = movie; Ratings = ratings }
    }

/// Movie blocks with distinct MovieIDs, in random order (the order of a combined_data file).
let genBlocks: Gen<Block list> =
    Gen.sized (fun size ->
        gen {
            let! pool = genCustomerPool
            let! count = Gen.choose (1, max 1 (min 8 (size / 10 + 1)))
            let! movies = distinctOf count genMovieId
            return! movies |> Seq.map (genBlock pool) |> Gen.sequenceToList
        })

/// Titles for the given movies plus a few movies without ratings, distinct MovieIDs, in random order.
let genTitles (movies: int list) : Gen<Title list> =
    gen {
        let! extra = Gen.choose (0, 3) |> Gen.bind (fun n -> distinctOf n genMovieId)
        let all = List.distinct (movies @ extra)
        let! shuffled = Gen.shuffle all |> Gen.map List.ofArray
        return! shuffled |> Seq.map genTitle |> Gen.sequenceToList
    }

/// Probe blocks: for some movies, a subset of their training pairs (customers only), in random order.
let genProbe (blocks: Block list) : Gen<(int * int list) list> =
    gen {
        let! chosen = Gen.subListOf blocks
        let! probe =
            chosen
            |> Seq.map (fun b ->
                gen {
                    let! subset = Gen.subListOf (b.Ratings |> List.map _.Customer)
                    let! customers = Gen.shuffle subset |> Gen.map List.ofArray
                    return b.MovieId, customers
                })
            |> Gen.sequenceToList
        return probe |> List.filter (fun (_, customers) -> not (List.isEmpty customers))
    }

/// Qualifying blocks: distinct movies, customers with days (customers and movies chosen from the given ones).
let genQualifying (movies: int list) (customers: int list) : Gen<(int * (int * int16) list) list> =
    if List.isEmpty movies || List.isEmpty customers then
        Gen.constant []
    else
        gen {
            let! chosen = Gen.subListOf movies
            return!
                chosen
                |> Seq.map (fun m ->
                    gen {
                        let! n = Gen.choose (1, 5)
                        let! cs = distinctOf n (Gen.elements customers)
                        let! days = Gen.listOfLength cs.Length genDay
                        return m, List.zip cs days
                    })
                |> Gen.sequenceToList
        }

/// A finite float, mostly an expected rating in 1–5, sometimes any finite value (the writer must round-trip it).
let genOracleValue: Gen<float32> =
    Gen.frequency
        [ 6, Gen.choose (0, 4_000_000) |> Gen.map (fun k -> 1.0f + float32 k / 1_000_000.0f)
          1, ArbMap.defaults |> ArbMap.generate<float32> |> Gen.filter Single.IsFinite
          1, Gen.elements [ 0.0f; -0.0f; 1.0f; 5.0f; Single.Epsilon; Single.MaxValue; Single.MinValue; 3.6f; 1.0f / 3.0f ] ]

// ---- Rating tables (dense indices) -----------------------------------------------------------------------------------

/// A row of a rating table; in the split properties <c>Movie</c> is the row's own position, so rows stay distinguishable.
type Row = { User: int; Movie: int16; Stars: byte; Day: int16 }

let toRatingTable (rows: Row array) : RatingTable =
    RatingTable(
        ReadOnlyMemory(rows |> Array.map _.User),
        ReadOnlyMemory(rows |> Array.map _.Movie),
        ReadOnlyMemory(rows |> Array.map _.Stars),
        ReadOnlyMemory(rows |> Array.map _.Day))

let ofRatingTable (table: RatingTable) : Row array =
    let users = table.Users.ToArray()
    let movies = table.Movies.ToArray()
    let stars = table.Ratings.ToArray()
    let days = table.Days.ToArray()
    if movies.Length <> users.Length || stars.Length <> users.Length || days.Length <> users.Length then
        failwithf "ragged table: %d users, %d movies, %d ratings, %d days" users.Length movies.Length stars.Length days.Length
    Array.init users.Length (fun i -> { User = users[i]; Movie = movies[i]; Stars = stars[i]; Day = days[i] })

/// Rows tagged by position (Movie = row index), over a few users and a day range that is sometimes narrow so that
/// several ratings of one user share a day.
let genTaggedRows: Gen<Row array> =
    Gen.sized (fun size ->
        gen {
            let! n = Gen.choose (0, min 300 (size * 2))
            let! users = Gen.choose (1, 12)
            let! width = Gen.elements [ 0; 3; 30; int LastDay - int FirstDay ]
            let! start = genDay
            let genRowDay = Gen.choose (int start, min (int Int16.MaxValue) (int start + width)) |> Gen.map int16
            let! rows =
                Gen.listOfLength n (Gen.zip3 (Gen.choose (0, users - 1)) genStars genRowDay)
            return rows |> List.mapi (fun i (u, s, d) -> { User = u; Movie = int16 i; Stars = s; Day = d }) |> Array.ofList
        })
