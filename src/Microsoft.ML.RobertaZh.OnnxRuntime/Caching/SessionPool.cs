using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Caching;

/// <summary>The ONNX Runtime sessions of one engine: the encoder graph and, for a masked-LM model, the head graph.</summary>
internal sealed class SessionLease : IDisposable
{
    private readonly Action? _release;
    private int _released;

    public SessionLease(OnnxBertSession encoder, MaskedLmHeadSession? head, Action? release)
    {
        Encoder = encoder;
        MaskedLmHead = head;
        _release = release;
    }

    public OnnxBertSession Encoder { get; }

    public MaskedLmHeadSession? MaskedLmHead { get; }

    /// <summary>Gives the sessions back to the pool (which disposes them with the last lease), or disposes them when unpooled.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        if (_release is not null)
        {
            _release();
            return;
        }
        Encoder.Dispose();
        MaskedLmHead?.Dispose();
    }
}

/// <summary>
/// Sessions shared by every engine of this process over the same cached graphs and session settings: ONNX Runtime runs
/// one session from many threads, so two engines for one model need one copy of its weights, not two. The last engine
/// to be disposed disposes the sessions.
/// </summary>
internal static class SessionPool
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    /// <summary>A lease on the sessions pooled under <paramref name="key"/>, created by <paramref name="create"/> for the first lease.</summary>
    public static SessionLease Acquire(string key, Func<(OnnxBertSession Encoder, MaskedLmHeadSession? Head)> create)
    {
        Entry entry;
        lock (Gate)
        {
            if (!Entries.TryGetValue(key, out entry!)) Entries[key] = entry = new Entry(create);
            entry.References++;
        }
        try
        {
            var (encoder, head) = entry.Sessions.Value; // created outside the lock: other models need not wait for this one
            return new SessionLease(encoder, head, () => Release(key, entry));
        }
        catch
        {
            Release(key, entry, failed: true);
            throw;
        }
    }

    /// <summary>Whether a pooled session was created from the graphs cached under <paramref name="graphKey"/> (pool keys start with it).</summary>
    public static bool Uses(string graphKey)
    {
        lock (Gate) return Entries.Keys.Any(k => k.StartsWith(graphKey, StringComparison.Ordinal));
    }

    private static void Release(string key, Entry entry, bool failed = false)
    {
        bool dispose;
        lock (Gate)
        {
            dispose = --entry.References == 0 || failed;
            if (dispose && Entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry)) Entries.Remove(key);
        }
        if (dispose && !failed && entry.Sessions.IsValueCreated)
        {
            var (encoder, head) = entry.Sessions.Value;
            encoder.Dispose();
            head?.Dispose();
        }
    }

    private sealed class Entry(Func<(OnnxBertSession, MaskedLmHeadSession?)> create)
    {
        public Lazy<(OnnxBertSession Encoder, MaskedLmHeadSession? Head)> Sessions { get; } = new(create, LazyThreadSafetyMode.ExecutionAndPublication);

        public int References { get; set; }
    }
}
