using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

/// <summary>
/// Runs an exported BERT graph (or a Hugging Face BERT export) with ONNX Runtime and returns what the managed
/// <see cref="BertModel.Forward"/> returns for the same batch: hidden states, pooler output, classification logits and
/// masked-LM log-probabilities. One ONNX Runtime session serves every caller: <see cref="Forward"/> is thread-safe
/// (ONNX Runtime allows concurrent runs of one session), and each call runs a whole padded batch.
/// </summary>
public sealed class OnnxBertSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly GraphSignature _signature;
    private readonly string[] _inputNames;
    private int _disposed;

    private OnnxBertSession(InferenceSession session, GraphSignature signature, OnnxModelInfo info)
    {
        _session = session;
        _signature = signature;
        Info = info;
        _inputNames = signature.HasTokenTypeIds ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
    }

    /// <summary>What the graph is: task, class names, tokenizer settings, maximum length, config.</summary>
    public OnnxModelInfo Info { get; }

    /// <summary>
    /// Opens <paramref name="path"/> with ONNX Runtime and checks its inputs, outputs and metadata.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load, or lacks an input or output this session needs (the message names it and lists what the graph has).</exception>
    /// <exception cref="InvalidOperationException">The device is CUDA and ONNX Runtime's CUDA provider is unavailable (the message says which package to add).</exception>
    public static OnnxBertSession Load(string path, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new OnnxSessionOptions();
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"ONNX model not found: {fullPath}", fullPath);
        InferenceSession session;
        using (var sessionOptions = ExecutionProviders.Create(options))
        {
            try { session = new InferenceSession(fullPath, sessionOptions); }
            catch (OnnxRuntimeException e) { throw new InvalidDataException($"{fullPath}: ONNX Runtime cannot load it: {e.Message}", e); }
        }
        try
        {
            var signature = GraphSignature.Read(fullPath, session.InputMetadata, session.OutputMetadata);
            var metadata = session.ModelMetadata;
            int? classCount = signature.Task == OnnxModelTask.Classifier ? signature.LogitsSize : null;
            var info = OnnxModelInfo.From(fullPath, metadata.ProducerName, metadata.CustomMetadataMap, signature.Task,
                signature.HiddenSize, classCount, signature.HasPooler, signature.HasTokenTypeIds);
            signature.CheckAgainst(info.Task, fullPath);
            return new OnnxBertSession(session, signature, info);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a padded batch. Returns (batch, seqLen, hidden) hidden states, the (batch, hidden) pooler output when the
    /// graph has one, (batch, labels) logits for a classifier, and — with <paramref name="maskedLmLogProbabilities"/>
    /// on a fill-mask graph — (batch, seqLen, vocab) log-probabilities, as <see cref="BertModel.Forward"/> does.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is longer than the exported maximum, or holds ids outside the model's tables.</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime failed; the message names the file and the batch shape.</exception>
    public BertOutput Forward(BertBatch batch, bool maskedLmLogProbabilities = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Validate(batch);
        int b = batch.Batch, s = batch.SeqLen, n = b * s, h = _signature.HiddenSize;
        long[] shape = [b, s];

        var outputNames = new List<string> { "last_hidden_state" };
        var outputArrays = new List<(float[] Array, long[] Shape)> { (new float[n * h], [b, s, h]) };
        float[]? pooled = null, logits = null, mlm = null;
        if (_signature.HasPooler)
        {
            pooled = new float[b * h];
            outputNames.Add("pooler_output");
            outputArrays.Add((pooled, [b, h]));
        }
        if (_signature.Task == OnnxModelTask.Classifier)
        {
            int labels = _signature.LogitsSize!.Value;
            logits = new float[b * labels];
            outputNames.Add("logits");
            outputArrays.Add((logits, [b, labels]));
        }
        else if (_signature.Task == OnnxModelTask.FillMask && maskedLmLogProbabilities)
        {
            int vocab = _signature.LogitsSize!.Value;
            mlm = new float[(long)n * vocab <= Array.MaxLength ? n * vocab : throw new ArgumentException($"A batch of {b}×{s} tokens needs more than {Array.MaxLength} log-probabilities; run smaller batches.", nameof(batch))];
            outputNames.Add("logits");
            outputArrays.Add((mlm, [b, s, vocab]));
        }

        var inputs = new List<OrtValue>(3);
        var outputs = new List<OrtValue>(outputArrays.Count);
        try
        {
            inputs.Add(OrtValue.CreateTensorValueFromMemory(ToInt64(batch.InputIds), shape));
            inputs.Add(OrtValue.CreateTensorValueFromMemory(ToInt64(batch.AttentionMask), shape));
            if (_signature.HasTokenTypeIds) inputs.Add(OrtValue.CreateTensorValueFromMemory(ToInt64(batch.TokenTypeIds), shape));
            foreach (var (array, dims) in outputArrays) outputs.Add(OrtValue.CreateTensorValueFromMemory(array, dims));
            using var runOptions = new RunOptions();
            _session.Run(runOptions, _inputNames, inputs, outputNames, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"{Info.ModelPath}: ONNX Runtime failed on a batch of {b} sequences of length {s}: {e.Message}", e);
        }
        finally
        {
            foreach (var value in inputs) value.Dispose();
            foreach (var value in outputs) value.Dispose();
        }
        if (mlm is not null) LogSoftmaxRows(mlm, _signature.LogitsSize!.Value);
        return new BertOutput { Batch = b, SeqLen = s, LastHiddenState = outputArrays[0].Array, PoolerOutput = pooled, Logits = logits, MaskedLmLogProbabilities = mlm };
    }

    // The checks BertModel makes, against what the graph and its metadata say, so that errors name the problem rather
    // than surfacing as an out-of-range Gather inside ONNX Runtime.
    private void Validate(BertBatch batch)
    {
        int s = batch.SeqLen;
        if (Info.MaxSequenceLength is int max && s > max)
            throw new ArgumentException($"Sequences of length {s} exceed the maximum of {max} that {Info.ModelPath} was exported with; truncate them or export again with a larger --max-sequence-length.", nameof(batch));
        int? vocab = Info.Config?.VocabSize ?? (_signature.Task == OnnxModelTask.FillMask ? _signature.LogitsSize : null);
        int? types = Info.Config?.TypeVocabSize;
        for (int i = 0; i < batch.InputIds.Length; i++)
        {
            if (batch.InputIds[i] < 0 || (vocab is int v && batch.InputIds[i] >= v))
                throw new ArgumentException($"Sequence {i / s}, position {i % s}: input id {batch.InputIds[i]} is outside the vocabulary{(vocab is null ? "" : $" (size {vocab})")}.", nameof(batch));
            int type = batch.TokenTypeIds[i];
            if (type < 0 || (types is int t && type >= t) || (type != 0 && !_signature.HasTokenTypeIds))
                throw new ArgumentException($"Sequence {i / s}, position {i % s}: token type id {type} is not accepted by {Info.ModelPath}{(_signature.HasTokenTypeIds ? "" : " (the graph has no token_type_ids input)")}.", nameof(batch));
            if (batch.AttentionMask[i] is not (0 or 1))
                throw new ArgumentException($"Sequence {i / s}, position {i % s}: attention mask value {batch.AttentionMask[i]} is not 0 or 1.", nameof(batch));
        }
    }

    private static long[] ToInt64(int[] values)
    {
        var result = new long[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    // log_softmax over each row of `vocab` logits, in place: x − max − log Σ exp(x − max).
    private static void LogSoftmaxRows(float[] values, int vocab)
    {
        int rows = values.Length / vocab;
        Parallel.For(0, rows, () => new float[vocab], (r, _, scratch) =>
        {
            var row = values.AsSpan(r * vocab, vocab);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Exp(row, scratch);
            TensorPrimitives.Subtract(row, MathF.Log(TensorPrimitives.Sum(scratch)), row);
            return scratch;
        }, _ => { });
    }

    /// <summary>
    /// The tokenizer the model expects: the <c>vocab.txt</c> beside the .onnx file (as the exporter writes it) with the
    /// settings recorded in the metadata (or, failing those, a <c>tokenizer_config.json</c> beside it, or the defaults).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no vocab.txt beside the model.</exception>
    public BertTokenizer CreateTokenizer()
    {
        string directory = Path.GetDirectoryName(Info.ModelPath)!, vocab = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(vocab)) throw new FileNotFoundException($"{Info.ModelPath} has no vocab.txt beside it; export writes one there.", vocab);
        return Info.TokenizerOptions is { } options ? new BertTokenizer(Vocabulary.Load(vocab), options) : BertTokenizer.Load(vocab);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _session.Dispose();
    }
}
