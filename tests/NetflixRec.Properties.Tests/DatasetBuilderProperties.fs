/// Property 3 (second half) and the probe split: DatasetBuilder over a directory that NetflixWriter wrote.
module NetflixRec.Properties.Tests.DatasetBuilderProperties

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open NetflixRec.Training.Data.Netflix
open NetflixRec.Training.Data.Transforms
open NetflixRec.Properties.Tests.Generators
open NetflixRec.Properties.Tests.RoundTripProperties

let build (dir: string) : NetflixDataset =
    DatasetBuilder.FromSource(NetflixReader.ReadDirectory(dir, 2), 2)

/// A dataset row back in Netflix IDs: (CustomerID, MovieID, stars, day).
let toNetflixIds (dataset: NetflixDataset) (table: RatingTable) : (int * int * byte * int16) array =
    ofRatingTable table
    |> Array.map (fun r -> dataset.Users.IdOf r.User, dataset.Movies.IdOf(int r.Movie), r.Stars, r.Day)

let allRatings (files: PrizeFiles) : (int * int * byte * int16) list =
    [ for b in files.Blocks do
          for r in b.Ratings -> r.Customer, b.MovieId, r.Stars, r.Day ]

[<Property(MaxTest = 60)>]
let ``The built ID maps hold exactly the customers and movies of the training files`` () =
    Prop.forAll (Arb.fromGen genPrizeFiles) (fun files ->
        TempDir.using (fun dir ->
            writePrizeFiles dir { files with Probe = []; Qualifying = []; Oracle = None } |> ignore
            let dataset = build dir
            let customers = files.Blocks |> List.collect (fun b -> b.Ratings |> List.map _.Customer) |> List.distinct |> List.sort
            let movies = files.Blocks |> List.map _.MovieId |> List.sort
            Assert.Equal<int list>(customers, List.ofArray (dataset.Users.Ids.ToArray()))
            Assert.Equal<int list>(movies, List.ofArray (dataset.Movies.Ids.ToArray()))
            for i in 0 .. dataset.Users.Count - 1 do
                Assert.Equal(i, dataset.Users.IndexOf(dataset.Users.IdOf i))))

[<Property(MaxTest = 60)>]
let ``The probe split moves exactly the probe pairs out of train and loses no rating`` () =
    Prop.forAll (Arb.fromGen genPrizeFiles) (fun files ->
        TempDir.using (fun dir ->
            writePrizeFiles dir files |> ignore
            let dataset = build dir
            let ratings = allRatings files
            let train = toNetflixIds dataset dataset.Train
            let probe = toNetflixIds dataset dataset.Probe

            Assert.Equal(int64 ratings.Length, int64 dataset.Train.Count + int64 dataset.Probe.Count)
            Assert.Equal(int64 ratings.Length, dataset.RatingCount)

            // Each probe row is a rating of the training files, and the probe rows are exactly the probe pairs.
            let ratingSet = Set.ofList ratings
            for row in probe do
                Assert.True(ratingSet.Contains row, $"probe row %A{row} is not a rating of the training files")
            let probePairs = set [ for m, cs in files.Probe do for c in cs -> c, m ]
            Assert.Equal<Set<int * int>>(probePairs, probe |> Array.map (fun (c, m, _, _) -> c, m) |> Set.ofArray)
            Assert.Equal(probePairs.Count, probe.Length)

            // Train and probe together are the training files' ratings, as a multiset.
            Assert.Equal<(int * int * byte * int16) list>(List.sort ratings, Array.append train probe |> Array.sort |> List.ofArray)
            for c, m, _, _ in train do
                Assert.False(probePairs.Contains(c, m), $"probe pair ({c}, {m}) stayed in train")

            // The oracle, when present, is aligned with the probe rows.
            match files.Oracle with
            | Some oracle ->
                let expected = Map.ofList [ for m, rows in oracle do for c, v in rows -> (c, m), v ]
                let values = dataset.ProbeOracle.ToArray()
                Assert.Equal(probe.Length, values.Length)
                probe
                |> Array.iteri (fun i (c, m, _, _) ->
                    Assert.Equal(BitConverter.SingleToInt32Bits expected[(c, m)], BitConverter.SingleToInt32Bits values[i]))
            | None -> Assert.True(dataset.ProbeOracle.IsEmpty)

            // The qualifying pairs, in file order, back in Netflix IDs.
            let qualifying =
                [ for m, rows in files.Qualifying do
                      for c, d in rows -> c, m, d ]
            let users = dataset.Qualifying.Users.ToArray()
            let qMovies = dataset.Qualifying.Movies.ToArray()
            let days = dataset.Qualifying.Days.ToArray()
            let rebuilt =
                List.init dataset.Qualifying.Count (fun i -> dataset.Users.IdOf users[i], dataset.Movies.IdOf(int qMovies[i]), days[i])
            Assert.Equal<(int * int * int16) list>(qualifying, rebuilt)

            Assert.Equal<Title list>(files.Titles, dataset.Titles |> Seq.map ofMovieTitle |> List.ofSeq)))
