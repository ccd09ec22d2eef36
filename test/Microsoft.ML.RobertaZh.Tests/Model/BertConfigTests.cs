using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Model;

public class BertConfigTests
{
    [Theory]
    [InlineData("tiny", 2, 128)]
    [InlineData("mini", 4, 256)]
    [InlineData("small", 4, 512)]
    [InlineData("medium", 8, 512)]
    [InlineData("base", 12, 768)]
    [InlineData("large", 24, 1024)]
    [InlineData("L-6_H-256", 6, 256)]
    [InlineData("l-10_h-768", 10, 768)]
    public void PresetsFollowUerSizes(string name, int layers, int hidden)
    {
        var c = BertConfig.FromPreset(name);
        Assert.Equal((layers, hidden, hidden / 64, 4 * hidden), (c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize));
        Assert.Equal((512, 2, 21128, 1e-12f), (c.MaxPositionEmbeddings, c.TypeVocabSize, c.VocabSize, c.LayerNormEps));
    }

    [Fact]
    public void TheWholeMiniatureGridIsNamed()
    {
        var grid = BertConfig.PresetNames.Where(n => n.StartsWith("L-", StringComparison.Ordinal)).ToList();
        Assert.Equal(24, grid.Count);
        foreach (string name in grid) BertConfig.FromPreset(name).Validate();
    }

    [Theory]
    [InlineData("L-3_H-128")]
    [InlineData("L-2_H-100")]
    [InlineData("huge")]
    public void UnknownPresetsAreRefusedWithTheKnownNames(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => BertConfig.FromPreset(name));
        Assert.Contains("tiny", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HuggingFaceJsonRoundTripsIncludingUnknownFields()
    {
        const string json = """
            {"vocab_size": 99, "hidden_size": 64, "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 96,
             "hidden_act": "gelu", "hidden_dropout_prob": 0.2, "attention_probs_dropout_prob": 0.05, "max_position_embeddings": 40,
             "type_vocab_size": 2, "initializer_range": 0.01, "layer_norm_eps": 1e-7, "pad_token_id": 0, "model_type": "bert",
             "id2label": {"0": "neg", "1": "pos"}, "label2id": {"neg": 0, "pos": 1}, "transformers_version": "4.30.0"}
            """;
        var c = BertConfig.Parse(json);
        Assert.Equal((99, 64, 3, 4, 96, 40), (c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.MaxPositionEmbeddings));
        Assert.Equal((0.2f, 0.05f, 1e-7f, 2), (c.HiddenDropoutProb, c.AttentionProbsDropoutProb, c.LayerNormEps, c.NumLabels));
        var again = BertConfig.Parse(c.ToJson());
        Assert.Equal(c.ToJson(), again.ToJson());
        Assert.Contains("\"transformers_version\": \"4.30.0\"", again.ToJson(), StringComparison.Ordinal);
    }

    [SharedDataFact]
    public void UerConfigFilesAreTranslated()
    {
        var c = BertConfig.Load(Path.Combine(Fixtures.SharedData!, "configs", "uer_bert_mini_config.json"));
        Assert.Equal((4, 256, 4, 1024, 512), (c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize, c.MaxPositionEmbeddings));
        Assert.Equal(0.1f, c.HiddenDropoutProb);
    }

    [Theory]
    [InlineData("""{"hidden_size": 100, "num_attention_heads": 3}""", "num_attention_heads")]
    [InlineData("""{"hidden_act": "relu"}""", "hidden_act")]
    [InlineData("""{"vocab_size": 0}""", "vocab_size")]
    [InlineData("""{"layer_norm_eps": 0}""", "layer_norm_eps")]
    public void InvalidConfigsNameTheField(string json, string field)
    {
        string path = Path.Combine(Path.GetTempPath(), $"rzh-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => BertConfig.Load(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains(field, e.Message, StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MalformedJsonNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rzh-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"hidden_size\": ");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => BertConfig.Load(path));
            Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }
}
