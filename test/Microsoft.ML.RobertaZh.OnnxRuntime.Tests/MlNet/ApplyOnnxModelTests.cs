using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.MlNet;

/// <summary>
/// The exported classifier scored by ML.NET's own <c>ApplyOnnxModel</c> over fixed-length int64 id columns, and the
/// pipeline saved with <c>mlContext.Model.Save</c> and reloaded with <c>Model.Load</c> after the .onnx file is gone (the
/// ONNX bytes travel inside ML.NET's zip): the same logits as the session and the managed engine.
/// </summary>
public sealed class ApplyOnnxModelTests : IDisposable
{
    private const int Length = 32;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>One pre-tokenized row, padded to <see cref="Length"/>.</summary>
    public sealed class IdRow
    {
        [VectorType(Length)] public long[] InputIds { get; set; } = [];
        [VectorType(Length)] public long[] AttentionMask { get; set; } = [];
        [VectorType(Length)] public long[] TokenTypeIds { get; set; } = [];
    }

    [Fact]
    public void ApplyOnnxModelScoresLikeTheEnginesAndSurvivesModelSaveAndLoad()
    {
        string onnx = OnnxExporter.Export(Fixtures.Path("model"), _dir.File("classifier.onnx"), new OnnxExportOptions { Task = OnnxModelTask.Classifier }).ModelPath;
        var batch = Batches.MixedLengths();
        var rows = Enumerable.Range(0, batch.Batch).Select(b => new IdRow
        {
            InputIds = [.. batch.InputIds.AsSpan(b * Length, Length).ToArray().Select(v => (long)v)],
            AttentionMask = [.. batch.AttentionMask.AsSpan(b * Length, Length).ToArray().Select(v => (long)v)],
            TokenTypeIds = [.. batch.TokenTypeIds.AsSpan(b * Length, Length).ToArray().Select(v => (long)v)],
        }).ToList();
        Assert.Equal(Length, batch.SeqLen);

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        // ML.NET needs the sequence axis fixed; the batch axis is its row.
        var shapes = new Dictionary<string, int[]> { ["input_ids"] = [1, Length], ["attention_mask"] = [1, Length], ["token_type_ids"] = [1, Length] };
        var pipeline = ml.Transforms.CopyColumns("input_ids", nameof(IdRow.InputIds))
            .Append(ml.Transforms.CopyColumns("attention_mask", nameof(IdRow.AttentionMask)))
            .Append(ml.Transforms.CopyColumns("token_type_ids", nameof(IdRow.TokenTypeIds)))
            .Append(ml.Transforms.ApplyOnnxModel(["logits"], ["input_ids", "attention_mask", "token_type_ids"], onnx, shapes, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100));
        var fitted = pipeline.Fit(data);
        var scored = fitted.Transform(data);
        Assert.Equal(3, Assert.IsType<VectorDataViewType>(scored.Schema["logits"].Type).Size);
        var mlnet = scored.GetColumn<float[]>("logits").SelectMany(l => l).ToArray();

        string zip = _dir.File("pipeline.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        File.Delete(onnx);
        var reloaded = new MLContext(seed: 2).Model.Load(zip, out _);
        var again = reloaded.Transform(data).GetColumn<float[]>("logits").SelectMany(l => l).ToArray();

        var managed = BertModel.Load(Fixtures.Path("model")).Forward(batch).Logits!;
        TensorAssert.ClosePresent(mlnet, managed, 1e-4, "ApplyOnnxModel logits");
        Assert.Equal(mlnet, again);
    }
}
