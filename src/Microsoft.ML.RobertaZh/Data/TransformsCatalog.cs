#pragma warning disable CA1822 // Catalog operations are instance members, as in ML.NET, so they are reached from the context.
namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Column transforms (ML.NET's <c>mlContext.Transforms</c>).</summary>
public sealed class TransformsCatalog
{
    internal TransformsCatalog(RobertaZhContext context)
    {
        Context = context;
        Conversion = new ConversionTransforms(context);
    }

    /// <summary>The context this catalog belongs to.</summary>
    public RobertaZhContext Context { get; }

    /// <summary>Type conversions (value ↔ key).</summary>
    public ConversionTransforms Conversion { get; }

    /// <summary>Copies <paramref name="inputColumnName"/> to a new column <paramref name="outputColumnName"/>.</summary>
    public ColumnCopyingEstimator CopyColumns(string outputColumnName, string inputColumnName) => new(outputColumnName, inputColumnName);

    /// <summary>Conversion transforms (ML.NET's <c>mlContext.Transforms.Conversion</c>).</summary>
    public sealed class ConversionTransforms
    {
        internal ConversionTransforms(RobertaZhContext context) => Context = context;

        /// <summary>The context this catalog belongs to.</summary>
        public RobertaZhContext Context { get; }

        /// <summary>
        /// Maps the values of <paramref name="inputColumnName"/> (text or numbers; default: the output name) to a key
        /// column <paramref name="outputColumnName"/>, learning the dictionary at <c>Fit</c> (in order of first
        /// occurrence, or sorted with <see cref="KeyOrdinality.ByValue"/>). Unseen values map to key 0 (missing).
        /// </summary>
        public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null,
            KeyOrdinality keyOrdinality = KeyOrdinality.ByOccurrence) =>
            new(outputColumnName, inputColumnName ?? outputColumnName, keyOrdinality);
    }
}
