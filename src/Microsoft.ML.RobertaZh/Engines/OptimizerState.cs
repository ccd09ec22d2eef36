namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// AdamW's state in an engine-neutral form: the moments laid out like the parameters
/// (<see cref="Model.BertParameterLayout"/> order) and the number of steps taken (torch's <c>state['step']</c>). Any
/// training engine can export and import it, so a run checkpointed on one engine continues on another.
/// </summary>
/// <param name="Step">Optimizer steps taken so far.</param>
/// <param name="FirstMoment">The first moments (<c>exp_avg</c>), one per parameter.</param>
/// <param name="SecondMoment">The second moments (<c>exp_avg_sq</c>), one per parameter.</param>
public sealed record OptimizerState(long Step, float[] FirstMoment, float[] SecondMoment)
{
    /// <summary>A state with no steps taken and zero moments for <paramref name="parameterCount"/> parameters.</summary>
    public static OptimizerState Empty(int parameterCount) => new(0, new float[parameterCount], new float[parameterCount]);
}
