namespace Microsoft.ML.RobertaZh.Model;

/// <summary>
/// Names every dropout site of one forward pass with its own stream of the counter-based generator, so a mask depends
/// only on (seed, forward-pass index, site, element) and never on thread count or batch slicing.
/// </summary>
internal readonly record struct DropoutContext(bool Active, ulong Seed, ulong Pass, int NumLayers)
{
    private int SitesPerPass => 3 * NumLayers + 2;

    public ulong Embeddings => Stream(0);
    public ulong Attention(int layer) => Stream(1 + 3 * layer);
    public ulong AttentionOutput(int layer) => Stream(2 + 3 * layer);
    public ulong FeedForwardOutput(int layer) => Stream(3 + 3 * layer);
    public ulong Classifier => Stream(3 * NumLayers + 1);

    private ulong Stream(int site) => Pass * (ulong)SitesPerPass + (ulong)site;
}
