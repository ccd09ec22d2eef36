using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Tests.Data;

public sealed class PipelineTests
{
    private sealed class Example
    {
        public string Label { get; set; } = "";

        public string Sentence1 { get; set; } = "";
    }

    private sealed class Keyed
    {
        public string Label { get; set; } = "";

        public uint LabelKey { get; set; }

        public string Copy { get; set; } = "";
    }

    private static readonly Example[] Examples =
    [
        new() { Label = "neutral", Sentence1 = "a" },
        new() { Label = "entailment", Sentence1 = "b" },
        new() { Label = "neutral", Sentence1 = "c" },
        new() { Label = "contradiction", Sentence1 = "d" },
    ];

    [Fact]
    public void AppendComposesEstimatorsIntoAChainThatFitsAndTransforms()
    {
        var ml = new RobertaZhContext(1);
        var data = ml.Data.LoadFromEnumerable(Examples);
        var pipeline = ml.Transforms.CopyColumns("Copy", "Sentence1")
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"));
        Assert.Equal(2, pipeline.Estimators.Count);

        var shape = pipeline.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.True(shape.TryFindColumn("LabelKey", out var key));
        Assert.True(key.IsKey);
        Assert.True(shape.TryFindColumn("Copy", out _));

        var model = pipeline.Fit(data);
        Assert.Equal(["neutral", "entailment", "contradiction"], model.LastTransformer!.KeyValues);
        Assert.Equal(2, model.Count());
        Assert.True(model.IsRowToRowMapper);

        var output = model.Transform(data);
        Assert.Equal(new KeyDataViewType(3), output.Schema["LabelKey"].Type);
        Assert.Equal(["neutral", "entailment", "contradiction"], output.Schema["LabelKey"].Annotations.KeyValues);
        var rows = ml.Data.CreateEnumerable<Keyed>(output, false).ToList();
        Assert.Equal([1u, 2u, 1u, 3u], rows.Select(r => r.LabelKey));
        Assert.Equal(["a", "b", "c", "d"], rows.Select(r => r.Copy));
        Assert.Equal(output.Schema.Select(c => c.Name), model.GetOutputSchema(data.Schema).Select(c => c.Name));
    }

    [Fact]
    public void MapValueToKeyByValueSortsAndUnseenValuesAreMissing()
    {
        var ml = new RobertaZhContext(1);
        var model = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label", KeyOrdinality.ByValue).Fit(ml.Data.LoadFromEnumerable(Examples));
        Assert.Equal(["contradiction", "entailment", "neutral"], model.KeyValues);
        var unseen = ml.Data.LoadFromEnumerable(new[] { new Example { Label = "other" } });
        Assert.Equal(0u, Assert.Single(ml.Data.CreateEnumerable<Keyed>(model.Transform(unseen), false, ignoreMissingColumns: true)).LabelKey);
    }

    [Fact]
    public void GetOutputSchemaRejectsAMissingColumnBeforeReadingData()
    {
        var ml = new RobertaZhContext(1);
        var pipeline = ml.Transforms.CopyColumns("Copy", "Sentence1").Append(ml.Transforms.Conversion.MapValueToKey("Key", "Sentence2"));
        var data = ml.Data.LoadFromEnumerable(Examples.Select(e => e));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Fit(data));
        Assert.Contains("'Sentence2' not found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Copy", ex.Message, StringComparison.Ordinal);
    }

    private static float[] Probabilities(float negative) => [negative, 1 - negative];

    [Fact]
    public void MappedDataViewComputesInBatchesAndOnlyWhenAsked()
    {
        var ml = new RobertaZhContext(1);
        var data = ml.Data.LoadFromEnumerable(Examples);
        var batchSizes = new List<int>();
        var view = new MappedDataView(data, ["Sentence1"],
            [("Upper", TextDataViewType.Instance, null), ("Score", new VectorDataViewType(NumberDataViewType.Single, 2), new DataViewSchema.Annotations(SlotNames: ["no", "yes"]))],
            (inputs, outputs) =>
            {
                batchSizes.Add(inputs.Count);
                for (int r = 0; r < inputs.Count; r++)
                {
                    outputs[r][0] = ((ReadOnlyMemory<char>)inputs[r][0]!).ToString().ToUpperInvariant();
                    outputs[r][1] = Probabilities(0.25f);
                }
            }, batchSize: 3);

        using (var cursor = view.GetRowCursor([view.Schema["Label"]]))
            while (cursor.MoveNext()) { }
        Assert.Empty(batchSizes);

        using (var cursor = view.GetRowCursor([view.Schema["Upper"], view.Schema["Score"]]))
        {
            var upper = cursor.GetGetter<string>(view.Schema["Upper"]);
            var score = cursor.GetGetter<VBuffer<float>>(view.Schema["Score"]);
            var got = new List<string>();
            while (cursor.MoveNext())
            {
                string s = "";
                upper(ref s);
                got.Add(s);
                VBuffer<float> v = default;
                score(ref v);
                Assert.Equal(0.75f, v.GetValues()[1]);
            }

            Assert.Equal(["A", "B", "C", "D"], got);
        }

        Assert.Equal([3, 1], batchSizes);
        Assert.Equal(["no", "yes"], view.Schema["Score"].Annotations.SlotNames);
    }
}
