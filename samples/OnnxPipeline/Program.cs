// Serves a fine-tuned RoBERTa sentiment classifier with nothing but ML.NET's own components at scoring time:
// TokenizeForRoberta → ApplyOnnxModel over the exported graph → the binary score columns, evaluated by ML.NET, saved with
// mlContext.Model.Save (the ONNX bytes and the vocabulary travel inside ML.NET's zip) and loaded with mlContext.Model.Load.
//   dotnet run --project samples/OnnxPipeline -- save CLASSIFIER_DIR TEST.tsv MODEL.zip
//   dotnet run --project samples/OnnxPipeline -- load MODEL.zip TEST.tsv
// CLASSIFIER_DIR: a binary classifier saved by RobertaClassifierTransformer.Save (or SaveWithRoberta's part). TEST.tsv: a
// UER TSV file (label<TAB>text_a), labels 0/1.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Scoring;
using Microsoft.ML.RobertaZh.Transforms;

if (args.Length < 3 || args[0] is not ("save" or "load") || (args[0] == "save" && args.Length < 4))
{
    Console.Error.WriteLine("usage: OnnxPipeline save CLASSIFIER_DIR TEST.tsv MODEL.zip | OnnxPipeline load MODEL.zip TEST.tsv");
    return 2;
}

var mlContext = new MLContext(seed: 1);
if (args[0] == "load")
{
    // A fresh process: ML.NET finds ApplyOnnxModel and the saved tokenizer and score mappings by themselves.
    var loaded = mlContext.Model.Load(args[1], out _);
    Report(mlContext, loaded, mlContext.Data.LoadTaskDataset(args[2]));
    return 0;
}

using var classifier = RobertaClassifierTransformer.Load(mlContext, args[1]);
if (!classifier.IsBinary) throw new InvalidOperationException($"{args[1]} holds a multiclass classifier; this sample scores binary ones.");
string onnxDirectory = Directory.CreateTempSubdirectory("onnx-pipeline-").FullName;
var export = classifier.ExportOnnx(Path.Combine(onnxDirectory, "classifier.onnx"));
int maxLength = Math.Min(128, export.MaxSequenceLength);

var pipeline = mlContext.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Boolean)
    // Ids of each row's own length: the graph's sequence axis is dynamic, so no shape dictionary and no work on padding.
    .Append(mlContext.Transforms.Text.TokenizeForRoberta(classifier.Tokenizer, "Sentence1", maxLength: maxLength, fixedLength: false))
    .Append(mlContext.Transforms.ApplyOnnxModel(["logits"], ["input_ids", "attention_mask", "token_type_ids"], export.ModelPath))
    // logits → Score (margin), Probability, PredictedLabel: what ML.NET's binary evaluator reads.
    .Append(mlContext.Transforms.CustomMapping(new BinaryClassifierScores().GetMapping(), BinaryClassifierScores.Contract));
var test = mlContext.Data.LoadTaskDataset(args[2]);
var model = pipeline.Fit(test);
Report(mlContext, model, test);

mlContext.Model.Save(model, test.Schema, args[3]);
Directory.Delete(onnxDirectory, recursive: true); // the zip holds the graph and the vocabulary
Console.WriteLine($"saved to {args[3]}");
return 0;

static void Report(MLContext mlContext, ITransformer model, IDataView test)
{
    var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"accuracy={metrics.Accuracy:R} auc={metrics.AreaUnderRocCurve:R} f1={metrics.F1Score:R} log-loss={metrics.LogLoss:R}");
    var engine = mlContext.Model.CreatePredictionEngine<Review, Sentiment>(model);
    var p = engine.Predict(new Review { Sentence1 = "房间很干净，服务也很好。" });
    Console.WriteLine($"prediction={p.PredictedLabel} probability={p.Probability:R}");
}

/// <summary>The input row: the review text (and its label, unused when predicting).</summary>
internal sealed class Review
{
    public string Sentence1 { get; set; } = "";

    public string Label { get; set; } = "0";
}

/// <summary>What the pipeline predicts for a review.</summary>
internal sealed class Sentiment
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }
}
