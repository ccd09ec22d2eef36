using Microsoft.ML.RobertaZh.Tensors;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// A stream of random numbers for one masking (or packing) decision sequence, drawn from the counter-based Philox
/// generator: the n-th number depends only on (seed, stream, n), so masks can be regenerated exactly after a resume
/// and do not depend on thread count or order of work.
/// </summary>
public sealed class MaskRandom
{
    // Domains keep the packing, masking and shuffling streams of one seed apart.
    internal const ulong MaskDomain = 0x6D61736B_00000000UL, PackDomain = 0x7061636B_00000000UL, ShuffleDomain = 0x73687566_00000000UL;

    private readonly ulong _key, _stream;
    private ulong _block;
    private uint _x0, _x1, _x2, _x3;
    private int _used = 4;

    /// <summary>Creates the stream (<paramref name="key"/>, <paramref name="stream"/>).</summary>
    public MaskRandom(ulong key, ulong stream)
    {
        _key = key;
        _stream = stream;
    }

    /// <summary>The masking stream of instance <paramref name="instance"/> in epoch <paramref name="epoch"/> (static copy number when masking is static).</summary>
    public static MaskRandom ForInstance(ulong seed, int epoch, long instance) =>
        new(Mix(seed, MaskDomain | (uint)epoch), (ulong)instance);

    internal static MaskRandom ForDocument(ulong seed, long document) => new(Mix(seed, PackDomain), (ulong)document);

    internal static MaskRandom ForShuffle(ulong seed, int epoch) => new(Mix(seed, ShuffleDomain | (uint)epoch), 0);

    /// <summary>Next 32 random bits.</summary>
    public uint NextUInt32()
    {
        if (_used == 4)
        {
            (_x0, _x1, _x2, _x3) = CounterRng.Block(_key, _stream, _block++);
            _used = 0;
        }
        return _used++ switch
        {
            0 => _x0,
            1 => _x1,
            2 => _x2,
            _ => _x3,
        };
    }

    /// <summary>Uniform in [0, 1) with 32 random bits.</summary>
    public double NextDouble() => NextUInt32() * (1.0 / 4294967296.0);

    /// <summary>
    /// Uniform integer in [0, <paramref name="count"/>) by Lemire's multiply-shift (bias below count / 2³², negligible for
    /// vocabulary and sequence sizes).
    /// </summary>
    public int NextInt(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return (int)(((ulong)NextUInt32() * (ulong)count) >> 32);
    }

    // SplitMix64's finalizer over the seed and the domain/epoch word: distinct inputs give unrelated Philox keys.
    private static ulong Mix(ulong seed, ulong word)
    {
        ulong z = seed ^ (word * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
