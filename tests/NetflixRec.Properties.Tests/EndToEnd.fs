/// The whole pipeline through the public API only, as an F# user calls it: generate the tiny Prize, ingest it, train
/// a matrix factorization model and an autoencoder (which reads the user's ratings at inference), evaluate both on the
/// probe, export each to ONNX and score it with ONNX Runtime.
module NetflixRec.Properties.Tests.EndToEnd

open System
open System.IO
open Xunit
open NetflixRec.Contracts
open NetflixRec.Training.Data.Netflix
open NetflixRec.Training.Data.Store
open NetflixRec.Training.Data.Synthetic
open NetflixRec.Training.Data.Transforms
open NetflixRec.Training.Evaluation
open NetflixRec.Training.Export
open NetflixRec.Training.Models
open NetflixRec.Training.Models.Autoencoders
open NetflixRec.Training.Models.MatrixFactorization

/// Trains with one of the typed trainers, saves the model directory and returns it with the model.
let private trainAndSave (dir: string) (data: TrainingData) (datasetDir: string) (name: string) (train: TrainingData -> TrainedModel) =
    let trained = train data
    let dims = trained.Model.Tensors |> Seq.map (fun t -> t.Name, t.ElementCount) |> readOnlyDict
    let modelDir = Path.Combine(dir, "models", name)
    ModelStore.Save(modelDir, trained.Model, ModelStore.ManifestFor(trained, data, 0.0, dims, datasetDir))
    modelDir, trained.Model

[<Fact>]
[<Trait("Category", "Slow")>]
let ``Pipeline_TinyPrize_TwoFamiliesTrainEvaluateExportAndScoreInOnnxRuntime`` () =
    TempDir.using (fun dir ->
        // generate → ingest
        let netflix = Path.Combine(dir, "netflix")
        SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, 7), netflix) |> ignore
        let datasetDir = Path.Combine(dir, "dataset")
        let ingested = DatasetBuilder.FromSource(NetflixReader.ReadDirectory(netflix, 1), 1)
        let manifest = DatasetWriter.Write(ingested, datasetDir, StoreOptions.Default, "tiny, seed 7")
        let dataset = LocalDataset.Open datasetDir
        Assert.Equal(manifest.Fingerprint, dataset.Manifest.Fingerprint)

        // train two families from their typed configs: records in, records out
        let data = TrainingData.Load(dataset, 0.02, 1)
        let progress = Progress<EpochRecord>()
        let mfConfig = ModelConfig.DefaultsOf<BiasedMfConfig> BiasedMfSgd.Name
        let aeConfig = ModelConfig.DefaultsOf<AutoRecConfig> AutoRec.UserName
        let models =
            [ trainAndSave dir data datasetDir BiasedMfSgd.Name (fun d -> BiasedMfSgd.Train(d, mfConfig, progress))
              trainAndSave dir data datasetDir AutoRec.UserName (fun d -> AutoRec.TrainUser(d, aeConfig, progress)) ]

        // evaluate on the probe
        let evaluation =
            EvaluationData.Prepare(
                dataset.LoadRatings DatasetPartition.Train,
                dataset.LoadRatings DatasetPartition.Probe,
                dataset.LoadProbeOracle(),
                manifest.Users,
                manifest.Movies)
        for (_, model) in models do
            let result = Evaluator.Evaluate(model, evaluation, EvaluationOptions.Default)
            Assert.InRange(result.Rmse, 0.5, 1.5)
            Assert.InRange(result.AtPrimaryCutoff.Recall, 0.0, 1.0)

        // export → ONNX Runtime scores what the model scores in process
        let users = [| 0 .. 7 |]
        for (modelDir, model) in models do
            let export = ModelExport.Run(modelDir, datasetDir, fun _ -> ())
            let signature =
                match export.Manifest.Onnx with
                | null -> failwith $"{modelDir}: no ONNX signature"
                | s -> s
            // A model that reads the user's ratings at inference takes them as its input.
            let history: RatingIndex | null =
                match model with
                | :? IReadsUserHistory as reader -> reader.History
                | _ -> null
            use scorer = OnnxScorer.Open(Path.Combine(modelDir, signature.File), signature.UserInput, model.Movies, history, threads = 1)
            let onnx = scorer.Scores(ReadOnlyMemory users)
            let inProcess = model.ScoreAll(ReadOnlyMemory users)
            Assert.Equal(users.Length * model.Movies, onnx.Length)
            let largest = Array.map2 (fun (a: float32) b -> abs (a - b)) onnx inProcess |> Array.max
            Assert.True(largest < 1e-3f, $"{model.Name}: ONNX Runtime differs from the model by {largest}"))
