using System.Numerics;

namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// jieba's prefix dictionary <c>FREQ</c> as a trie: every word and every prefix of a word is a node; a node's frequency is
/// the word's count, or 0 for a prefix that is not itself a word (mirrors jieba <c>Tokenizer.gen_pfdict</c> and
/// <c>add_word</c>). Node 0 is the root, i.e. the empty string, which is never a word.
/// </summary>
/// <remarks>
/// Children of the root are a direct 65,536-entry table (the first character of every lookup); deeper edges live in one
/// open-addressing hash keyed by (parent, char), so building the 498k-node trie allocates no per-word strings.
/// Node ids are dense, which lets the segmenter cache each word's <see cref="string"/> by node.
/// </remarks>
internal sealed class PrefixDictionary
{
    /// <summary>The root node (the empty string).</summary>
    public const int Root = 0;

    private readonly int[] _rootChildren = new int[char.MaxValue + 1];
    private long[] _edgeKeys;      // ((parent << 16) | ch) + 1, 0 = empty slot
    private int[] _edgeChildren;
    private int _edgeCount;
    private int _shift;            // 64 − log2(capacity), for Fibonacci hashing
    private long[] _frequency;
    private double[] _logFrequency; // Math.Log(freq) for freq > 0, computed once per word
    private string?[] _words;       // lazily cached word strings, by node
    private int _nodeCount = 1;

    /// <summary>Creates an empty dictionary sized for about <paramref name="expectedNodes"/> nodes.</summary>
    public PrefixDictionary(int expectedNodes = 1024)
    {
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, expectedNodes * 2));
        _edgeKeys = new long[capacity];
        _edgeChildren = new int[capacity];
        _shift = 64 - BitOperations.Log2((uint)capacity);
        int nodes = Math.Max(16, expectedNodes);
        _frequency = new long[nodes];
        _logFrequency = new double[nodes];
        _words = new string?[nodes];
    }

    /// <summary>The sum of the frequencies of every added entry, duplicates included (jieba's <c>total</c>).</summary>
    public long Total { get; private set; }

    /// <summary><c>log(total)</c> as jieba's <c>calc</c> computes it.</summary>
    public double LogTotal { get; private set; }

    /// <summary>The number of entries (words and prefixes), i.e. <c>len(FREQ)</c>.</summary>
    public int EntryCount => _nodeCount - 1;

    /// <summary>
    /// Adds a word as jieba's <c>add_word</c> does: its frequency is set (replacing any earlier one), <see cref="Total"/>
    /// grows by <paramref name="frequency"/> even for a repeated word, and each missing prefix becomes an entry with frequency 0.
    /// </summary>
    public int Add(ReadOnlySpan<char> word, long frequency)
    {
        int node = Root;
        foreach (char c in word) node = GetOrAddChild(node, c);
        _frequency[node] = frequency;
        _logFrequency[node] = frequency > 0 ? Math.Log(frequency) : 0.0;
        Total = checked(Total + frequency);
        LogTotal = Math.Log(Total);
        return node;
    }

    /// <summary>The child of <paramref name="node"/> along <paramref name="c"/>, or 0 when the prefix is not an entry.</summary>
    public int Child(int node, char c)
    {
        if (node == Root) return _rootChildren[c];
        long key = (((long)node << 16) | c) + 1;
        int mask = _edgeKeys.Length - 1;
        for (int slot = Slot(key); ; slot = (slot + 1) & mask)
        {
            long k = _edgeKeys[slot];
            if (k == key) return _edgeChildren[slot];
            if (k == 0) return 0;
        }
    }

    /// <summary>The node of <paramref name="word"/>, or -1 when it is not an entry (neither a word nor a prefix).</summary>
    public int Find(ReadOnlySpan<char> word)
    {
        if (word.IsEmpty) return -1;
        int node = Root;
        foreach (char c in word)
        {
            node = Child(node, c);
            if (node == 0) return -1;
        }
        return node;
    }

    /// <summary>The frequency of <paramref name="node"/> (0 for a prefix that is not a word).</summary>
    public long Frequency(int node) => _frequency[node];

    /// <summary><c>log(freq)</c> of a node whose frequency is positive.</summary>
    public double LogFrequency(int node) => _logFrequency[node];

    /// <summary>jieba's <c>FREQ.get(word)</c> truthiness: true when <paramref name="word"/> is an entry with a positive frequency.</summary>
    public bool IsWord(ReadOnlySpan<char> word)
    {
        int node = Find(word);
        return node > 0 && _frequency[node] > 0;
    }

    /// <summary>The string of the word ending at <paramref name="node"/>, created once from <paramref name="text"/> and cached.</summary>
    public string WordString(int node, ReadOnlySpan<char> text) => _words[node] ??= new string(text);

    private int Slot(long key) => (int)((ulong)key * 0x9E3779B97F4A7C15UL >> _shift);

    private int GetOrAddChild(int node, char c)
    {
        int child = Child(node, c);
        if (child != 0) return child;
        child = NewNode();
        if (node == Root)
        {
            _rootChildren[c] = child;
            return child;
        }
        if ((_edgeCount + 1) * 10L > _edgeKeys.Length * 7L) GrowEdges();
        InsertEdge((((long)node << 16) | c) + 1, child);
        return child;
    }

    private int NewNode()
    {
        if (_nodeCount == _frequency.Length)
        {
            int size = _frequency.Length * 2;
            Array.Resize(ref _frequency, size);
            Array.Resize(ref _logFrequency, size);
            Array.Resize(ref _words, size);
        }
        return _nodeCount++;
    }

    private void InsertEdge(long key, int child)
    {
        int mask = _edgeKeys.Length - 1;
        int slot = Slot(key);
        while (_edgeKeys[slot] != 0) slot = (slot + 1) & mask;
        _edgeKeys[slot] = key;
        _edgeChildren[slot] = child;
        _edgeCount++;
    }

    private void GrowEdges()
    {
        long[] keys = _edgeKeys;
        int[] children = _edgeChildren;
        _edgeKeys = new long[keys.Length * 2];
        _edgeChildren = new int[keys.Length * 2];
        _shift--;
        _edgeCount = 0;
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] != 0) InsertEdge(keys[i], children[i]);
    }
}
