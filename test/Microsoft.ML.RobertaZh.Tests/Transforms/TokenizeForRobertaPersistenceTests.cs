using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Transforms;
using Microsoft.ML.RobertaZh.Transforms.Persistence;
using static Microsoft.ML.RobertaZh.Tests.Transforms.TokenizeForRobertaTests;

namespace Microsoft.ML.RobertaZh.Tests.Transforms;

/// <summary>
/// ML.NET's own <c>Model.Save</c>/<c>Model.Load</c> of pipelines holding <see cref="TokenizeForRobertaTransformer"/>: the
/// transformer saves as ML.NET transforms carrying its vocabulary, so a fresh MLContext reloads it with the vocabulary file
/// gone and writes the same ids, masks and token types (single texts and pairs, fixed and dynamic lengths, renamed columns).
/// </summary>
public sealed class TokenizeForRobertaPersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("roberta-zh-tokenize-save-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly TextRow[] Rows =
    [
        new() { Text = "我爱北京天安门", Pair = "hello worlds" }, new() { Text = "", Pair = "。" }, new() { Text = "HELLO，world", Pair = "" },
        new() { Text = "天安门天安门天安门天安门天安门", Pair = "北京北京北京北京" },
    ];

    public static TheoryData<bool, bool, bool> Variants() => new()
    {
        { false, true, true }, { false, false, true }, { true, true, true }, { true, false, false },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void ModelSaveAndLoadGiveTheSameColumnsWithoutTheVocabularyFile(bool pair, bool fixedLength, bool tokenTypes)
    {
        // The tokenizer comes from a file that is deleted before loading: the zip must carry the vocabulary.
        string vocab = Path.Combine(_dir, "vocab.txt");
        SmallTokenizer().Vocabulary.Save(vocab);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var options = new TokenizeForRobertaOptions
        {
            TokenizerPath = vocab, InputColumnName = "Text", PairColumnName = pair ? "Pair" : null, MaxLength = 16, FixedLength = fixedLength,
            Truncation = TruncationStrategy.LongestFirst, InputIdsColumnName = "ids", TokenTypeIdsColumnName = tokenTypes ? "types" : null,
        };
        var pipeline = ml.Transforms.Text.TokenizeForRoberta(options).Append(ml.Transforms.CopyColumns("ids_copy", "ids"));
        var model = pipeline.Fit(data);
        string[] outputs = tokenTypes ? ["ids", "attention_mask", "types", "ids_copy"] : ["ids", "attention_mask", "ids_copy"];
        var expected = outputs.Select(c => model.Transform(data).GetColumn<long[]>(c).ToArray()).ToArray();

        string zip = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, data.Schema, zip);
        File.Delete(vocab);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(zip, out var inputSchema);
        Assert.Equal(data.Schema.Select(c => c.Name), inputSchema.Select(c => c.Name));
        Assert.DoesNotContain(Flatten(loaded), t => t is TokenizeForRobertaTransformer);
        var output = loaded.Transform(fresh.Data.LoadFromEnumerable(Rows));
        Assert.DoesNotContain(output.Schema, c => !c.IsHidden && c.Name.StartsWith("RobertaZh.", StringComparison.Ordinal));
        Assert.Equal(tokenTypes, output.Schema.GetColumnOrNull("types") is not null);
        foreach (string column in outputs)
            Assert.Equal(model.Transform(data).Schema[column].Type, output.Schema[column].Type);
        for (int i = 0; i < outputs.Length; i++)
            Assert.Equal(expected[i], output.GetColumn<long[]>(outputs[i]).ToArray());

        // And through a prediction engine over the loaded model.
        var engine = fresh.Model.CreatePredictionEngine<TextRow, SavedIds>(loaded);
        Assert.Equal(expected[0][3], engine.Predict(Rows[3]).Ids);
    }

    [Fact]
    public void TheSpecRoundTripsEverySettingAndRejectsDamage()
    {
        var tokenizer = new BertTokenizer(SmallTokenizer().Vocabulary, new BertTokenizerOptions
        {
            LowerCase = false, StripAccents = true, ChineseCharRanges = ChineseCharRanges.GoogleBert, MaxInputCharsPerWord = 7, NeverSplit = ["hello"], ModelMaxLength = 99,
        });
        var rows = new RowTokenizer(tokenizer, 17, fixedLength: false, TruncationStrategy.OnlyFirst);
        var saved = TokenizerSpec.Read(TokenizerSpec.Write(rows, pairs: true).AsMemory());
        var back = saved.Rows;
        Assert.True(saved.Pairs);
        Assert.Equal(tokenizer.Options, back.Tokenizer.Options with { NeverSplit = tokenizer.Options.NeverSplit });
        Assert.Equal(["hello"], back.Tokenizer.Options.NeverSplit);
        Assert.Equal(tokenizer.Vocabulary.Tokens, back.Tokenizer.Vocabulary.Tokens);
        Assert.Equal((17, false, TruncationStrategy.OnlyFirst), (back.MaxLength, back.FixedLength, back.Truncation));
        Assert.False(TokenizerSpec.Read(TokenizerSpec.Write(rows, pairs: false).AsMemory()).Pairs);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerSpec.Read("not base64!".AsMemory()));
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFixedLengthWithoutACompiledSizeIsRefusedWhenSavingNaming()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var model = ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), maxLength: 12).Fit(data);
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(model, data.Schema, Path.Combine(_dir, "twelve.zip")));
        Assert.Contains("MaxLength 12", e.Message, StringComparison.Ordinal);
        Assert.Contains("16, 32, 64, 128, 256, 384, 512", e.Message, StringComparison.Ordinal);
        Assert.Contains("FixedLength = false", e.Message, StringComparison.Ordinal);
        // Dynamic length saves at any length.
        ml.Model.Save(ml.Transforms.Text.TokenizeForRoberta(SmallTokenizer(), maxLength: 12, fixedLength: false).Fit(data), data.Schema, Path.Combine(_dir, "dynamic.zip"));
        Assert.Equal([2, 12, 13, 14, 3], new MLContext().Model.Load(Path.Combine(_dir, "dynamic.zip"), out _).Transform(
            ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "hello worlds" } })).GetColumn<long[]>("input_ids").Single());
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer t) => t is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [t];

    /// <summary>The renamed id column.</summary>
    public sealed class SavedIds
    {
        [ColumnName("ids")] public long[] Ids { get; set; } = [];
    }
}
