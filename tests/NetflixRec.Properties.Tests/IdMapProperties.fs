/// Property 3 (first half): IdMap.FromIds is a bijection between the distinct IDs and 0..Count-1.
module NetflixRec.Properties.Tests.IdMapProperties

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open NetflixRec.Training.Data.Transforms
open NetflixRec.Properties.Tests.Generators

/// IDs with repeats: drawn from a small pool (so repeats are common) of CustomerIDs, MovieIDs and any int at all.
let genIds: Gen<int array> =
    Gen.sized (fun size ->
        gen {
            let! poolSize = Gen.choose (1, max 1 (min 50 size))
            let! pool =
                Gen.listOfLength
                    poolSize
                    (Gen.frequency
                        [ 4, genCustomerId
                          2, genMovieId
                          1, ArbMap.defaults |> ArbMap.generate<int>
                          1, Gen.elements [ Int32.MinValue; -1; 0; Int32.MaxValue ] ])
            let! n = Gen.choose (0, min 200 (size * 2))
            return! Gen.arrayOfLength n (Gen.elements pool)
        })

[<Property(MaxTest = 300)>]
let ``FromIds maps the distinct IDs one to one onto 0..Count-1 in ascending order`` () =
    Prop.forAll (Arb.fromGen (Gen.zip genIds (Gen.listOf (ArbMap.defaults |> ArbMap.generate<int>)))) (fun (ids, probes) ->
        let map = IdMap.FromIds(ReadOnlySpan ids)
        let mapped = map.Ids.ToArray()
        let distinct = Set.ofArray ids

        Assert.Equal(distinct.Count, map.Count)
        Assert.True(mapped |> Array.pairwise |> Array.forall (fun (a, b) -> a < b), $"Ids are not strictly ascending: %A{mapped}")
        Assert.Equal<int array>(Set.toArray distinct, mapped)

        for i in 0 .. map.Count - 1 do
            Assert.Equal(i, map.IndexOf(map.IdOf i))

        for id in ids do
            let index = map.IndexOf id
            Assert.InRange(index, 0, map.Count - 1)
            Assert.Equal(id, map.IdOf index)

        // Absent IDs: random ones, the neighbours of present ones, and the extremes.
        let candidates =
            probes
            @ [ for id in distinct do
                    if id > Int32.MinValue then id - 1
                    if id < Int32.MaxValue then id + 1 ]
            @ [ Int32.MinValue; -1; 0; Int32.MaxValue ]
        for absent in candidates |> List.filter (fun id -> not (distinct.Contains id)) do
            Assert.Equal(-1, map.IndexOf absent))
