using Microsoft.ML.RobertaZh.Data;

#pragma warning disable CA1822 // Catalog operations are instance members, as in ML.NET, so they are reached from the context.
namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>Binary classification (ML.NET's <c>mlContext.BinaryClassification</c>): evaluation here, trainers as extension methods on <see cref="Trainers"/>.</summary>
public sealed class BinaryClassificationCatalog
{
    internal BinaryClassificationCatalog(RobertaZhContext context)
    {
        Context = context;
        Trainers = new BinaryClassificationTrainers(context);
    }

    /// <summary>The context this catalog belongs to.</summary>
    public RobertaZhContext Context { get; }

    /// <summary>Where trainers are added (by extension methods).</summary>
    public BinaryClassificationTrainers Trainers { get; }

    /// <summary>Evaluates a scored view; see <see cref="Evaluator.EvaluateBinary(IDataView, string, string, string, string, string?)"/>.</summary>
    public BinaryClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel", string? positiveClass = null) =>
        Evaluator.EvaluateBinary(data, labelColumnName, scoreColumnName, probabilityColumnName, predictedLabelColumnName, positiveClass);

    /// <summary>The trainers of binary classification; trainers are extension methods on this class.</summary>
    public sealed class BinaryClassificationTrainers
    {
        internal BinaryClassificationTrainers(RobertaZhContext context) => Context = context;

        /// <summary>The context this catalog belongs to.</summary>
        public RobertaZhContext Context { get; }
    }
}

/// <summary>Multiclass classification (ML.NET's <c>mlContext.MulticlassClassification</c>): evaluation here, trainers as extension methods on <see cref="Trainers"/>.</summary>
public sealed class MulticlassClassificationCatalog
{
    internal MulticlassClassificationCatalog(RobertaZhContext context)
    {
        Context = context;
        Trainers = new MulticlassClassificationTrainers(context);
    }

    /// <summary>The context this catalog belongs to.</summary>
    public RobertaZhContext Context { get; }

    /// <summary>Where trainers are added (by extension methods).</summary>
    public MulticlassClassificationTrainers Trainers { get; }

    /// <summary>Evaluates a scored view; see <see cref="Evaluator.EvaluateMulticlass(IDataView, string, string, string, int, IReadOnlyList{string}?, IReadOnlyList{double}?)"/>.</summary>
    public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", int topKPredictionCount = 0, IReadOnlyList<string>? classNames = null,
        IReadOnlyList<double>? priorProbabilities = null) =>
        Evaluator.EvaluateMulticlass(data, labelColumnName, scoreColumnName, predictedLabelColumnName, topKPredictionCount, classNames, priorProbabilities);

    /// <summary>The trainers of multiclass classification; trainers are extension methods on this class.</summary>
    public sealed class MulticlassClassificationTrainers
    {
        internal MulticlassClassificationTrainers(RobertaZhContext context) => Context = context;

        /// <summary>The context this catalog belongs to.</summary>
        public RobertaZhContext Context { get; }
    }
}
