namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Something that learns a transformer from data (ML.NET's <c>IEstimator</c>). <see cref="GetOutputSchema"/> checks
/// the input columns and describes the output before any data is read; <see cref="Fit"/> trains.
/// </summary>
/// <typeparam name="TTransformer">The transformer <see cref="Fit"/> returns.</typeparam>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer.</summary>
    TTransformer Fit(IDataView input);

    /// <summary>The schema the fitted transformer will output for <paramref name="inputSchema"/>; throws when a needed column is missing or of the wrong type.</summary>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);
}

/// <summary>A fitted transform of data views (ML.NET's <c>ITransformer</c>): <see cref="Transform"/> is lazy.</summary>
public interface ITransformer
{
    /// <summary>True when each output row depends on one input row only.</summary>
    bool IsRowToRowMapper { get; }

    /// <summary>The schema <see cref="Transform"/> outputs for <paramref name="inputSchema"/>.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>A lazy view of <paramref name="input"/> transformed: nothing is computed until it is cursored.</summary>
    IDataView Transform(IDataView input);
}

/// <summary>Composing estimators into pipelines (ML.NET's <c>Append</c>).</summary>
public static class EstimatorExtensions
{
    /// <summary>A pipeline: <paramref name="start"/> then <paramref name="estimator"/>, each fitted on the output of the previous.</summary>
    public static EstimatorChain<TTrans> Append<TTrans>(this IEstimator<ITransformer> start, IEstimator<TTrans> estimator)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(estimator);
        var head = start as EstimatorChain<ITransformer> ?? (start is IEstimatorChain chain ? chain.AsChain() : new EstimatorChain<ITransformer>([start]));
        return head.Append(estimator);
    }

    /// <summary>A pipeline: transformer <paramref name="start"/> (already fitted) then <paramref name="estimator"/>.</summary>
    public static EstimatorChain<TTrans> Append<TTrans>(this ITransformer start, IEstimator<TTrans> estimator)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        return new EstimatorChain<ITransformer>([new FittedEstimator(start)]).Append(estimator);
    }
}

/// <summary>Lets <see cref="EstimatorExtensions.Append{TTrans}(IEstimator{ITransformer}, IEstimator{TTrans})"/> extend any chain.</summary>
internal interface IEstimatorChain
{
    EstimatorChain<ITransformer> AsChain();
}

/// <summary>An estimator that is already fitted: <see cref="Fit"/> returns the transformer.</summary>
internal sealed class FittedEstimator(ITransformer transformer) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input) => transformer;

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        SchemaShape.Create(transformer.GetOutputSchema(inputSchema.ToSchema()));
}

/// <summary>
/// Estimators in sequence (ML.NET's <c>EstimatorChain</c>): <see cref="Fit"/> fits each on the data transformed by the
/// ones before it and returns the <see cref="TransformerChain{TLastTransformer}"/> of the fitted transformers.
/// </summary>
/// <typeparam name="TLastTransformer">The transformer of the last estimator.</typeparam>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>, IEstimatorChain
    where TLastTransformer : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;

    /// <summary>An empty chain (Fit returns an empty transformer chain).</summary>
    public EstimatorChain() => _estimators = [];

    internal EstimatorChain(IEstimator<ITransformer>[] estimators) => _estimators = estimators;

    /// <summary>The estimators, in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators;

    /// <summary>This chain followed by <paramref name="estimator"/>.</summary>
    public EstimatorChain<TNewTrans> Append<TNewTrans>(IEstimator<TNewTrans> estimator) where TNewTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNewTrans>([.. _estimators, estimator]);
    }

    /// <inheritdoc/>
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var fitted = new ITransformer[_estimators.Length];
        var current = input;
        for (int i = 0; i < _estimators.Length; i++)
        {
            fitted[i] = _estimators[i].Fit(current);
            if (i + 1 < _estimators.Length) current = fitted[i].Transform(current);
        }

        return new TransformerChain<TLastTransformer>(fitted);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var e in _estimators) s = e.GetOutputSchema(s);
        return s;
    }

    EstimatorChain<ITransformer> IEstimatorChain.AsChain() => new(_estimators);
}

/// <summary>Fitted transformers in sequence (ML.NET's <c>TransformerChain</c>): <see cref="Transform"/> applies each in turn, lazily.</summary>
/// <typeparam name="TLastTransformer">The type of the last transformer.</typeparam>
public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>
    where TLastTransformer : class, ITransformer
{
    private readonly ITransformer[] _transformers;

    /// <summary>A chain of <paramref name="transformers"/>; the last must be a <typeparamref name="TLastTransformer"/> (unless the chain is empty).</summary>
    public TransformerChain(params ITransformer[] transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        if (transformers.Length > 0 && transformers[^1] is not TLastTransformer)
            throw new ArgumentException($"The last transformer must be a {typeof(TLastTransformer).Name}.", nameof(transformers));
        _transformers = [.. transformers];
    }

    /// <summary>The last transformer (for example the trained model), or null for an empty chain.</summary>
    public TLastTransformer? LastTransformer => _transformers.Length == 0 ? null : (TLastTransformer)_transformers[^1];

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var s = inputSchema;
        foreach (var t in _transformers) s = t.GetOutputSchema(s);
        return s;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        var v = input;
        foreach (var t in _transformers) v = t.Transform(v);
        return v;
    }

    /// <inheritdoc/>
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
