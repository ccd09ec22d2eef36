using Microsoft.ML.RobertaZh.Hosting;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>Pretraining and sentence embeddings in <c>mlContext.Transforms.Text</c>.</summary>
public static class RobertaTextCatalog
{
    /// <summary>
    /// Appends a sentence embedding (Vector&lt;Single, hidden&gt;) of <paramref name="inputColumnName"/> computed by the
    /// encoder in <paramref name="modelPath"/> (any Hugging Face, UER-py or own BERT/RoBERTa directory with vocab.txt),
    /// so that any ML.NET trainer can follow: <c>RobertaEmbedding → SdcaLogisticRegression</c>.
    /// </summary>
    public static RobertaEmbeddingEstimator RobertaEmbedding(this TransformsCatalog.TextTransforms catalog, string outputColumnName = "Features",
        string inputColumnName = "Text", string? modelPath = null, EmbeddingPooling pooling = EmbeddingPooling.Cls, int maxSequenceLength = 128, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return new RobertaEmbeddingEstimator(Interop.EnvironmentOf(catalog), outputColumnName, inputColumnName, modelPath, pooling, maxSequenceLength, batchSize);
    }

    /// <summary>
    /// Appends a sentence embedding as <see cref="RobertaEmbedding(TransformsCatalog.TextTransforms, string, string, string?, EmbeddingPooling, int, int)"/>
    /// does, with every setting in <paramref name="options"/>, including the engine (managed, TorchSharp or ONNX Runtime),
    /// the device and the arithmetic.
    /// </summary>
    public static RobertaEmbeddingEstimator RobertaEmbedding(this TransformsCatalog.TextTransforms catalog, RobertaEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaEmbeddingEstimator(Interop.EnvironmentOf(catalog), options);
    }

    /// <summary>Masked-LM pretraining whose fit (on a text column, or on <see cref="RobertaPretrainOptions.CorpusPath"/>) gives an encoder transformer.</summary>
    public static RobertaPretrainEstimator PretrainRoberta(this TransformsCatalog.TextTransforms catalog, RobertaPretrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaPretrainEstimator(Interop.EnvironmentOf(catalog), options);
    }
}
