using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Scoring;

/// <summary>
/// The inference engine a transformer owns: created from the transformer's model and <see cref="EngineOptions"/> when
/// the transformer is made (so a missing engine or device fails at once), used one pass at a time (engines are not
/// thread-safe), and disposed with the transformer. A pass after disposal throws <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class ScoringEngine : IDisposable
{
    private readonly Lock _gate = new();
    private readonly IBertEngine _engine;
    private bool _disposed;

    /// <summary>An engine for <paramref name="model"/> with <paramref name="options"/>.</summary>
    /// <exception cref="EngineUnavailableException">The engine, its native runtime or the device is not available here.</exception>
    public ScoringEngine(BertModel model, EngineOptions options, string owner)
    {
        Options = options;
        Owner = owner;
        _engine = BertEngines.CreateInference(model, options);
    }

    /// <summary>What was asked for.</summary>
    public EngineOptions Options { get; }

    /// <summary>The engine kind.</summary>
    public EngineKind Kind => _engine.Kind;

    /// <summary>The device the engine runs on (<c>cpu</c> after a fallback).</summary>
    public string Device => _engine.Device;

    /// <summary>The transformer's name, for the disposal message.</summary>
    public string Owner { get; }

    /// <summary>Runs <paramref name="pass"/> on the engine, alone.</summary>
    public T Run<T>(Func<IBertEngine, T> pass)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, Owner);
            return pass(_engine);
        }
    }

    /// <summary>Frees the engine (after the pass in progress, if any).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _engine.Dispose();
        }
    }
}
