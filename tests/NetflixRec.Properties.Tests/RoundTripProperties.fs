/// Property 1: what NetflixWriter writes, NetflixReader reads back exactly (both training layouts and every side file).
module NetflixRec.Properties.Tests.RoundTripProperties

open System
open System.IO
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open NetflixRec.Training.Data.Netflix
open NetflixRec.Properties.Tests.Generators

/// How the training ratings are laid out on disk.
type Layout =
    /// training_set/mv_NNNNNNN.txt, one file per movie.
    | MovieFiles
    /// combined_data_1.txt … combined_data_N.txt: the blocks in order, cut into N files.
    | Combined of files: int

/// Everything a Prize directory holds, as plain values.
type PrizeFiles =
    { Layout: Layout
      Blocks: Block list
      Titles: Title list
      Probe: (int * int list) list
      Qualifying: (int * (int * int16) list) list
      /// probe_oracle.txt: one value per probe pair, or no file.
      Oracle: (int * (int * float32) list) list option }

let genPrizeFiles: Gen<PrizeFiles> =
    gen {
        let! blocks = genBlocks
        let! layout = Gen.oneof [ Gen.constant MovieFiles; Gen.choose (1, min 4 blocks.Length) |> Gen.map Combined ]
        let movies = blocks |> List.map _.MovieId
        let! titles = genTitles movies
        let! probe = genProbe blocks
        let customers = blocks |> List.collect (fun b -> b.Ratings |> List.map _.Customer) |> List.distinct
        let! qualifying = genQualifying movies customers
        let! withOracle = Gen.elements [ true; false ]
        let! oracle =
            probe
            |> Seq.map (fun (m, cs) ->
                gen {
                    let! values = Gen.listOfLength cs.Length genOracleValue
                    return m, List.zip cs values
                })
            |> Gen.sequenceToList
        return
            { Layout = layout
              Blocks = blocks
              Titles = titles
              Probe = probe
              Qualifying = qualifying
              Oracle = if withOracle then Some oracle else None }
    }

/// Splits a list into <paramref name="parts"/> consecutive, non-empty chunks (fewer when the list is shorter).
let chunk (parts: int) (items: 'T list) : 'T list list =
    let size = max 1 ((List.length items + parts - 1) / parts)
    List.chunkBySize size items

/// Writes the files with NetflixWriter; returns the training files written, in the order ReadDirectory sorts them,
/// each with the blocks it holds.
let writePrizeFiles (dir: string) (files: PrizeFiles) : (string * Block list) list =
    let training =
        match files.Layout with
        | MovieFiles ->
            let trainingSet = Path.Combine(dir, "training_set")
            Directory.CreateDirectory trainingSet |> ignore
            [ for block in files.Blocks ->
                  NetflixWriter.WriteMovieFile(trainingSet, toMovieRatings block) |> ignore
                  Path.Combine(trainingSet, NetflixWriter.MovieFileName block.MovieId), [ block ] ]
        | Combined parts ->
            [ for i, blocks in List.indexed (chunk parts files.Blocks) ->
                  let path = Path.Combine(dir, $"combined_data_{i + 1}.txt")
                  NetflixWriter.WriteCombined(path, blocks |> List.map toMovieRatings) |> ignore
                  path, blocks ]

    NetflixWriter.WriteTitles(Path.Combine(dir, "movie_titles.txt"), files.Titles |> List.map toMovieTitle) |> ignore

    let probe =
        [ for m, cs in files.Probe -> MovieQueries(m, ReadOnlyMemory(Array.ofList cs), ReadOnlyMemory<int16>.Empty) ]
    NetflixWriter.WriteProbe(Path.Combine(dir, "probe.txt"), probe) |> ignore

    let qualifying =
        [ for m, rows in files.Qualifying ->
              MovieQueries(m, ReadOnlyMemory(rows |> List.map fst |> Array.ofList), ReadOnlyMemory(rows |> List.map snd |> Array.ofList)) ]
    NetflixWriter.WriteQualifying(Path.Combine(dir, "qualifying.txt"), qualifying) |> ignore

    match files.Oracle with
    | Some oracle ->
        let blocks =
            [ for m, rows in oracle ->
                  MovieOracle(m, ReadOnlyMemory(rows |> List.map fst |> Array.ofList), ReadOnlyMemory(rows |> List.map snd |> Array.ofList)) ]
        NetflixWriter.WriteOracle(Path.Combine(dir, NetflixLayout.OracleFileName), blocks) |> ignore
    | None -> ()

    training |> List.sortBy fst

let ofQueries (blocks: MovieQueries seq) : (int * int list) list =
    [ for b in blocks -> b.MovieId, List.ofArray (b.Customers.ToArray()) ]

let ofQualifying (blocks: MovieQueries seq) : (int * (int * int16) list) list =
    [ for b in blocks -> b.MovieId, List.zip (List.ofArray (b.Customers.ToArray())) (List.ofArray (b.Days.ToArray())) ]

/// Floats compared bit for bit (so -0 and 0 differ, as the round trip must keep them).
let ofOracle (blocks: MovieOracle seq) : (int * (int * int) list) list =
    [ for b in blocks ->
          b.MovieId,
          List.zip (List.ofArray (b.Customers.ToArray())) (b.Expected.ToArray() |> Array.map BitConverter.SingleToInt32Bits |> List.ofArray) ]

[<Property(MaxTest = 60)>]
let ``Writing then reading a Prize directory is lossless`` () =
    Prop.forAll (Arb.fromGen genPrizeFiles) (fun files ->
        TempDir.using (fun dir ->
            let training = writePrizeFiles dir files

            // Each training file on its own, in file order.
            for path, blocks in training do
                Assert.Equal<Block list>(blocks, NetflixReader.ReadTrainingFile path |> Seq.map ofMovieRatings |> List.ofSeq)

            // The whole directory: blocks ordered by MovieID, side files in file order.
            let source = NetflixReader.ReadDirectory(dir, 2)
            Assert.Equal((files.Layout <> MovieFiles), source.Layout.IsCombined)
            Assert.Equal<string list>(training |> List.map fst, List.ofSeq source.Layout.TrainingFiles)
            Assert.Equal<Block list>(files.Blocks |> List.sortBy _.MovieId, source.Movies |> Seq.map ofMovieRatings |> List.ofSeq)
            Assert.Equal<Title list>(files.Titles, source.Titles |> Seq.map ofMovieTitle |> List.ofSeq)
            Assert.Equal<(int * int list) list>(files.Probe, ofQueries source.Probe)
            Assert.True(source.Probe |> Seq.forall (fun b -> b.Days.IsEmpty), "probe blocks carry no days")
            Assert.Equal<(int * (int * int16) list) list>(files.Qualifying, ofQualifying source.Qualifying)

            let expectedOracle =
                files.Oracle
                |> Option.defaultValue []
                |> List.map (fun (m, rows) -> m, rows |> List.map (fun (c, v) -> c, BitConverter.SingleToInt32Bits v))
            Assert.Equal<(int * (int * int) list) list>(expectedOracle, ofOracle source.Oracle)

            let ratings = files.Blocks |> List.sumBy (fun b -> int64 b.Ratings.Length)
            Assert.Equal(ratings, source.RatingCount)
            Assert.Equal(files.Probe |> List.sumBy (fun (_, cs) -> int64 cs.Length), source.ProbeCount)))
