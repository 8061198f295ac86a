/// Property 4: a dataset written to the Arrow store loads back column for column, under the same fingerprint.
module NetflixRec.Properties.Tests.StoreProperties

open System
open System.IO
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open NetflixRec.Training.Data.Store
open NetflixRec.Training.Data.Transforms
open NetflixRec.Properties.Tests.Generators

/// A dataset as plain values (dense indices), with the store layout to write it in.
type StoredDataset =
    { Users: int list
      Movies: int list
      Titles: Title list
      Train: Row array
      Probe: Row array
      /// One value per probe row, or no oracle.
      Oracle: float32 array option
      Qualifying: (int * int16 * int16) array
      RowsPerBatch: int
      BatchesPerFile: int
      CompressionLevel: int
      Parallelism: int }

let genRows (users: int) (movies: int) (n: int) : Gen<Row array> =
    if users = 0 || movies = 0 then
        Gen.constant [||]
    else
        Gen.arrayOfLength
            n
            (gen {
                let! u = Gen.choose (0, users - 1)
                let! m = Gen.choose (0, movies - 1)
                let! s = genStars
                let! d = genDay
                return { User = u; Movie = int16 m; Stars = s; Day = d }
            })

let genStoredDataset: Gen<StoredDataset> =
    Gen.sized (fun size ->
        gen {
            let cap = max 1 (min 150 (size * 2))
            let! userCount = Gen.choose (0, min 30 cap)
            let! users = distinctOf userCount genCustomerId |> Gen.map List.sort
            let! movieCount = Gen.choose (0, min 10 cap)
            let! movies = distinctOf movieCount genMovieId |> Gen.map List.sort
            let! titles = genTitles movies
            let! train = Gen.choose (0, cap) |> Gen.bind (genRows users.Length movies.Length)
            let! probe = Gen.choose (0, cap / 4) |> Gen.bind (genRows users.Length movies.Length)
            let! oracle = Gen.optionOf (Gen.arrayOfLength probe.Length genOracleValue)
            let! queries =
                if users.IsEmpty || movies.IsEmpty then
                    Gen.constant [||]
                else
                    Gen.choose (0, cap / 4)
                    |> Gen.bind (fun n ->
                        Gen.arrayOfLength n (Gen.zip3 (Gen.choose (0, users.Length - 1)) (Gen.choose (0, movies.Length - 1) |> Gen.map int16) genDay))
            let! rowsPerBatch = Gen.choose (1, 40)
            let! batchesPerFile = Gen.choose (1, 3)
            let! level = Gen.choose (1, 5)
            let! parallelism = Gen.choose (1, 2)
            return
                { Users = users
                  Movies = movies
                  Titles = titles
                  Train = train
                  Probe = probe
                  Oracle = oracle
                  Qualifying = queries
                  RowsPerBatch = rowsPerBatch
                  BatchesPerFile = batchesPerFile
                  CompressionLevel = level
                  Parallelism = parallelism }
        })

let toDataset (d: StoredDataset) : NetflixDataset =
    NetflixDataset(
        IdMap(ReadOnlyMemory(Array.ofList d.Users)),
        IdMap(ReadOnlyMemory(Array.ofList d.Movies)),
        (d.Titles |> List.map toMovieTitle |> ResizeArray).AsReadOnly(),
        toRatingTable d.Train,
        toRatingTable d.Probe,
        ReadOnlyMemory(Option.defaultValue [||] d.Oracle),
        QueryTable(
            ReadOnlyMemory(d.Qualifying |> Array.map (fun (u, _, _) -> u)),
            ReadOnlyMemory(d.Qualifying |> Array.map (fun (_, m, _) -> m)),
            ReadOnlyMemory(d.Qualifying |> Array.map (fun (_, _, day) -> day))))

let bits (values: ReadOnlyMemory<float32>) : int array = values.ToArray() |> Array.map BitConverter.SingleToInt32Bits

let assertSameDataset (expected: NetflixDataset) (actual: NetflixDataset) =
    Assert.Equal<int array>(expected.Users.Ids.ToArray(), actual.Users.Ids.ToArray())
    Assert.Equal<int array>(expected.Movies.Ids.ToArray(), actual.Movies.Ids.ToArray())
    Assert.Equal<Title list>(expected.Titles |> Seq.map ofMovieTitle |> List.ofSeq, actual.Titles |> Seq.map ofMovieTitle |> List.ofSeq)
    for name, e, a in [ "train", expected.Train, actual.Train; "probe", expected.Probe, actual.Probe ] do
        Assert.True(e.Users.ToArray() = a.Users.ToArray(), $"{name} users differ")
        Assert.True(e.Movies.ToArray() = a.Movies.ToArray(), $"{name} movies differ")
        Assert.True(e.Ratings.ToArray() = a.Ratings.ToArray(), $"{name} ratings differ")
        Assert.True(e.Days.ToArray() = a.Days.ToArray(), $"{name} days differ")
    Assert.Equal<int array>(bits expected.ProbeOracle, bits actual.ProbeOracle)
    Assert.Equal(expected.HasOracle, actual.HasOracle)
    Assert.Equal<int array>(expected.Qualifying.Users.ToArray(), actual.Qualifying.Users.ToArray())
    Assert.Equal<int16 array>(expected.Qualifying.Movies.ToArray(), actual.Qualifying.Movies.ToArray())
    Assert.Equal<int16 array>(expected.Qualifying.Days.ToArray(), actual.Qualifying.Days.ToArray())

[<Property(MaxTest = 50)>]
let ``Writing then loading an Arrow dataset is lossless and keeps the fingerprint`` () =
    Prop.forAll (Arb.fromGen genStoredDataset) (fun stored ->
        TempDir.using (fun root ->
            let dataset = toDataset stored
            let dir = Path.Combine(root, "dataset")
            let options =
                StoreOptions(
                    RowsPerBatch = stored.RowsPerBatch,
                    BatchesPerFile = stored.BatchesPerFile,
                    CompressionLevel = stored.CompressionLevel,
                    Parallelism = stored.Parallelism)
            let written = DatasetWriter.Write(dataset, dir, options, "fscheck")

            let opened = LocalDataset.Open dir
            let loaded = opened.Load()
            assertSameDataset dataset loaded

            let fingerprint = DatasetFingerprint.Of dataset
            Assert.Equal(fingerprint, written.Fingerprint)
            Assert.Equal(fingerprint, opened.Manifest.Fingerprint)
            Assert.Equal(fingerprint, DatasetFingerprint.Of loaded)

            let manifest = opened.Manifest
            Assert.Equal(written.ToJson(), manifest.ToJson())
            Assert.Equal(int64 stored.Train.Length + int64 stored.Probe.Length, manifest.Ratings)
            Assert.Equal(stored.Users.Length, manifest.Users)
            Assert.Equal(stored.Movies.Length, manifest.Movies)
            Assert.Equal(stored.Titles.Length, manifest.Titles)
            Assert.Equal(int64 stored.Train.Length, manifest.Train)
            Assert.Equal(int64 stored.Probe.Length, manifest.Probe)
            Assert.Equal(int64 stored.Qualifying.Length, manifest.Qualifying)
            Assert.Equal(dataset.HasOracle, manifest.HasOracle)
            for partition in manifest.Partitions do
                Assert.Equal(partition.Rows, partition.Files |> Seq.sumBy _.Rows)
                for file in partition.Files do
                    let batches = int ((file.Rows + int64 stored.RowsPerBatch - 1L) / int64 stored.RowsPerBatch)
                    Assert.Equal(batches, file.Batches)
                    Assert.True(file.Rows <= int64 (stored.RowsPerBatch * stored.BatchesPerFile), $"{file.Path} holds {file.Rows} rows")))
