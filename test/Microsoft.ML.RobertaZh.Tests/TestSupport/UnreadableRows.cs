namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>
/// Rows that throw as soon as anyone enumerates them: wrapped in <c>LoadFromEnumerable</c>, a data view whose schema is
/// real but whose rows must not be read, so a test proves an estimator fails (wrong label type, missing engine, bad
/// device) before it touches the data.
/// </summary>
internal static class UnreadableRows
{
    /// <summary>An iterator of <typeparamref name="T"/> that throws <see cref="InvalidOperationException"/> when first moved.</summary>
    public static IEnumerable<T> Of<T>()
    {
        throw new InvalidOperationException("the data was read");
#pragma warning disable CS0162 // Unreachable: an iterator that fails as soon as it is enumerated.
        yield break;
#pragma warning restore CS0162
    }
}
