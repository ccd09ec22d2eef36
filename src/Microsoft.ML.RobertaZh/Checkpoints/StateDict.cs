using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// The tensors of one checkpoint, keyed by parameter name, enumerated in file order.
/// </summary>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "Named after PyTorch's state_dict.")]
public sealed class StateDict : IReadOnlyDictionary<string, CheckpointTensor>
{
    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
    private readonly List<CheckpointTensor> _ordered = [];
    private readonly Dictionary<string, CheckpointTensor> _byName = new(StringComparer.Ordinal);

    /// <summary>Creates a state dict from tensors in order; names must be unique.</summary>
    /// <param name="sourcePath">The file the tensors came from.</param>
    /// <param name="tensors">The tensors, in file order.</param>
    /// <param name="metadata">Free-form string metadata (the safetensors "__metadata__"), or null.</param>
    public StateDict(string sourcePath, IEnumerable<CheckpointTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        ArgumentNullException.ThrowIfNull(tensors);
        SourcePath = sourcePath;
        foreach (var t in tensors)
        {
            if (!_byName.TryAdd(t.Name, t))
            {
                throw new ArgumentException($"Duplicate tensor name '{t.Name}'.", nameof(tensors));
            }

            _ordered.Add(t);
        }

        Metadata = metadata ?? EmptyMetadata;
    }

    /// <summary>The file the tensors were read from.</summary>
    public string SourcePath { get; }

    /// <summary>String metadata stored with the tensors (safetensors "__metadata__"); empty for PyTorch files.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <inheritdoc/>
    public int Count => _ordered.Count;

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _ordered.Select(t => t.Name);

    /// <inheritdoc/>
    public IEnumerable<CheckpointTensor> Values => _ordered;

    /// <inheritdoc/>
    public CheckpointTensor this[string key] =>
        _byName.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"{SourcePath}: no tensor named '{key}'.");

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out CheckpointTensor value) => _byName.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, CheckpointTensor>> GetEnumerator()
    {
        foreach (var t in _ordered)
        {
            yield return new KeyValuePair<string, CheckpointTensor>(t.Name, t);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
