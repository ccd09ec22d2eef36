using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

/// <summary>
/// Runs the masked-LM head graph (<see cref="BertGraph.BuildMaskedLmHeadOnly"/>) on chosen token rows of final hidden
/// states: what <see cref="Microsoft.ML.RobertaZh.Engines.IBertEngine.Forward"/> returns for its masked-LM rows. Thread-safe.
/// </summary>
internal sealed class MaskedLmHeadSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly int _hidden;
    private readonly int _vocab;
    private static readonly string[] InputNames = [BertGraph.HeadInput];
    private static readonly string[] OutputNames = [BertGraph.HeadOutput];

    private MaskedLmHeadSession(InferenceSession session, string path, int hidden, int vocab)
    {
        _session = session;
        _path = path;
        _hidden = hidden;
        _vocab = vocab;
    }

    /// <summary>Opens the head graph at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a masked-LM head graph.</exception>
    public static MaskedLmHeadSession Load(string path, OnnxSessionOptions options)
    {
        InferenceSession session;
        using (var sessionOptions = ExecutionProviders.Create(options))
        {
            try { session = new InferenceSession(path, sessionOptions); }
            catch (OnnxRuntimeException e) { throw new InvalidDataException($"{path}: ONNX Runtime cannot load it: {e.Message}", e); }
        }
        if (!session.InputMetadata.TryGetValue(BertGraph.HeadInput, out var input) || input.Dimensions is not [_, > 0]
            || !session.OutputMetadata.TryGetValue(BertGraph.HeadOutput, out var output) || output.Dimensions is not [_, > 0])
        {
            session.Dispose();
            throw new InvalidDataException($"{path} is not a masked-LM head graph (float {BertGraph.HeadInput}[rows, hidden] → {BertGraph.HeadOutput}[rows, vocab]).");
        }
        return new MaskedLmHeadSession(session, path, input.Dimensions[1], output.Dimensions[1]);
    }

    /// <summary>(rows.Length, vocab) log-probabilities of the token rows <paramref name="rows"/> of (N, hidden) <paramref name="lastHiddenState"/>.</summary>
    public float[] LogProbabilities(ReadOnlySpan<float> lastHiddenState, int[] rows)
    {
        if (rows.Length == 0) return [];
        int h = _hidden;
        var gathered = new float[rows.Length * h];
        for (int r = 0; r < rows.Length; r++) lastHiddenState.Slice(rows[r] * h, h).CopyTo(gathered.AsSpan(r * h, h));
        var result = new float[(long)rows.Length * _vocab <= Array.MaxLength ? rows.Length * _vocab : throw new ArgumentException($"{rows.Length} rows of {_vocab} log-probabilities do not fit one array; ask for fewer rows.", nameof(rows))];
        using var input = OrtValue.CreateTensorValueFromMemory(gathered, [rows.Length, h]);
        using var output = OrtValue.CreateTensorValueFromMemory(result, [rows.Length, _vocab]);
        using var runOptions = new RunOptions();
        try
        {
            _session.Run(runOptions, InputNames, [input], OutputNames, [output]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"{_path}: ONNX Runtime failed on {rows.Length} masked-LM rows: {e.Message}", e);
        }
        return result;
    }

    /// <summary>Releases the session.</summary>
    public void Dispose() => _session.Dispose();
}
