/// Scratch directories under the system temp folder, always deleted afterwards.
module NetflixRec.Properties.Tests.TempDir

open System
open System.IO

/// Runs <paramref name="body"/> with a fresh, empty directory and deletes it afterwards, whatever happens.
let using (body: string -> 'T) : 'T =
    let dir = Path.Combine(Path.GetTempPath(), "netflixrec-props-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory dir |> ignore
    try
        body dir
    finally
        try
            Directory.Delete(dir, true)
        with
        | :? IOException
        | :? UnauthorizedAccessException -> () // left for the OS temp cleaner
