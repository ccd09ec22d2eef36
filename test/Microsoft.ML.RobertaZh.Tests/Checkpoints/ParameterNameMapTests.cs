using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

public class ParameterNameMapTests
{
    [Theory]
    [InlineData("uer.bin", "uer_expected.json")]
    [InlineData("hf_noprefix.bin", "hf_noprefix_expected.json")]
    public void NormalizesFixtureToExpectedCanonicalTensors(string file, string expectedFile)
    {
        var expected = CheckpointFixtures.LoadExpected(expectedFile);
        var normalized = ParameterNameMap.Normalize(CheckpointReader.Read(CheckpointFixtures.PathOf(file)));

        CheckpointFixtures.AssertEqual(expected.Tensors, normalized.Tensors);
        Assert.Equal(expected.Ignored, normalized.Ignored);
        Assert.Equal(expected.Unrecognized, normalized.Unrecognized);
        Assert.Equal(CheckpointFixtures.PathOf(file), normalized.SourcePath);
    }

    [Fact]
    public void UerSegmentEmbeddingDropsPaddingRow()
    {
        var source = CheckpointReader.Read(CheckpointFixtures.PathOf("uer.bin"));
        var seg = source["embedding.seg.embedding.weight"];
        var normalized = ParameterNameMap.Normalize(source);
        var tokenType = normalized.Tensors["bert.embeddings.token_type_embeddings.weight"];

        Assert.Equal([3, 4], seg.Shape);
        Assert.Equal([2, 4], tokenType.Shape);
        Assert.Equal(seg.Data.Skip(4), tokenType.Data);
        Assert.Contains("target.sp.linear_2.weight", normalized.Ignored);
        Assert.Contains("embedding.extra.weight", normalized.Unrecognized);
    }

    [Fact]
    public void HuggingFaceNamesPassThroughAndBuffersAreIgnored()
    {
        var source = CheckpointReader.Read(CheckpointFixtures.PathOf("tiny.safetensors"));
        var normalized = ParameterNameMap.Normalize(source);

        Assert.Equal(["bert.embeddings.position_ids"], normalized.Ignored);
        Assert.Equal(["misc.int32", "misc.mask", "misc.scalar"], normalized.Unrecognized.Order(StringComparer.Ordinal));
        foreach (var (name, t) in normalized.Tensors)
        {
            Assert.Same(source[name].Data, t.Data);   // renaming never copies
            Assert.Equal(name, t.Name);
        }

        Assert.Equal(8, normalized.Tensors.Count);
    }

    [Theory]
    // Hugging Face, already canonical
    [InlineData("bert.encoder.layer.11.attention.self.value.bias", "bert.encoder.layer.11.attention.self.value.bias")]
    [InlineData("cls.predictions.decoder.bias", "cls.predictions.decoder.bias")]
    [InlineData("classifier.weight", "classifier.weight")]
    // BertModel (no prefix), DataParallel prefix
    [InlineData("encoder.layer.3.intermediate.dense.weight", "bert.encoder.layer.3.intermediate.dense.weight")]
    [InlineData("pooler.dense.bias", "bert.pooler.dense.bias")]
    [InlineData("module.bert.embeddings.word_embeddings.weight", "bert.embeddings.word_embeddings.weight")]
    // old TF-converted LayerNorm names
    [InlineData("bert.encoder.layer.0.output.LayerNorm.gamma", "bert.encoder.layer.0.output.LayerNorm.weight")]
    [InlineData("bert.embeddings.LayerNorm.beta", "bert.embeddings.LayerNorm.bias")]
    [InlineData("cls.predictions.transform.LayerNorm.gamma", "cls.predictions.transform.LayerNorm.weight")]
    [InlineData("embeddings.LayerNorm.gamma", "bert.embeddings.LayerNorm.weight")]
    // UER-py, both spellings
    [InlineData("embedding.word.embedding.weight", "bert.embeddings.word_embeddings.weight")]
    [InlineData("embedding.word_embedding.weight", "bert.embeddings.word_embeddings.weight")]
    [InlineData("embedding.position_embedding.weight", "bert.embeddings.position_embeddings.weight")]
    [InlineData("embedding.layer_norm.weight", "bert.embeddings.LayerNorm.weight")]
    [InlineData("encoder.transformer.7.self_attn.linear_layers.1.weight", "bert.encoder.layer.7.attention.self.key.weight")]
    [InlineData("encoder.transformer.0.self_attn.final_linear.bias", "bert.encoder.layer.0.attention.output.dense.bias")]
    [InlineData("encoder.transformer.2.layer_norm_1.gamma", "bert.encoder.layer.2.attention.output.LayerNorm.weight")]
    [InlineData("encoder.transformer.2.layer_norm_2.beta", "bert.encoder.layer.2.output.LayerNorm.bias")]
    [InlineData("encoder.transformer.2.layer_norm_2.bias", "bert.encoder.layer.2.output.LayerNorm.bias")]
    [InlineData("encoder.transformer.5.feed_forward.linear_1.bias", "bert.encoder.layer.5.intermediate.dense.bias")]
    [InlineData("encoder.transformer.5.feed_forward.linear_2.weight", "bert.encoder.layer.5.output.dense.weight")]
    [InlineData("target.sp.linear_1.weight", "bert.pooler.dense.weight")]
    [InlineData("target.mlm.linear_1.bias", "cls.predictions.transform.dense.bias")]
    [InlineData("target.mlm.layer_norm.beta", "cls.predictions.transform.LayerNorm.bias")]
    [InlineData("target.mlm.linear_2.weight", "cls.predictions.decoder.weight")]
    [InlineData("target.mlm.linear_2.bias", "cls.predictions.bias")]
    public void MapsToCanonicalName(string original, string canonical)
    {
        var (kind, name) = ParameterNameMap.Map(original);
        Assert.Equal(ParameterNameMap.MapResult.Mapped, kind);
        Assert.Equal(canonical, name);
        Assert.True(ParameterNameMap.IsCanonical(name));
    }

    [Theory]
    [InlineData("bert.embeddings.position_ids")]
    [InlineData("embeddings.position_ids")]
    [InlineData("bert.embeddings.token_type_ids")]
    [InlineData("embeddings.token_type_ids")]
    [InlineData("cls.seq_relationship.weight")]
    [InlineData("target.sp.linear_2.bias")]
    public void KnownUnusedNamesAreIgnored(string original)
    {
        Assert.Equal(ParameterNameMap.MapResult.Ignored, ParameterNameMap.Map(original).Kind);
    }

    [Theory]
    [InlineData("roberta.embeddings.word_embeddings.weight")]
    [InlineData("bert.encoder.layer.0.attention.self.query.gamma")]
    [InlineData("encoder.transformer.0.self_attn.linear_layers.3.weight")]
    [InlineData("encoder.transformer.0.feed_forward.linear_1.gamma")]
    [InlineData("bert.encoder.layer.01.output.dense.weight")]
    [InlineData("lm_head.decoder.weight")]
    [InlineData("")]
    public void UnknownNamesAreUnrecognized(string original)
    {
        var (kind, name) = ParameterNameMap.Map(original);
        Assert.Equal(ParameterNameMap.MapResult.Unrecognized, kind);
        Assert.Equal(original, name);
    }

    [Fact]
    public void TwoNamesForOneParameterAreRejected()
    {
        var source = new StateDict("mixed.bin",
        [
            new CheckpointTensor("bert.embeddings.LayerNorm.gamma", [2], [1f, 2f], "F32"),
            new CheckpointTensor("bert.embeddings.LayerNorm.weight", [2], [1f, 2f], "F32"),
        ]);
        var e = Assert.Throws<CheckpointFormatException>(() => ParameterNameMap.Normalize(source));
        Assert.Equal("mixed.bin", e.FilePath);
        Assert.Contains("bert.embeddings.LayerNorm.weight", e.Message, StringComparison.Ordinal);
    }
}
