/// Property 5: one malformed rating line in a valid training file is reported with the file and its exact line number.
module NetflixRec.Properties.Tests.MalformedLineProperties

open System
open System.IO
open System.Text
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open NetflixRec.Training.Data
open NetflixRec.Training.Data.Netflix
open NetflixRec.Properties.Tests.Generators

/// Ways a rating line goes wrong.
type Damage =
    | BadStars of stars: string
    | ImpossibleDate of date: string
    | MissingField of kept: int
    | NonDigitCustomer of at: int * junk: char
    | EmptyCustomer
    | ZeroCustomer

let genDamage: Gen<Damage> =
    Gen.oneof
        [ Gen.elements [ "0"; "6"; "9"; "10"; "-1"; "a"; "" ] |> Gen.map BadStars
          Gen.elements [ "2005-02-30"; "2005-13-01"; "2005-04-31"; "2004-00-10"; "2003-06-00"; "2005-1-01"; "2005/01/01"; "1969-12-31"; "20050101" ]
          |> Gen.map ImpossibleDate
          Gen.choose (0, 2) |> Gen.map MissingField
          Gen.zip (Gen.choose (0, 7)) (Gen.elements [ 'x'; ' '; '-'; '+'; '.'; 'é' ]) |> Gen.map NonDigitCustomer
          Gen.constant EmptyCustomer
          Gen.constant ZeroCustomer ]

/// The damaged form of a valid <c>CustomerID,Rating,YYYY-MM-DD</c> line.
let damage (line: string) (how: Damage) : string =
    match line.Split ',' with
    | [| customer; stars; date |] ->
        match how with
        | BadStars s -> $"{customer},{s},{date}"
        | ImpossibleDate d -> $"{customer},{stars},{d}"
        | MissingField 0 -> $"{customer},{stars}"
        | MissingField 1 -> $"{customer},{date}"
        | MissingField _ -> $"{customer},{stars},"
        | NonDigitCustomer(at, junk) -> $"{customer.Insert(min at customer.Length, string junk)},{stars},{date}"
        | EmptyCustomer -> $",{stars},{date}"
        | ZeroCustomer -> $"0,{stars},{date}"
    | _ -> failwithf "not a rating line: %s" line

type Case =
    { Blocks: Block list
      /// Write as training_set/mv_*.txt (one block) rather than combined_data_1.txt.
      MovieFile: bool
      /// Which rating line (0-based among the rating lines) to damage.
      Target: int
      Damage: Damage }

let genCase: Gen<Case> =
    gen {
        let! blocks = genBlocks
        let! movieFile = Gen.elements [ true; false ]
        let blocks = if movieFile then [ List.head blocks ] else blocks
        let ratingLines = blocks |> List.sumBy _.Ratings.Length
        let! target = Gen.choose (0, ratingLines - 1)
        let! how = genDamage
        return { Blocks = blocks; MovieFile = movieFile; Target = target; Damage = how }
    }

[<Property(MaxTest = 200)>]
let ``A malformed rating line is reported at its exact line`` () =
    Prop.forAll (Arb.fromGen genCase) (fun case ->
        TempDir.using (fun dir ->
            let path =
                if case.MovieFile then
                    NetflixWriter.WriteMovieFile(dir, toMovieRatings (List.head case.Blocks)) |> ignore
                    Path.Combine(dir, NetflixWriter.MovieFileName (List.head case.Blocks).MovieId)
                else
                    let path = Path.Combine(dir, "combined_data_1.txt")
                    NetflixWriter.WriteCombined(path, case.Blocks |> List.map toMovieRatings) |> ignore
                    path

            // The written file is valid and reads back as written.
            Assert.Equal<Block list>(case.Blocks, NetflixReader.ReadTrainingFile path |> Seq.map ofMovieRatings |> List.ofSeq)

            let lines = File.ReadAllText(path, Encoding.Latin1).TrimEnd('\n').Split('\n')
            let ratingLines = [ for i, line in Array.indexed lines do if not (line.EndsWith ':') then i ]
            let index = ratingLines[case.Target]
            let k = int64 (index + 1)
            Assert.True(k >= 2L)
            lines[index] <- damage lines[index] case.Damage
            File.WriteAllText(path, String.Join("\n", lines) + "\n", Encoding.Latin1)

            let error = Assert.Throws<NetflixFormatException>(fun () -> NetflixReader.ReadTrainingFile path |> ignore)
            Assert.Equal(k, error.Line)
            Assert.Equal(path, error.Path)
            Assert.StartsWith($"{path}:{k}: ", error.Message)))

/// Day numbers and calendar dates convert both ways over the whole span of the Prize and beyond.
[<Property(MaxTest = 300)>]
let ``DayNumber converts dates both ways`` () =
    Prop.forAll (Arb.fromGen (Gen.choose (0, int Int16.MaxValue) |> Gen.map int16)) (fun day ->
        let date = DayNumber.ToDate day
        Assert.Equal(day, DayNumber.FromDate date)
        Assert.Equal(DayNumber.Epoch.AddDays(int day), date))
