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

    /// <summary>The trainers of multiclass classification; trainers are extension methods on this class.</summary>
    public sealed class MulticlassClassificationTrainers
    {
        internal MulticlassClassificationTrainers(RobertaZhContext context) => Context = context;

        /// <summary>The context this catalog belongs to.</summary>
        public RobertaZhContext Context { get; }
    }
}
