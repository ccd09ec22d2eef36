using System.Reflection;

namespace Microsoft.ML.RobertaZh.Hosting;

/// <summary>
/// Every place this library reaches into ML.NET's internals, read-only, each with a fallback and a canary test
/// (ML.NET issues #3243, #4911: outside components cannot do these through public API):
/// <list type="number">
/// <item>the non-public <c>SchemaShape.Column</c> constructor (fallback: ask public estimators for a column of the shape);</item>
/// <item><c>IInternalCatalog.Environment</c> of a catalog (fallback: the estimators' public constructors taking an <see cref="IHostEnvironment"/>, such as an <see cref="MLContext"/>);</item>
/// <item><c>ICancelable.IsCanceled</c> of a host, which <c>MLContext.CancelExecution</c> sets (fallback: only the CancellationToken stops work);</item>
/// <item><c>IHostEnvironmentInternal</c>'s <c>GpuDeviceId</c>, <c>FallbackToCpu</c> and <c>TempFilePath</c> (fallback: CPU, fall back allowed, the system temp folder).</item>
/// </list>
/// Nothing is written into ML.NET.
/// </summary>
internal static class Interop
{
    private static readonly ConstructorInfo? ColumnConstructor = typeof(SchemaShape.Column)
        .GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)
        .FirstOrDefault(c => c.GetParameters().Select(p => p.ParameterType).SequenceEqual(
            [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)]));

    private static readonly PropertyInfo? CatalogEnvironment = typeof(DataOperationsCatalog).GetInterfaces()
        .FirstOrDefault(i => i.Name == "IInternalCatalog")?.GetProperty("Environment");

    private static readonly Type? CancelableInterface = typeof(IHostEnvironment).Assembly.GetType("Microsoft.ML.Runtime.ICancelable");
    private static readonly PropertyInfo? IsCanceledProperty = CancelableInterface?.GetProperty("IsCanceled");

    private static readonly Type? EnvironmentInternal = typeof(IHostEnvironment).Assembly.GetType("Microsoft.ML.Runtime.IHostEnvironmentInternal");
    private static readonly PropertyInfo? GpuDeviceIdProperty = EnvironmentInternal?.GetProperty("GpuDeviceId");
    private static readonly PropertyInfo? FallbackToCpuProperty = EnvironmentInternal?.GetProperty("FallbackToCpu");
    private static readonly PropertyInfo? TempFilePathProperty = EnvironmentInternal?.GetProperty("TempFilePath");

    /// <summary>Touch-point 1 is bound (canary).</summary>
    internal static bool HasColumnConstructor => ColumnConstructor is not null;

    /// <summary>Touch-point 2 is bound (canary).</summary>
    internal static bool HasCatalogEnvironment => CatalogEnvironment is not null;

    /// <summary>Touch-point 3 is bound (canary).</summary>
    internal static bool HasCancelFlag => IsCanceledProperty is not null;

    /// <summary>Touch-point 4 is bound (canary).</summary>
    internal static bool HasEnvironmentSettings => GpuDeviceIdProperty is not null && FallbackToCpuProperty is not null && TempFilePathProperty is not null;

    /// <summary>
    /// A schema-shape column; null when the constructor is unavailable (callers then use <see cref="FallbackColumn"/>).
    /// Key columns are described by their raw item type with <paramref name="isKey"/> set, as ML.NET does.
    /// </summary>
    internal static SchemaShape.Column? TryColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
    {
        if (ColumnConstructor is null) return null;
        return (SchemaShape.Column)ColumnConstructor.Invoke([name, kind, itemType, isKey, annotations]);
    }

    /// <summary>The shape of a schema (visible columns with their annotations), as ML.NET's internal <c>SchemaShape.Create</c>.</summary>
    /// <exception cref="NotSupportedException">The constructor is unavailable.</exception>
    internal static SchemaShape ShapeOf(DataViewSchema schema)
    {
        var columns = new List<SchemaShape.Column>();
        foreach (var c in schema.Where(c => !c.IsHidden))
        {
            var annotations = c.Annotations.Schema.Select(a => ColumnOf(a.Name, a.Type, null)).ToList();
            columns.Add(ColumnOf(c.Name, c.Type, annotations.Count > 0 ? new SchemaShape(annotations) : null));
        }

        return new SchemaShape(columns);
    }

    /// <summary>The shape column of a column of <paramref name="type"/>.</summary>
    internal static SchemaShape.Column ColumnOf(string name, DataViewType type, SchemaShape? annotations)
    {
        var kind = type is VectorDataViewType v ? (v.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector) : SchemaShape.Column.VectorKind.Scalar;
        var item = type is VectorDataViewType vt ? vt.ItemType : type;
        bool isKey = item is KeyDataViewType;
        if (isKey) item = item.RawType == typeof(uint) ? NumberDataViewType.UInt32 : item.RawType == typeof(ulong) ? NumberDataViewType.UInt64
            : item.RawType == typeof(ushort) ? NumberDataViewType.UInt16 : NumberDataViewType.Byte;
        return TryColumn(name, kind, item, isKey, annotations)
            ?? throw new NotSupportedException("This ML.NET version's SchemaShape.Column constructor was not found; use Fit(data).GetOutputSchema(data.Schema) instead of GetOutputSchema(SchemaShape).");
    }

    /// <summary>
    /// Fallback for touch-point 1: columns of the wanted shapes produced by public ML.NET estimators on
    /// <paramref name="input"/> (whose <paramref name="textColumn"/> is text). Their annotations differ from ours.
    /// </summary>
    internal static SchemaShape.Column FallbackColumn(SchemaShape input, string textColumn, string name, DataViewType scalarOrVectorItem, bool vector, string? copyOf = null)
    {
        var ml = new MLContext();
        IEstimator<ITransformer> estimator = copyOf is not null ? ml.Transforms.CopyColumns(name, copyOf)
            : vector ? ml.Transforms.Text.FeaturizeText(name, textColumn)
            : ml.Transforms.Conversion.ConvertType(name, textColumn, scalarOrVectorItem is BooleanDataViewType ? DataKind.Boolean : DataKind.Single);
        var shape = estimator.GetOutputSchema(input);
        return shape.First(c => c.Name == name);
    }

    /// <summary>The host environment behind an ML.NET catalog (the MLContext's own, so logs reach <c>MLContext.Log</c>).</summary>
    /// <exception cref="NotSupportedException">The internal interface is unavailable; the message names the public alternative.</exception>
    internal static IHostEnvironment EnvironmentOf(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (CatalogEnvironment is null || !CatalogEnvironment.DeclaringType!.IsInstanceOfType(catalog))
            throw new NotSupportedException(
                "This ML.NET version does not expose its catalogs' environment; construct the estimator directly with your MLContext instead " +
                "(new RobertaClassifierEstimator(mlContext, options, task), new RobertaPretrainEstimator(mlContext, options), new RobertaEmbeddingEstimator(mlContext, ...)).");
        return (IHostEnvironment)CatalogEnvironment.GetValue(catalog)!;
    }

    /// <summary>True once <c>MLContext.CancelExecution</c> (what AutoML calls at its time budget) reached <paramref name="host"/>; false when unknown.</summary>
    internal static bool IsCanceled(IHost? host) =>
        host is not null && IsCanceledProperty is not null && CancelableInterface!.IsInstanceOfType(host) && (bool)IsCanceledProperty.GetValue(host)!;

    /// <summary>The GPU the user asked for (<c>MLContext.GpuDeviceId</c>), or null for the CPU (also when unknown).</summary>
    internal static int? GpuDeviceId(IHostEnvironment env) => Read<int?>(env, GpuDeviceIdProperty, null);

    /// <summary>Whether a GPU engine may fall back to the CPU (<c>MLContext.FallbackToCpu</c>); true when unknown.</summary>
    internal static bool FallbackToCpu(IHostEnvironment env) => Read(env, FallbackToCpuProperty, true);

    /// <summary>ML.NET's folder for temporary files (<c>MLContext.TempFilePath</c>); the system temp folder when unknown.</summary>
    internal static string TempFilePath(IHostEnvironment env) => Read<string?>(env, TempFilePathProperty, null) ?? Path.GetTempPath();

    /// <summary>A property of the environment's internal interface, or <paramref name="fallback"/> when it is unavailable.</summary>
    internal static T Read<T>(object env, PropertyInfo? property, T fallback)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (property is null || !property.DeclaringType!.IsInstanceOfType(env)) return fallback;
        return (T)property.GetValue(env)!;
    }
}
