using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Hosting;

/// <summary>
/// Wraps a training batch source so that ML.NET's cancel flag (<c>MLContext.CancelExecution</c>, read through
/// <see cref="Interop.IsCanceled"/>) cancels the given source before the next batch: the training loop then
/// stops at the end of the update (after a checkpoint) as it does for a CancellationToken.
/// </summary>
internal sealed class CancelAwareBatchSource(ITrainingBatchSource inner, IHost host, CancellationTokenSource stop) : ITrainingBatchSource
{
    public double Epoch => inner.Epoch;

    public BertBatch NextBatch()
    {
        if (Interop.IsCanceled(host)) stop.Cancel();
        return inner.NextBatch();
    }

    public string SavePosition() => inner.SavePosition();

    public void RestorePosition(string position) => inner.RestorePosition(position);
}
