using Microsoft.ML.RobertaZh.Display;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Display;

/// <summary>
/// The formatter sources, in process (NotebookKernelTests checks them in the real kernel): the attribute on each type
/// in the shape the kernel looks for, HTML that encodes what it shows, plain text.
/// </summary>
public class DisplaySourceTests
{
    private static string Format(object value, string mime)
    {
        // What the kernel does: read the attribute by name, create the source, pick the formatter by MimeType.
        var attribute = value.GetType().GetCustomAttributes(false).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        Assert.Equal(["text/html"], (string[])attribute.GetType().GetProperty("PreferredMimeTypes")!.GetValue(attribute)!);
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = (IEnumerable<object>)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!;
        var formatter = formatters.Single(f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)! == mime);
        Assert.Equal(value.GetType(), (Type)formatter.GetType().GetProperty("Type")!.GetValue(formatter)!);
        using var writer = new StringWriter();
        Assert.True((bool)formatter.GetType().GetMethod("Format")!.Invoke(formatter, [value, writer])!);
        Assert.False((bool)formatter.GetType().GetMethod("Format")!.Invoke(formatter, [new object(), new StringWriter()])!);
        return writer.ToString();
    }

    [Fact]
    public void FillMaskResultShowsTokenProbabilityAndSentenceEncoded()
    {
        var r = new FillMaskResult("a <b> & c", 0.0537f, 5, "<b>");
        Assert.Equal("<span class=\"robertazh-fill-mask\"><b>&lt;b&gt;</b> 5.4% <span style=\"color:#777\">a &lt;b&gt; &amp; c</span></span>", Format(r, "text/html"));
        Assert.Equal("<b> 5.4%  a <b> & c", Format(r, "text/plain"));
    }

    [Fact]
    public void CheckpointLoadReportListsWhatDidNotMatch()
    {
        var report = new CheckpointLoadReport { SourcePath = "m/model.bin", Missing = ["classifier.weight", "classifier.bias"], Unexpected = [], Ignored = ["cls.seq_relationship.weight"] };
        string html = Format(report, "text/html");
        Assert.Contains("some weights did not match", html, StringComparison.Ordinal);
        Assert.Contains("2: <code>classifier.weight</code>, <code>classifier.bias</code>", html, StringComparison.Ordinal);
        Assert.Contains("<td style=\"padding:1px 8px;text-align:right;font-family:monospace\">none</td>", html, StringComparison.Ordinal);
        Assert.Equal(report.ToString(), Format(report, "text/plain"));
    }

    [Fact]
    public void TrainingProgressShowsStepSpeedAndEvaluation()
    {
        var p = new TrainingProgress
        {
            Step = 1200, TotalSteps = 5000, Epoch = 0.25, Loss = 3.25, LearningRate = 5e-4, GradientNorm = 1.5, TokensPerSecond = 12345.6,
            Elapsed = TimeSpan.FromSeconds(3725), Remaining = TimeSpan.FromSeconds(61), Evaluation = new Dictionary<string, double> { ["accuracy"] = 0.875 },
        };
        string html = Format(p, "text/html");
        foreach (string fragment in (string[])[">1,200 / 5,000<", ">0.25<", ">3.2500<", ">5E-4<", ">12,346<", ">1:02:05<", ">0:01:01<", ">held-out accuracy<", ">0.8750<"])
            Assert.Contains(fragment, html, StringComparison.Ordinal);
        Assert.DoesNotContain("masked-LM", html, StringComparison.Ordinal);   // NaN: not a pretraining report
    }

    [Fact]
    public void EpochMetricsShowsItsValidationMetrics()
    {
        var e = new EpochMetrics(4, 56, 0.8333, 0.4321, 2.25);
        string html = Format(e, "text/html");
        Assert.Contains("<caption style=\"text-align:left;font-weight:bold\">Validation after epoch 4</caption>", html, StringComparison.Ordinal);
        foreach (string cell in (string[])[">4 ★</td>", ">56</td>", ">0.833</td>", ">0.432</td>", ">2.3</td>"])
            Assert.Contains(cell, html, StringComparison.Ordinal);
        Assert.Equal("epoch 4 (step 56): validation accuracy 0.833, log-loss 0.432, 2.3 s", Format(e, "text/plain"));
    }

    [Fact]
    public void ClassifierPredictionShowsEveryClassesProbabilityEncoded()
    {
        var p = new ClassifierPrediction("<pos>", [0.125f, 0.875f], ["neg", "<pos>"]);
        string html = Format(p, "text/html");
        Assert.Contains(">P(&lt;pos&gt;)</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td style=\"padding:1px 8px;text-align:left\">&lt;pos&gt;</td>", html, StringComparison.Ordinal);
        Assert.Contains(">0.875</td>", html, StringComparison.Ordinal);
        Assert.Equal("<pos>  (P(neg) = 0.125, P(<pos>) = 0.875)", Format(p, "text/plain"));
    }

    [Fact]
    public void OnlyOurOwnDisplayTypesCarryTheAttribute()
    {
        var decorated = typeof(FillMaskResult).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes(false).Any(a => a.GetType().Name == "TypeFormatterSourceAttribute")).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["CheckpointLoadReport", "ClassifierPrediction", "EpochMetrics", "FillMaskResult", "SweepResult", "TrainingProgress"], decorated);
        Assert.DoesNotContain(typeof(FillMaskResult).Assembly.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
        Assert.False(typeof(TypeFormatterSourceAttribute).IsPublic);
    }
}
