using Microsoft.ML.RobertaZh.TorchSharp.Modules;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>The engine's dropout: torch's semantics (zero with probability p, scale the rest by 1/(1 − p)), its own generator.</summary>
public class DropoutTests
{
    [TorchSharpFact]
    public void DropsAboutPAndScalesTheRestAndRepeatsWithTheSeed()
    {
        using var generator = new Generator(123);
        var drop = new TorchBert.Dropout(0.3, 0, 0, generator);
        using var all = ones(200_000);
        using var first = drop.Apply(all, 0.3);
        var values = first.data<float>().ToArray();
        double zeros = values.Count(v => v == 0) / (double)values.Length;
        Assert.InRange(zeros, 0.29, 0.31);
        Assert.All(values.Where(v => v != 0), v => Assert.Equal(1 / 0.7f, v, 1e-6f));

        generator.manual_seed(123);
        using var again = drop.Apply(all, 0.3);
        Assert.Equal(values, again.data<float>().ToArray());
        using var none = drop.Apply(all, 0);
        Assert.Equal(values.Length, none.data<float>().ToArray().Count(v => v == 1));
    }
}
