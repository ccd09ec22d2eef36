using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Training;

public class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(5, 0.5)]
    [InlineData(10, 1.0)]
    [InlineData(55, 0.5)]
    [InlineData(100, 0.0)]
    [InlineData(150, 0.0)]
    public void WarmsUpThenDecaysLinearlyToZero(long step, double factor)
    {
        var s = new LearningRateSchedule(1e-4f, WarmupSteps: 10, TotalSteps: 100);
        Assert.Equal(1e-4 * factor, s.At(step), 9);
    }

    [Fact]
    public void WarmupProportionIsTruncatedAsUerDoes()
    {
        var s = LearningRateSchedule.WithWarmupProportion(1f, 0.1, 305);
        Assert.Equal(30, s.WarmupSteps);
    }

    [Fact]
    public void NoWarmupStartsAtThePeak() => Assert.Equal(2f, new LearningRateSchedule(2f, 0, 10).At(0));
}
