/// Fuzzing the Netflix Prize parsers: valid files with hostile damage (arbitrary bytes, NULs, very long lines, invalid
/// UTF-8, Latin-1, huge IDs, CR/LF mixes, truncation, a BOM) and plain random bytes, through the public parser API and
/// through `netflixrec ingest` as a process. Whatever comes in: either it parses, or the one documented error
/// (NetflixFormatException, `FILE:LINE: problem`; exit 2) — never another exception, never output left behind.
module NetflixRec.Properties.Tests.FuzzProperties

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Text.RegularExpressions
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open NetflixRec.Training.Data.Netflix
open NetflixRec.Training.Data.Synthetic

/// The Prize files a parser reads.
type FileKind =
    | MovieFile
    | Combined
    | Titles
    | Probe
    | Qualifying

/// One kind of damage; positions are fractions of the file (0..10000) so they fit any length.
type Mutation =
    | InsertBytes of at: int * bytes: byte[]
    | InsertNul of at: int
    | LongLine of at: int * length: int * fill: char
    | InvalidUtf8 of at: int * bytes: byte[]
    | HugeId of at: int * digits: string
    | LineEndings of style: string
    | Truncate of at: int
    | DeleteRange of at: int * length: int
    | Bom
    | ReplaceAll of bytes: byte[]

/// Bytes biased toward the characters the parsers care about, so damage lands on structure, not only on noise.
let genByte: Gen<byte> =
    Gen.frequency
        [ 4, Gen.choose (0, 255) |> Gen.map byte
          3, Gen.elements "0123456789" |> Gen.map byte
          1, Gen.elements ",:\n\r-" |> Gen.map byte ]

let genBytes (max: int) : Gen<byte[]> =
    gen {
        let! length = Gen.choose (0, max)
        return! Gen.arrayOfLength length genByte
    }

let genAt = Gen.choose (0, 10000)

let genMutation: Gen<Mutation> =
    Gen.oneof
        [ Gen.map2 (fun at bytes -> InsertBytes(at, bytes)) genAt (genBytes 40)
          genAt |> Gen.map InsertNul
          Gen.map3 (fun at length fill -> LongLine(at, length, fill)) genAt (Gen.choose (1_000, 200_000)) (Gen.elements [ '9'; 'x'; ','; ' ' ])
          Gen.map2
              (fun at bytes -> InvalidUtf8(at, bytes))
              genAt
              (Gen.elements [ [| 0xC3uy; 0x28uy |]; [| 0xFFuy; 0xFEuy |]; [| 0xE9uy |]; [| 0xEDuy; 0xA0uy; 0x80uy |]; [| 0xF4uy; 0x90uy; 0x80uy; 0x80uy |]; [| 0x80uy |] ])
          Gen.map2
              (fun at digits -> HugeId(at, digits))
              genAt
              (Gen.elements [ "2147483648"; "4294967296"; "99999999999999999999999999"; "-1"; "00000000000000000000001"; "2649430"; "17771" ])
          Gen.elements [ "crlf"; "cr"; "mixed"; "none" ] |> Gen.map LineEndings
          genAt |> Gen.map Truncate
          Gen.map2 (fun at length -> DeleteRange(at, length)) genAt (Gen.choose (1, 30))
          Gen.constant Bom
          genBytes 3000 |> Gen.map ReplaceAll ]

let private position (bytes: byte[]) (at: int) = int (int64 bytes.Length * int64 at / 10000L)

let private insert (bytes: byte[]) (at: int) (extra: byte[]) =
    let i = position bytes at
    Array.concat [ bytes[.. i - 1]; extra; bytes[i..] ]

/// The bytes after one mutation.
let mutate (bytes: byte[]) (mutation: Mutation) : byte[] =
    match mutation with
    | InsertBytes(at, extra) -> insert bytes at extra
    | InsertNul at -> insert bytes at [| 0uy |]
    | LongLine(at, length, fill) -> insert bytes at (Encoding.ASCII.GetBytes("\n" + String(fill, length) + "\n"))
    | InvalidUtf8(at, extra) -> insert bytes at extra
    | HugeId(at, digits) -> insert bytes at (Encoding.ASCII.GetBytes digits)
    | LineEndings "crlf" -> Encoding.Latin1.GetBytes((Encoding.Latin1.GetString bytes).Replace("\n", "\r\n"))
    | LineEndings "cr" -> Encoding.Latin1.GetBytes((Encoding.Latin1.GetString bytes).Replace("\n", "\r"))
    | LineEndings "mixed" ->
        let text = Encoding.Latin1.GetString bytes
        let mixed = text.Split('\n') |> Array.mapi (fun i line -> if i % 3 = 1 then line + "\r" else line) |> String.concat "\n"
        Encoding.Latin1.GetBytes(mixed)
    | LineEndings _ -> Encoding.Latin1.GetBytes((Encoding.Latin1.GetString bytes).TrimEnd('\n'))
    | Truncate at -> bytes[.. position bytes at - 1]
    | DeleteRange(at, length) ->
        let i = position bytes at
        Array.append bytes[.. i - 1] bytes[min bytes.Length (i + length) ..]
    | Bom -> Array.append [| 0xEFuy; 0xBBuy; 0xBFuy |] bytes
    | ReplaceAll replacement -> replacement

/// A valid file of the given kind, small: a few movie blocks of a few lines.
let genValid (kind: FileKind) : Gen<string> =
    let line (movie: int) (customer: int) =
        match kind with
        | MovieFile
        | Combined -> $"{customer},{1 + (customer % 5)},2005-0{1 + (customer % 9)}-1{customer % 10}"
        | Probe -> $"{customer}"
        | Qualifying -> $"{customer},2005-12-0{1 + (movie % 9)}"
        | Titles -> ""

    gen {
        let! movies = Gen.choose (1, if kind = MovieFile then 1 else 4)
        let! firstMovie = Gen.choose (1, 17_000)
        let! customers = Gen.choose (1, 12)
        let! firstCustomer = Gen.choose (1, 2_600_000)

        match kind with
        | Titles ->
            return
                [ for m in firstMovie .. firstMovie + movies * 3 ->
                      $"""{m},{if m % 4 = 0 then "NULL" else string (1900 + m % 105)},Title {m}, with commas, Amélie"""
                      + "\n" ]
                |> String.concat ""
        | _ ->
            return
                [ for m in firstMovie .. firstMovie + movies - 1 do
                      yield $"{m}:\n"
                      for c in 0 .. customers - 1 -> line m (firstCustomer + 37 * c) + "\n" ]
                |> String.concat ""
    }

type Case = { Kind: FileKind; Valid: string; Mutations: Mutation list }

let genCase: Gen<Case> =
    gen {
        let! kind = Gen.elements [ MovieFile; Combined; Titles; Probe; Qualifying ]
        let! valid = genValid kind
        let! count = Gen.choose (1, 3)
        let! mutations = Gen.listOfLength count genMutation
        return { Kind = kind; Valid = valid; Mutations = mutations }
    }

/// Where the damaged file goes and which public parser reads it.
let fileOf (dir: string) (kind: FileKind) (valid: string) : string * (string -> unit) =
    match kind with
    | MovieFile ->
        // Named after its header's MovieID, as the parser checks.
        Path.Combine(dir, NetflixWriter.MovieFileName(int (valid.Split(':')[0]))), (fun p -> NetflixReader.ReadTrainingFile p |> ignore)
    | Combined -> Path.Combine(dir, "combined_data_1.txt"), (fun p -> NetflixReader.ReadTrainingFile p |> ignore)
    | Titles -> Path.Combine(dir, "movie_titles.txt"), (fun p -> NetflixReader.ReadTitles p |> ignore)
    | Probe -> Path.Combine(dir, "probe.txt"), (fun p -> NetflixReader.ReadProbe p |> ignore)
    | Qualifying -> Path.Combine(dir, "qualifying.txt"), (fun p -> NetflixReader.ReadQualifying p |> ignore)

/// How many lines the bytes can have at most, whatever a parser takes as a line end.
let lineBound (bytes: byte[]) =
    1L + int64 (bytes |> Array.sumBy (fun b -> if b = 10uy || b = 13uy then 1 else 0))

let documentedError (path: string) (bytes: byte[]) (e: NetflixFormatException) =
    Assert.Equal(path, e.Path)
    Assert.InRange(e.Line, 1L, lineBound bytes)
    Assert.StartsWith($"{path}:{e.Line}: ", e.Message)

[<Property(MaxTest = 120)>]
let ``Damaged or random bytes: a parser returns or throws the documented FILE:LINE error, nothing else`` () =
    Prop.forAll (Arb.fromGen genCase) (fun case ->
        let bytes = case.Mutations |> List.fold mutate (Encoding.Latin1.GetBytes case.Valid)

        TempDir.using (fun dir ->
            let path, parse = fileOf dir case.Kind case.Valid
            File.WriteAllBytes(path, bytes)

            let outcome =
                try
                    parse path
                    "parsed"
                with :? NetflixFormatException as e ->
                    documentedError path bytes e
                    "FILE:LINE error"

            true |> Prop.collect $"{case.Kind}: {outcome}"))

[<Fact>]
let ``The fuzz's own valid files parse`` () =
    // The base files must be valid, or the property above would only ever see errors.
    for kind in [ MovieFile; Combined; Titles; Probe; Qualifying ] do
        for valid in Gen.sample 20 (genValid kind) do
            TempDir.using (fun dir ->
                let path, parse = fileOf dir kind valid
                File.WriteAllText(path, valid, Encoding.Latin1)
                parse path)

// ---- Through the command line ---------------------------------------------------------------------------------------

/// A tiny generated Prize, made once per run; each case copies it.
let private tinyPrize =
    lazy
        (let dir = Path.Combine(Path.GetTempPath(), "netflixrec-fuzz-prize-" + Guid.NewGuid().ToString("N"))
         SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, 5), dir) |> ignore
         AppDomain.CurrentDomain.ProcessExit.Add(fun _ -> try Directory.Delete(dir, true) with _ -> ())
         dir)

let private copyTree (source: string) (target: string) =
    for directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories) do
        Directory.CreateDirectory(directory.Replace(source, target)) |> ignore
    Directory.CreateDirectory target |> ignore
    for file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories) do
        File.Copy(file, file.Replace(source, target))

/// Runs `netflixrec ARGS` as its own process (the build output beside this test assembly): exit code and stderr.
let runCli (args: string list) : int * string =
    let dotnet = Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" |> Option.ofObj |> Option.defaultValue "dotnet"
    let info = ProcessStartInfo(dotnet, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false)
    info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "netflixrec.dll"))
    for a in args do
        info.ArgumentList.Add a
    use proc =
        match Process.Start info with
        | null -> failwith $"cannot start {dotnet}"
        | started -> started
    let stderr = proc.StandardError.ReadToEndAsync()
    proc.StandardOutput.ReadToEnd() |> ignore
    if not (proc.WaitForExit 120_000) then
        proc.Kill true
        failwith "netflixrec did not finish in 120 s"
    proc.ExitCode, stderr.Result

type IngestCase = { Target: int; Mutations: Mutation list }

let genIngestCase: Gen<IngestCase> =
    gen {
        let! target = Gen.choose (0, 1000)
        let! count = Gen.choose (1, 2)
        let! mutations = Gen.listOfLength count genMutation
        return { Target = target; Mutations = mutations }
    }

/// `ingest` over a generated raw directory with one file damaged: exit 0 with a complete dataset, or exit 2 with
/// `netflixrec: error: FILE:LINE: ...` naming a file of the raw directory, and no output directory (nor staging debris)
/// left. Any other exit code (1 is an internal error, others a crash) fails.
[<Property(MaxTest = 24)>]
[<Trait("Category", "Slow")>]
let ``ingest with one damaged file: exit 0 with a dataset, or exit 2 naming FILE:LINE and nothing left behind`` () =
    Prop.forAll (Arb.fromGen genIngestCase) (fun case ->
        TempDir.using (fun dir ->
            let raw = Path.Combine(dir, "raw")
            copyTree tinyPrize.Value raw
            let files =
                Directory.GetFiles(raw, "*.txt", SearchOption.AllDirectories)
                |> Array.filter (fun f -> not (f.Contains "probe_oracle"))
                |> Array.sort
            let victim = files[case.Target % files.Length]
            File.WriteAllBytes(victim, case.Mutations |> List.fold mutate (File.ReadAllBytes victim))
            let outParent = Path.Combine(dir, "out")
            Directory.CreateDirectory outParent |> ignore
            let output = Path.Combine(outParent, "dataset")

            let code, stderr = runCli [ "ingest"; "--netflix"; raw; "--out"; output ]

            match code with
            | 0 -> Assert.True(File.Exists(Path.Combine(output, "manifest.json")), stderr)
            | 2 ->
                let error = Regex.Match(stderr, "netflixrec: error: (?<file>" + Regex.Escape(raw) + "[^:\n]*):(?<line>\\d+): ")
                Assert.True(error.Success, $"{victim}: exit 2 without FILE:LINE:\n{stderr}")
                Assert.True(File.Exists error.Groups["file"].Value, stderr)
                Assert.True(Int64.Parse error.Groups["line"].Value >= 1L, stderr)
                Assert.Empty(Directory.EnumerateFileSystemEntries outParent)
            | other -> Assert.Fail($"{victim}: exit {other}\n{stderr}")

            true |> Prop.collect $"exit {code}"))
