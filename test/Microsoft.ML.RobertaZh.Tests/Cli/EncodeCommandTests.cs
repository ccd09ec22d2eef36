using System.Text;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Tests.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Cli;

public class EncodeCommandTests
{
    private static ReferenceFixture Ref => ReferenceFixture.Instance.Value;

    /// <summary>The fixture batch as encode input lines, unpadded; the third line has no token_type_ids.</summary>
    private static string InputLines()
    {
        var batch = Ref.Batch();
        var sb = new StringBuilder();
        for (int b = 0; b < batch.Batch; b++)
        {
            int len = batch.AttentionMask.Skip(b * batch.SeqLen).Take(batch.SeqLen).Sum();
            var ids = batch.InputIds.Skip(b * batch.SeqLen).Take(len);
            var types = batch.TokenTypeIds.Skip(b * batch.SeqLen).Take(len);
            sb.Append("{\"input_ids\":[").Append(string.Join(",", ids)).Append(']');
            if (b < 2) sb.Append(",\"token_type_ids\":[").Append(string.Join(",", types)).Append(']');
            sb.Append("}\n");
        }
        return sb.ToString();
    }

    private static List<JsonElement> Encode(int batchSize, int topK)
    {
        var model = Ref.LoadModel();
        using var output = new MemoryStream();
        EncodeCommand.Run(model, new StringReader(InputLines()), output, topK, batchSize);
        return Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private static float[] Flatten(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0 && e[0].ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().SelectMany(Flatten).ToArray()
            : e.EnumerateArray().Select(x => x.GetSingle()).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    public void OutputsMatchPyTorchWhateverTheBatching(int batchSize)
    {
        var lines = Encode(batchSize, topK: 3);
        Assert.Equal(3, lines.Count);
        var batch = Ref.Batch();
        int h = 64, v = 120, t = batch.SeqLen;
        for (int b = 0; b < 3; b++)
        {
            int len = batch.AttentionMask.Skip(b * t).Take(t).Sum();
            var hidden = lines[b].GetProperty("last_hidden_state");
            Assert.Equal(len, hidden.GetArrayLength());
            TensorAssert.Close(Flatten(hidden), Ref["last_hidden_state"].AsSpan(b * t * h, len * h), 1e-4, $"line {b} hidden");
            TensorAssert.Close(Flatten(lines[b].GetProperty("pooler_output")), Ref["pooler_output"].AsSpan(b * h, h), 1e-4, $"line {b} pooler");
            TensorAssert.Close(Flatten(lines[b].GetProperty("logits")), Ref["logits"].AsSpan(b * 3, 3), 1e-4, $"line {b} logits");
            var topK = lines[b].GetProperty("mlm_top_k");
            Assert.Equal(len, topK.GetArrayLength());
            for (int i = 0; i < len; i++)
            {
                var expected = Ref["mlm_log_probs"].AsSpan((b * t + i) * v, v).ToArray();
                var order = Enumerable.Range(0, v).OrderByDescending(j => expected[j]).Take(3).ToArray();
                var got = topK[i].EnumerateArray().ToArray();
                Assert.Equal(order, got.Select(x => x.GetProperty("token_id").GetInt32()).ToArray());
                for (int k = 0; k < 3; k++)
                    Assert.Equal(expected[order[k]], got[k].GetProperty("score").GetSingle(), 1e-4f);
            }
        }
    }

    [Theory]
    [InlineData("{\"input_ids\":[2,3]}\nnot json\n", "stdin line 2: not valid JSON")]
    [InlineData("{\"input_ids\":[2,999]}\n", "stdin line 1: input_ids[1] = 999 is outside the vocabulary")]
    [InlineData("{\"input_ids\":[2,3],\"attention_mask\":[1]}\n", "stdin line 1: \"attention_mask\" has 1 entries")]
    [InlineData("{\"token_type_ids\":[0]}\n", "stdin line 1: \"input_ids\" is missing")]
    [InlineData("{\"input_ids\":[2,\"x\"]}\n", "stdin line 1: input_ids[1] is not an integer")]
    public void BadLinesAreReportedWithTheirLineNumber(string input, string message)
    {
        var model = Ref.LoadModel();
        var e = Assert.Throws<CommandLineException>(() => EncodeCommand.Run(model, new StringReader(input), Stream.Null, 5, 16));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TopKSelectsTheLargestBestFirst()
    {
        float[] row = [0.1f, 5f, -2f, 5f, 3f, 9f];
        var best = new int[3];
        Microsoft.ML.RobertaZh.Tensors.TopK.Select(row, best);
        Assert.Equal([5, 1, 3], best);
    }
}
