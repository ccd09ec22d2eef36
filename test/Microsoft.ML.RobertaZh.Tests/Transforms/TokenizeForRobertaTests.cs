using System.Text.Json;
using Microsoft.ML.RobertaZh.Hosting;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Transforms;

namespace Microsoft.ML.RobertaZh.Tests.Transforms;

/// <summary>
/// <c>mlContext.Transforms.Text.TokenizeForRoberta</c>: the id columns against Hugging Face's fast tokenizer (the committed
/// reference cases, through an ML.NET pipeline, fixed and dynamic lengths, pairs and every truncation strategy), column
/// types and names, PredictionEngine, schema errors.
/// </summary>
public sealed class TokenizeForRobertaTests
{
    /// <summary>A single text, or a pair.</summary>
    public sealed class TextRow
    {
        public string Text { get; set; } = "";

        public string Pair { get; set; } = "";
    }

    /// <summary>A column of the wrong type.</summary>
    public sealed class NumberRow
    {
        public float Text { get; set; }
    }

    /// <summary>What PredictionEngine returns.</summary>
    public sealed class IdsRow
    {
        [ColumnName("input_ids")] public long[] InputIds { get; set; } = [];

        [ColumnName("attention_mask")] public long[] AttentionMask { get; set; } = [];

        [ColumnName("token_type_ids")] public long[] TokenTypeIds { get; set; } = [];
    }

    /// <summary>A small vocabulary with the special tokens: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4, then words.</summary>
    internal static BertTokenizer SmallTokenizer() => new(new Vocabulary(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "我", "爱", "北", "京", "天", "安", "门", "hello", "world", "##s", "，", "。"]));

    private static (List<long[]> Ids, List<long[]> Mask, List<long[]> Types) Run(IDataView data, TokenizeForRobertaEstimator estimator)
    {
        var output = estimator.Fit(data).Transform(data);
        return ([.. output.GetColumn<long[]>("input_ids")], [.. output.GetColumn<long[]>("attention_mask")], [.. output.GetColumn<long[]>("token_type_ids")]);
    }

    [SharedDataFact]
    public void MatchesHuggingFaceOnTheReferenceCasesInFixedAndDynamicMode()
    {
        var tokenizer = new BertTokenizer(Vocabulary.Load(Path.Combine(Fixtures.SharedData!, "vocab", "google_zh_vocab.txt")));
        var cases = File.ReadLines(Fixtures.Path("tokenization/reference_cases.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(c => !c.TryGetProperty("error", out _)).ToList();
        var ml = new MLContext(seed: 1);
        int compared = 0;
        // One pipeline per (pair or not, max length, truncation): the reference's groups.
        foreach (var group in cases.GroupBy(c => (
            Pair: c.GetProperty("pair").ValueKind != JsonValueKind.Null,
            Max: c.TryGetProperty("max_length", out var m) ? m.GetInt32() : 512,
            Truncation: c.TryGetProperty("truncation", out var t) ? t.GetString()! : "longest_first")))
        {
            var rows = group.Select(c => new TextRow { Text = c.GetProperty("text").GetString()!, Pair = group.Key.Pair ? c.GetProperty("pair").GetString()! : "" }).ToList();
            var data = ml.Data.LoadFromEnumerable(rows);
            var strategy = group.Key.Truncation switch { "only_first" => TruncationStrategy.OnlyFirst, "only_second" => TruncationStrategy.OnlySecond, _ => TruncationStrategy.LongestFirst };
            foreach (bool fixedLength in new[] { true, false })
            {
                var (ids, mask, types) = Run(data, ml.Transforms.Text.TokenizeForRoberta(tokenizer, "Text", group.Key.Pair ? "Pair" : null, group.Key.Max, fixedLength, strategy));
                int i = 0;
                foreach (var c in group)
                {
                    long[] expectedIds = [.. c.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt64())];
                    long[] expectedTypes = [.. c.GetProperty("token_type_ids").EnumerateArray().Select(x => x.GetInt64())];
                    int padding = fixedLength ? group.Key.Max - expectedIds.Length : 0;
                    Assert.Equal([.. expectedIds, .. new long[padding]], ids[i]);
                    Assert.Equal([.. expectedTypes, .. new long[padding]], types[i]);
                    Assert.Equal([.. Enumerable.Repeat(1L, expectedIds.Length), .. new long[padding]], mask[i]);
                    i++;
                    compared++;
                }
            }
        }
        Assert.True(compared > 2 * 400, $"only {compared} comparisons");
    }

    [Fact]
    public void FixedLengthGivesVectorsOfKnownSizeAndDynamicOfVariableSize()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "我爱北京" }, new TextRow { Text = "hello worlds。" } });
        var fixedOutput = ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), maxLength: 8).Fit(data).Transform(data);
        Assert.Equal(8, Assert.IsType<VectorDataViewType>(fixedOutput.Schema["input_ids"].Type).Size);
        Assert.Equal(NumberDataViewType.Int64, ((VectorDataViewType)fixedOutput.Schema["attention_mask"].Type).ItemType);
        Assert.Equal([[2, 5, 6, 7, 8, 3, 0, 0], [2, 12, 13, 14, 16, 3, 0, 0]], fixedOutput.GetColumn<long[]>("input_ids").ToArray());
        Assert.Equal([1, 1, 1, 1, 1, 1, 0, 0], fixedOutput.GetColumn<long[]>("attention_mask").First());

        var dynamicOutput = ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), maxLength: 5, fixedLength: false).Fit(data).Transform(data);
        Assert.False(((VectorDataViewType)dynamicOutput.Schema["input_ids"].Type).IsKnownSize);
        Assert.Equal([[2, 5, 6, 7, 3], [2, 12, 13, 14, 3]], dynamicOutput.GetColumn<long[]>("input_ids").ToArray());
    }

    [Fact]
    public void ColumnNamesAreChosenAndTokenTypesCanBeLeftOut()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "天安门", Pair = "北京" } });
        var estimator = ml.Transforms.Text.TokenizeForRoberta(new TokenizeForRobertaOptions
        {
            Tokenizer = SmallTokenizer(), InputColumnName = "Text", PairColumnName = "Pair", MaxLength = 10,
            InputIdsColumnName = "ids", AttentionMaskColumnName = "mask", TokenTypeIdsColumnName = null,
        });
        var output = estimator.Fit(data).Transform(data);
        Assert.Equal(["Text", "Pair", "ids", "mask"], output.Schema.Select(c => c.Name));
        Assert.Equal([2, 9, 10, 11, 3, 7, 8, 3, 0, 0], output.GetColumn<long[]>("ids").Single());

        var shape = estimator.GetOutputSchema(Interop.ShapeOf(data.Schema));
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, shape.Single(c => c.Name == "ids").Kind);
        Assert.DoesNotContain(shape, c => c.Name == "token_type_ids");
        var dynamicShape = ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), fixedLength: false).GetOutputSchema(Interop.ShapeOf(data.Schema));
        Assert.Equal(SchemaShape.Column.VectorKind.VariableVector, dynamicShape.Single(c => c.Name == "token_type_ids").Kind);
        Assert.Equal(NumberDataViewType.Int64, dynamicShape.Single(c => c.Name == "token_type_ids").ItemType);
    }

    [Fact]
    public void PredictionEngineGivesWhatTransformGives()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[] { new TextRow { Text = "我爱北京天安门", Pair = "hello" }, new TextRow { Text = "worlds", Pair = "北京。" } };
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), "Text", "Pair", maxLength: 12).Fit(data);
        var (ids, mask, types) = Run(data, ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), "Text", "Pair", maxLength: 12));
        var engine = ml.Model.CreatePredictionEngine<TextRow, IdsRow>(model);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(ids[i], p.InputIds);
            Assert.Equal(mask[i], p.AttentionMask);
            Assert.Equal(types[i], p.TokenTypeIds);
        }
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0], types[0]);
    }

    [Fact]
    public void BadColumnsAndSettingsAreReported()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "我" } });
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), "Review").Fit(data));
        Assert.Contains("could not find text column 'Review'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("Text, Pair", missing.Message, StringComparison.Ordinal);
        var numbers = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1f } });
        var type = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer()).Fit(numbers));
        Assert.Contains("expected String, got Single", type.Message, StringComparison.Ordinal);
        var tooShort = Assert.Throws<ArgumentException>(() => ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), "Text", "Pair", maxLength: 2));
        Assert.Contains("at least 3", tooShort.Message, StringComparison.Ordinal);
        var noVocab = Assert.Throws<FileNotFoundException>(() => ml.Transforms.Text.TokenizeForRoberta("/no/such/vocab.txt").Fit(data));
        Assert.Contains("/no/such/vocab.txt", noVocab.Message, StringComparison.Ordinal);

        // A pair too long for only_second truncation fails on its row, saying which.
        var longFirst = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "我爱北京", Pair = "北京" }, new TextRow { Text = "我爱北京天安门我爱北京天安门", Pair = "京" } });
        var output = ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), "Text", "Pair", maxLength: 8, truncation: TruncationStrategy.OnlySecond).Fit(longFirst).Transform(longFirst);
        var e = Assert.Throws<InvalidOperationException>(() => output.GetColumn<long[]>("input_ids").ToList());
        Assert.Contains("row 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoadedTokenizerDirectoryReadsItsConfig()
    {
        string dir = Directory.CreateTempSubdirectory("roberta-zh-tokenize-").FullName;
        try
        {
            SmallTokenizer().Vocabulary.Save(Path.Combine(dir, "vocab.txt"));
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"do_lower_case": false}""");
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "Hello hello" } });
            var model = ml.Transforms.Text.TokenizeForRoberta(dir, maxLength: 6).Fit(data);
            Assert.False(model.Tokenizer.Options.LowerCase);
            Assert.Equal([2, 1, 12, 3, 0, 0], model.Transform(data).GetColumn<long[]>("input_ids").Single());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
