using Microsoft.ML.RobertaZh.Hosting;

namespace Microsoft.ML.RobertaZh.Tests.Hosting;

/// <summary>One canary per reflection touch-point: each fails loudly when an ML.NET upgrade moves the internal member, and each fallback is exercised.</summary>
public class InteropTests
{
    [Fact]
    public void SchemaShapeColumnConstructorIsFoundAndTheFallbackGivesTheSameTypes()
    {
        Assert.True(Interop.HasColumnConstructor, "SchemaShape.Column's 5-argument constructor is gone: update Interop.TryColumn.");
        var column = Interop.TryColumn("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false)!.Value;
        Assert.Equal(("Score", SchemaShape.Column.VectorKind.Vector, (DataViewType)NumberDataViewType.Single, false), (column.Name, column.Kind, column.ItemType, column.IsKey));

        var ml = new MLContext();
        var shape = Interop.ShapeOf(ml.Data.LoadFromEnumerable(new List<Row>()).Schema);
        var scalar = Interop.FallbackColumn(shape, "Text", "Score", NumberDataViewType.Single, vector: false);
        Assert.Equal((SchemaShape.Column.VectorKind.Scalar, (DataViewType)NumberDataViewType.Single), (scalar.Kind, scalar.ItemType));
        var boolean = Interop.FallbackColumn(shape, "Text", "PredictedLabel", BooleanDataViewType.Instance, vector: false);
        Assert.Equal(BooleanDataViewType.Instance, boolean.ItemType);
        var vector = Interop.FallbackColumn(shape, "Text", "Features", NumberDataViewType.Single, vector: true);
        Assert.Equal((SchemaShape.Column.VectorKind.Vector, (DataViewType)NumberDataViewType.Single), (vector.Kind, vector.ItemType));
    }

    [Fact]
    public void CatalogEnvironmentIsTheContextsSoLogsReachIt()
    {
        Assert.True(Interop.HasCatalogEnvironment, "IInternalCatalog.Environment is gone: update Interop.EnvironmentOf.");
        var ml = new MLContext(seed: 3);
        var messages = new List<string>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("canary", StringComparison.Ordinal)) messages.Add(e.RawMessage); };
        var env = Interop.EnvironmentOf(ml.BinaryClassification.Trainers);
        using (var ch = env.Register("canary").Start("test")) ch.Info(MessageSensitivity.None, "hello");
        Assert.Contains("hello", messages);
        Assert.NotNull(Interop.EnvironmentOf(ml.Transforms.Text));
        Assert.NotNull(Interop.EnvironmentOf(ml.Model));
        var fallback = Assert.Throws<NotSupportedException>(() => Interop.EnvironmentOf(new object()));
        Assert.Contains("new RobertaClassifierEstimator(mlContext", fallback.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostCancelFlagFollowsCancelExecution()
    {
        Assert.True(Interop.HasCancelFlag, "ICancelable.IsCanceled is gone: update Interop.IsCanceled.");
        var ml = new MLContext();
        var host = Interop.EnvironmentOf(ml.Model).Register("canary");
        Assert.False(Interop.IsCanceled(host));
        // MLContext.CancelExecution is internal; the same interface is how AutoML cancels a trial.
        var cancel = host.GetType().GetInterfaces().Single(i => i.Name == "ICancelable").GetMethod("CancelExecution")!;
        cancel.Invoke(Interop.EnvironmentOf(ml.Model), null);
        Assert.True(Interop.IsCanceled(host));
        Assert.False(Interop.IsCanceled(null)); // fallback: unknown means not cancelled
    }

    [Fact]
    public void EnvironmentSettingsAreReadAndFallBackToDefaults()
    {
        Assert.True(Interop.HasEnvironmentSettings, "IHostEnvironmentInternal's GpuDeviceId/FallbackToCpu/TempFilePath are gone: update Interop.");
        var ml = new MLContext { GpuDeviceId = 1, FallbackToCpu = false, TempFilePath = "/tmp/robertazh-canary" };
        Assert.Equal(1, Interop.GpuDeviceId(ml));
        Assert.False(Interop.FallbackToCpu(ml));
        Assert.Equal("/tmp/robertazh-canary", Interop.TempFilePath(ml));
        var env = Interop.EnvironmentOf(ml.Model);
        Assert.Equal(1, Interop.GpuDeviceId(env));
        Assert.Null(Interop.GpuDeviceId(new MLContext()));
        Assert.Equal(7, Interop.Read(new object(), typeof(string).GetProperty("Length"), 7)); // not the interface: the fallback
    }

    public sealed class Row
    {
        public string Text { get; set; } = "";
    }
}
