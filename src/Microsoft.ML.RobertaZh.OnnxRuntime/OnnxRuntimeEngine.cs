using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Caching;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

namespace Microsoft.ML.RobertaZh.OnnxRuntime;

/// <summary>
/// The encoder on ONNX Runtime, behind the engine interface: inference only (<see cref="EngineKind.OnnxRuntime"/>). Made by
/// <see cref="OnnxRuntimeEngineFactory"/> from a <see cref="BertModel"/> (through <c>BertEngines.CreateInference</c>), or by
/// <see cref="Load"/> from an exported .onnx file. <see cref="Forward"/> is thread-safe (one ONNX Runtime session serves
/// every caller). Dispose it to free the session.
/// </summary>
public sealed class OnnxRuntimeEngine : IBertEngine
{
    private readonly SessionLease _sessions;
    private int _disposed;

    internal OnnxRuntimeEngine(BertParameterLayout layout, string device, SessionLease sessions)
    {
        Layout = layout;
        Device = device;
        _sessions = sessions;
    }

    /// <inheritdoc/>
    public EngineKind Kind => EngineKind.OnnxRuntime;

    /// <inheritdoc/>
    public string Device { get; }

    /// <inheritdoc/>
    public BertParameterLayout Layout { get; }

    /// <inheritdoc/>
    public long ParameterCount => Layout.Count;

    /// <summary>The graph the engine runs: its file (for an engine made from a model, the exported graph in the cache folder), task, labels, tokenizer settings.</summary>
    public OnnxModelInfo Info => _sessions.Encoder.Info;

    /// <summary>
    /// An engine over an exported .onnx file (ours, or a Hugging Face BERT export with <c>config.json</c> beside it):
    /// encoder, classifier or fill-mask, as the graph says. <paramref name="options"/> gives the device and threads;
    /// <paramref name="sessionOptions"/> any other ONNX Runtime setting (graph optimization level, execution mode, ...).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The graph lacks an input or output, or no model config can be found for it; the message names the file.</exception>
    /// <exception cref="EngineUnavailableException">ONNX Runtime's native library or the CUDA execution provider is missing.</exception>
    public static OnnxRuntimeEngine Load(string onnxPath, EngineOptions? options = null, OnnxSessionOptions? sessionOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        options ??= new EngineOptions { Engine = EngineKind.OnnxRuntime };
        options.Validate();
        var resolved = OnnxRuntimeEngineFactory.Resolve(options, sessionOptions);
        var session = OnnxRuntimeEngineFactory.Guarded(() => OnnxBertSession.Load(onnxPath, resolved));
        try
        {
            var info = session.Info;
            var config = info.Config ?? ConfigBeside(info.ModelPath);
            if (config.HiddenSize != info.HiddenSize)
                throw new InvalidDataException($"{info.ModelPath}: the model config says hidden size {config.HiddenSize} but last_hidden_state has {info.HiddenSize}.");
            var heads = info.Task switch
            {
                OnnxModelTask.Classifier => BertHeads.Classification(info.Labels.Count),
                OnnxModelTask.FillMask => new BertHeads(Pooler: info.HasPooler, MaskedLm: true),
                _ => new BertHeads(Pooler: info.HasPooler, MaskedLm: false),
            };
            return new OnnxRuntimeEngine(new BertParameterLayout(config, heads), resolved.Device, new SessionLease(session, null, release: null));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The batch is longer than the graph's maximum length or holds ids outside its tables.</exception>
    public BertOutput Forward(BertBatch batch, int[]? maskedLmRows = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        bool mlm = maskedLmRows is not null && Layout.Heads.MaskedLm;
        if (mlm) ManagedEngine.CheckRows(maskedLmRows!, batch);
        bool fullLogits = mlm && _sessions.MaskedLmHead is null; // a fill-mask graph from a file: every row, then the ones asked for
        var output = _sessions.Encoder.Forward(batch, maskedLmLogProbabilities: fullLogits);
        if (!mlm) return output.MaskedLmLogProbabilities is null ? output : Without(output, null);

        float[] logProbs;
        if (_sessions.MaskedLmHead is { } head)
        {
            logProbs = head.LogProbabilities(output.LastHiddenState, maskedLmRows!);
        }
        else
        {
            int v = Layout.Config.VocabSize;
            var all = output.MaskedLmLogProbabilities!;
            logProbs = new float[maskedLmRows!.Length * v];
            for (int r = 0; r < maskedLmRows.Length; r++) all.AsSpan(maskedLmRows[r] * v, v).CopyTo(logProbs.AsSpan(r * v, v));
        }
        return Without(output, logProbs);
    }

    /// <inheritdoc/>
    public BertLoss Evaluate(BertBatch batch) => InferenceLoss.Evaluate(this, batch);

    /// <summary>Releases the engine's share of the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _sessions.Dispose();
    }

    private static BertOutput Without(BertOutput o, float[]? maskedLm) => new()
    {
        Batch = o.Batch, SeqLen = o.SeqLen, LastHiddenState = o.LastHiddenState, PoolerOutput = o.PoolerOutput, Logits = o.Logits,
        MaskedLmLogProbabilities = maskedLm,
    };

    private static BertConfig ConfigBeside(string modelPath)
    {
        string path = Path.Combine(Path.GetDirectoryName(modelPath)!, "config.json");
        if (!File.Exists(path))
            throw new InvalidDataException($"{modelPath} records no model config in its metadata and has no config.json beside it: the engine needs the architecture. " +
                "Export with `roberta-zh export-onnx` (which records it), or put the model's config.json next to the .onnx file.");
        return BertConfig.Load(path);
    }
}
