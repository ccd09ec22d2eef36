using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Evaluation of a RoBERTa classifier's predictions with the model's own classes, whatever the label type: labels are
/// mapped to the model's classes (so numeric labels such as 3/7, or text such as "A"/"B", are evaluated correctly), rows
/// without a label are left out, and the binary positive class is the model's second class.
/// </summary>
public static class RobertaClassifierEvaluation
{
    /// <summary>Binary metrics of <paramref name="predictions"/> (the output of <paramref name="model"/>'s Transform).</summary>
    /// <exception cref="InvalidOperationException">A label is not one of the model's classes.</exception>
    public static BinaryClassificationMetrics Evaluate(this BinaryClassificationCatalog catalog, IDataView predictions, RobertaClassifierTransformer model, string? labelColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        if (model.Classes.Count != 2) throw new ArgumentException($"The model has {model.Classes.Count} classes; binary evaluation needs 2.", nameof(model));
        string label = labelColumnName ?? model.LabelColumnName;
        var view = WithClassLabels(predictions, model, label, BooleanDataViewType.Instance, index => index == 1);
        return Evaluator.EvaluateBinary(view, label, model.ScoreColumnName, model.ProbabilityColumnName ?? "Probability", model.PredictedLabelColumnName);
    }

    /// <summary>Multiclass metrics of <paramref name="predictions"/> (the output of <paramref name="model"/>'s Transform).</summary>
    /// <exception cref="InvalidOperationException">A label is not one of the model's classes.</exception>
    public static MulticlassClassificationMetrics Evaluate(this MulticlassClassificationCatalog catalog, IDataView predictions, RobertaClassifierTransformer model,
        string? labelColumnName = null, int topKPredictionCount = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        string label = labelColumnName ?? model.LabelColumnName;
        var view = WithClassLabels(predictions, model, label, new KeyDataViewType((ulong)model.Classes.Count), index => (uint)(index + 1));
        return Evaluator.EvaluateMulticlass(view, label, model.ScoreColumnName, model.PredictedLabelColumnName, topKPredictionCount, model.Classes);
    }

    /// <summary>The labeled rows of <paramref name="predictions"/> with the label column replaced by the class (as <paramref name="type"/>).</summary>
    private static MappedDataView WithClassLabels(IDataView predictions, RobertaClassifierTransformer model, string label, DataViewType type, Func<int, object> toValue)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var column = predictions.Schema[label];
        var labels = model.LabelMap;
        var labeled = new DerivedDataView(predictions.Schema, (active, rand) =>
        {
            active[column.Index] = true;
            return DataViewRows.Read(predictions, active, rand).Where(row => !LabelMap.IsMissing(row[column.Index]));
        }, () => null);
        return new MappedDataView(labeled, [label], [(label, type, null)], (inputs, outputs) =>
        {
            for (int r = 0; r < inputs.Count; r++)
            {
                int index;
                try
                {
                    index = labels.IndexOf(inputs[r][0]);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidOperationException(e.Message, e);
                }
                outputs[r][0] = toValue(index);
            }
        });
    }
}
