// Fine-tunes a Chinese RoBERTa sentiment classifier inside an ML.NET pipeline, evaluates it with ML.NET, predicts with a
// PredictionEngine and saves the whole pipeline.
//   dotnet run --project samples/SentimentPipeline -- MODEL_DIR TRAIN.tsv TEST.tsv [OUTPUT.zip]
// MODEL_DIR: a Hugging Face / UER-py / roberta-zh model directory with vocab.txt (for example the demo's pretrain/model,
// or `roberta-zh init-model` output). TRAIN/TEST: UER TSV files (label<TAB>text_a), labels 0/1.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: SentimentPipeline MODEL_DIR TRAIN.tsv TEST.tsv [OUTPUT.zip]");
    return 2;
}

var mlContext = new MLContext(seed: 7);
mlContext.Log += (_, e) =>
{
    if (e.Source.StartsWith("RobertaClassifier", StringComparison.Ordinal) && e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info)
        Console.WriteLine(e.RawMessage);
};

// Task files → real IDataViews with Label/Sentence1 text columns.
var train = mlContext.Data.LoadTaskDataset(args[1]);
var test = mlContext.Data.LoadTaskDataset(args[2]);

// Text labels "0"/"1" → Boolean, then the binary RoBERTa classifier from ML.NET's catalog.
var pipeline = mlContext.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Boolean)
    .Append(mlContext.BinaryClassification.Trainers.RobertaClassifier(modelPath: args[0], batchSize: 32, maxEpochs: 2));
var model = pipeline.Fit(train);

// ML.NET's own evaluator reads Score (the margin) and Probability.
var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(test));
Console.WriteLine(metrics.ToTable());

var engine = mlContext.Model.CreatePredictionEngine<Review, Sentiment>(model);
foreach (var text in new[] { "房间很干净，服务也很好。", "太失望了，再也不来了。" })
{
    var p = engine.Predict(new Review { Sentence1 = text });
    Console.WriteLine($"{(p.PredictedLabel ? "positive" : "negative")}  {p.Probability:F3}  {text}");
}

string output = args.Length > 3 ? args[3] : "sentiment-pipeline.zip";
mlContext.Model.SaveWithRoberta(model, train.Schema, output);
var reloaded = new MLContext().Model.LoadWithRoberta(output, out _);
Console.WriteLine($"saved to {output}; reloaded chain: {string.Join(" → ", reloaded.Select(t => t.GetType().Name))}");
return 0;

/// <summary>The input row: the review text (and its label, unused when predicting).</summary>
internal sealed class Review
{
    public string Sentence1 { get; set; } = "";

    public string Label { get; set; } = "";
}

/// <summary>What the pipeline predicts for a review.</summary>
internal sealed class Sentiment
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }

    public float Score { get; set; }
}
