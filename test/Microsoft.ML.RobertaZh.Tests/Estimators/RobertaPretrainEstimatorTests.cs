using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

public sealed class RobertaPretrainEstimatorTests : IDisposable
{
    private const string Chars = "我你他她们的是在有不这个人中国大学生时上来到说要就出会可也好天地年月日水火山木";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rzh-pretrain-" + Guid.NewGuid().ToString("N"));
    private readonly string _vocab;
    private readonly string _corpus;

    public RobertaPretrainEstimatorTests()
    {
        Directory.CreateDirectory(_root);
        _vocab = Path.Combine(_root, "vocab.txt");
        File.WriteAllLines(_vocab, ["[PAD]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "，", "。", .. Chars.Select(c => c.ToString())]);
        // 40 documents of 3–6 sentences; each sentence repeats a pattern so the model has something to learn.
        var rng = new Random(3);
        _corpus = Path.Combine(_root, "corpus.txt");
        File.WriteAllLines(_corpus, Enumerable.Range(0, 40).Select(_ => string.Concat(Enumerable.Range(0, rng.Next(3, 7)).Select(_ =>
        {
            int start = rng.Next(Chars.Length - 8);
            return string.Concat(Enumerable.Range(0, rng.Next(4, 9)).Select(i => Chars[start + i])) + "。";
        }))));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private RobertaPretrainOptions Options(string output, long steps = 8, IProgress<TrainingProgress>? progress = null) => new()
    {
        CorpusPath = _corpus, VocabularyPath = _vocab, OutputDirectory = output, Architecture = "tiny", MaxSeqLength = 32, BatchSize = 8,
        TotalSteps = steps, LearningRate = 1e-3f, WarmupSteps = 2, SaveEverySteps = 4, EvaluateEverySteps = 4, HoldOutDocuments = 5,
        Masking = new MaskingOptions { Strategy = MaskingStrategy.Token }, Seed = 11, Progress = progress,
    };

    [Fact]
    public void FitWritesModelMetricsCurveAndCheckpointsAndFillsMasks()
    {
        string output = Path.Combine(_root, "run");
        var estimator = new RobertaPretrainEstimator(new MLContext(), Options(output));
        var fitted = estimator.Fit();
        foreach (string file in new[] { "model/config.json", "model/model.safetensors", "model/vocab.txt", "metrics.jsonl", "checkpoints/latest" })
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} missing");
        var evals = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).Where(o => (string?)o["split"] == "eval").ToList();
        Assert.Equal([4L, 8L], evals.Select(e => (long)e["step"]!));
        Assert.All(evals, e => Assert.InRange((double)e["mlm_accuracy"]!, 0, 1));
        Assert.NotNull(estimator.LastEvaluation);
        Assert.True(estimator.LastEvaluation!["predictions"] > 0);

        var answers = fitted.FillMask("我[MASK]中国人", topK: 3);
        var only = Assert.Single(answers);
        Assert.Equal(3, only.Count);
        Assert.True(only[0].Score >= only[1].Score && only[1].Score >= only[2].Score);
        Assert.All(only, a => Assert.Equal($"我 {a.TokenStr} 中 国 人", a.Sequence));
        Assert.Equal(2, fitted.FillMask("[MASK]是[MASK]", 2).Count);

        var reloaded = RobertaEncoderTransformer.Load(Path.Combine(output, "model"));
        Assert.Equal(fitted.Model.Parameters, reloaded.Model.Parameters);
        var embeddings = reloaded.Embed(["我是学生", "他们在中国大学"], EmbeddingPooling.Mean);
        Assert.Equal(2, embeddings.Length);
        Assert.All(embeddings, e => Assert.Equal(128, e.Length));
        Assert.NotEqual(embeddings[0], embeddings[1]);
        Assert.Throws<ArgumentException>(() => fitted.FillMask("没有掩码"));
    }

    [Fact]
    public void AStoppedRunResumesToTheWeightsOfAStraightRun()
    {
        var straight = new RobertaPretrainEstimator(new MLContext(), Options(Path.Combine(_root, "straight"))).Fit();

        string output = Path.Combine(_root, "stopped");
        using (var cancel = new CancellationTokenSource())
        {
            var stopAtFive = new Inline(p => { if (p.Step == 5) cancel.Cancel(); });
            var stopped = new RobertaPretrainEstimator(new MLContext(), Options(output, progress: stopAtFive) with { CancellationToken = cancel.Token });
            Assert.Throws<OperationCanceledException>(() => stopped.Fit());
        }
        Assert.False(Directory.Exists(Path.Combine(output, "model"))); // not finished: no final model yet
        var resumed = new RobertaPretrainEstimator(new MLContext(), Options(output)).Fit();
        Assert.Equal(straight.Model.Parameters, resumed.Model.Parameters);
    }

    [Fact]
    public void WholeWordMaskingWithoutJiebaIsAClearError()
    {
        var options = Options(Path.Combine(_root, "wwm")) with { Masking = new MaskingOptions() };
        var e = Assert.Throws<ArgumentException>(() => new RobertaPretrainEstimator(new MLContext(), options).Fit());
        Assert.Contains("jieba", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FitsFromATextColumnAndGivesAnEncoderWhoseFeaturesFeedAnMlNetTrainer()
    {
        var ml = new MLContext(seed: 2);
        var documents = File.ReadAllLines(_corpus).Select(l => new Doc { Text = l }).ToList();
        string output = Path.Combine(_root, "from-view");
        var encoder = ml.Transforms.Text.PretrainRoberta(Options(output) with { CorpusPath = null, Seed = null, Pooling = EmbeddingPooling.Mean })
            .Fit(ml.Data.LoadFromEnumerable(documents));
        Assert.Equal(documents.Count, File.ReadAllLines(Path.Combine(output, "corpus.txt")).Length);
        Assert.True(File.Exists(Path.Combine(output, "model", "model.safetensors")));
        var features = encoder.Transform(ml.Data.LoadFromEnumerable(documents.Take(3).ToList()));
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 128), features.Schema["Features"].Type);
        var rows = ml.Data.CreateEnumerable<DocFeatures>(features, reuseRowObject: false).ToList();
        var direct = encoder.Embed([.. documents.Take(3).Select(d => d.Text)], EmbeddingPooling.Mean);
        for (int i = 0; i < 3; i++) Assert.Equal(direct[i], rows[i].Features);
        Assert.Single(encoder.FillMask("我[MASK]中国人"));

        // The same directory through RobertaEmbedding, then ML.NET's own logistic regression on the embeddings.
        var reviews = ClassifierFixtures.Reviews(120, 5).Select(r => new LabelledDoc { Text = r.Text, Label = r.Label == 1 }).ToList();
        // The cache checkpoint embeds each row once: SDCA makes many passes over its (shuffled) input.
        var pipeline = ml.Transforms.Text.RobertaEmbedding("Features", "Text", modelPath: Path.Combine(output, "model"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 20));
        var data = ml.Data.LoadFromEnumerable(reviews);
        var model = pipeline.Fit(data);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(data));
        Assert.InRange(metrics.Accuracy, 0, 1);
        Assert.True(double.IsFinite(metrics.LogLoss));
        var embedded = ml.Data.CreateEnumerable<DocFeatures>(model.Transform(ml.Data.LoadFromEnumerable(reviews.Take(2).ToList())), reuseRowObject: false).ToList();
        Assert.Equal(RobertaEncoderTransformer.Load(Path.Combine(output, "model")).Embed([reviews[0].Text])[0], embedded[0].Features);
    }

    public sealed class Doc
    {
        public string Text { get; set; } = "";
    }

    public sealed class LabelledDoc
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    public sealed class DocFeatures
    {
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void FillMaskJsonFollowsThePipelineShape()
    {
        var one = new List<IReadOnlyList<FillMaskResult>> { new List<FillMaskResult> { new("我 是", 0.5f, 3, "是") } };
        Assert.Equal("[{\"sequence\":\"我 是\",\"score\":0.5,\"token\":3,\"token_str\":\"是\"}]", Microsoft.ML.RobertaZh.Cli.Commands.FillMaskCommand.ToJson(one));
        var two = new List<IReadOnlyList<FillMaskResult>> { one[0], one[0] };
        Assert.StartsWith("[[{", Microsoft.ML.RobertaZh.Cli.Commands.FillMaskCommand.ToJson(two), StringComparison.Ordinal);
    }

    private sealed class Inline(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
