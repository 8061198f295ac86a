/// Property 2: every split is disjoint and complete and keeps the row order of each side.
/// The rows carry their own position in the Movie column (the splits never look at it), so each row is recognisable.
module NetflixRec.Properties.Tests.SplitProperties

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open NetflixRec.Training.Data.Transforms
open NetflixRec.Properties.Tests.Generators

/// Checks that the split is a partition of <paramref name="rows"/> that keeps row order on both sides, and returns the
/// row positions of the two sides.
let checkPartition (rows: Row array) (split: Split) : int array * int array =
    let train = ofRatingTable split.Train
    let test = ofRatingTable split.Test
    Assert.Equal(rows.Length, train.Length + test.Length)
    let trainIds = train |> Array.map (fun r -> int r.Movie)
    let testIds = test |> Array.map (fun r -> int r.Movie)
    let ascending (ids: int array) = ids |> Array.pairwise |> Array.forall (fun (a, b) -> a < b)
    Assert.True(ascending trainIds, $"train rows out of input order: %A{trainIds}")
    Assert.True(ascending testIds, $"test rows out of input order: %A{testIds}")
    // Both sides strictly ascending and the sizes add up: equal as multisets iff the merged positions are 0..n-1.
    Assert.Equal<int array>(Array.init rows.Length id, Array.sort (Array.append trainIds testIds))
    for r in Array.append train test do
        Assert.Equal(rows[int r.Movie], r)
    trainIds, testIds

let genFraction: Gen<float> =
    Gen.frequency
        [ 1, Gen.elements [ 0.0; 1.0; 0.5; Double.Epsilon; 1.0 - Double.Epsilon / 2.0 ]
          6, Gen.choose (0, 1_000_000) |> Gen.map (fun k -> float k / 1_000_000.0) ]

let genSeed: Gen<int> =
    Gen.frequency [ 6, ArbMap.defaults |> ArbMap.generate<int>; 1, Gen.elements [ 0; 1; -1; Int32.MinValue; Int32.MaxValue ] ]

[<Property(MaxTest = 200)>]
let ``RandomRatio is a deterministic, order-keeping partition`` () =
    Prop.forAll (Arb.fromGen (Gen.zip3 genTaggedRows genFraction genSeed)) (fun (rows, fraction, seed) ->
        let table = toRatingTable rows
        let split = Splits.RandomRatio(table, fraction, seed)
        let trainIds, testIds = checkPartition rows split
        let again = Splits.RandomRatio(table, fraction, seed)
        Assert.Equal<Row array>(ofRatingTable split.Train, ofRatingTable again.Train)
        Assert.Equal<Row array>(ofRatingTable split.Test, ofRatingTable again.Test)
        if fraction = 0.0 then Assert.Empty testIds
        if fraction = 1.0 then Assert.Empty trainIds)

let genCut: Gen<int16> =
    Gen.frequency
        [ 6, Gen.choose (int FirstDay - 5, int LastDay + 5) |> Gen.map int16
          1, Gen.elements [ Int16.MinValue; 0s; FirstDay; LastDay; Int16.MaxValue ] ]

[<Property(MaxTest = 200)>]
let ``Temporal puts every day before the cut in train and the rest in test`` () =
    Prop.forAll (Arb.fromGen (Gen.zip genTaggedRows genCut)) (fun (rows, cut) ->
        let split = Splits.Temporal(toRatingTable rows, cut)
        checkPartition rows split |> ignore
        Assert.All(ofRatingTable split.Train, fun r -> Assert.True(r.Day < cut, $"train day {r.Day} is not before the cut {cut}"))
        Assert.All(ofRatingTable split.Test, fun r -> Assert.True(r.Day >= cut, $"test day {r.Day} is before the cut {cut}")))

let genN: Gen<int> = Gen.frequency [ 6, Gen.choose (0, 6); 1, Gen.elements [ 0; 1; 100; Int32.MaxValue ] ]

[<Property(MaxTest = 200)>]
let ``LeaveLatestN holds out each user's latest min(n, count-1) ratings`` () =
    Prop.forAll (Arb.fromGen (Gen.zip genTaggedRows genN)) (fun (rows, n) ->
        let split = Splits.LeaveLatestN(toRatingTable rows, n)
        let trainIds, testIds = checkPartition rows split
        let side = Array.zeroCreate<bool> rows.Length // true = test
        for i in testIds do
            side[i] <- true

        for user, own in rows |> Array.indexed |> Array.groupBy (fun (_, r) -> r.User) do
            let train = own |> Array.filter (fun (i, _) -> not side[i])
            let test = own |> Array.filter (fun (i, _) -> side[i])
            Assert.True(train.Length >= 1, $"user {user} has no training rating left")
            Assert.True(test.Length = min n (own.Length - 1), $"user {user} with {own.Length} ratings has {test.Length} test ratings for n = {n}")
            // Latest by (day, row): every held-out rating is later than every kept one, ties on the day going to the later row.
            for ti, t in test do
                for ki, k in train do
                    Assert.True(
                        (t.Day, ti) > (k.Day, ki),
                        $"user {user}: held-out row {ti} (day {t.Day}) is not later than kept row {ki} (day {k.Day})")

        ignore trainIds)
