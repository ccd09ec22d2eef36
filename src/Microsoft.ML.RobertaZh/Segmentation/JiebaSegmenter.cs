namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// Chinese word segmentation compatible with jieba 0.42.1: the same dictionary and HMM files, the same words in every mode
/// (<see cref="SegmentationMode"/>), including jieba's tie rules and quirks. Used for whole-word masking, as roberta_zh
/// and UER-py do with jieba.
/// </summary>
/// <remarks>
/// <para>
/// The text is split as jieba's <c>re_han_default</c> / <c>re_skip_default</c> do. Runs of
/// <c>[\u4E00-\u9FD5a-zA-Z0-9+#&amp;._%-]</c> are cut along the maximum-probability route of the prefix-dictionary DAG,
/// with finalseg's B/M/E/S HMM for runs of characters the dictionary does not join. Everything else is one word per
/// whitespace token (<c>\r\n</c> counts as one) or per code point.
/// </para>
/// <para>
/// Thread safety: <see cref="Cut"/> and <see cref="Tokenize"/> may run concurrently, but not while
/// <see cref="AddWord"/> or <see cref="LoadUserDictionary(string)"/> change the dictionary.
/// </para>
/// </remarks>
public sealed class JiebaSegmenter
{
    private readonly PrefixDictionary _dictionary;
    private readonly HmmSegmenter _hmm;
    private readonly BlockCutter _cutter;

    private JiebaSegmenter(PrefixDictionary dictionary, HmmModel model)
    {
        _dictionary = dictionary;
        _hmm = new HmmSegmenter(model);
        _cutter = new BlockCutter(dictionary, _hmm);
    }

    /// <summary>The sum of all dictionary frequencies (jieba's <c>total</c>, 60,101,967 for jieba's dict.txt).</summary>
    public long Total => _dictionary.Total;

    /// <summary>The number of prefix-dictionary entries, words and their prefixes (jieba's <c>len(FREQ)</c>).</summary>
    public int EntryCount => _dictionary.EntryCount;

    /// <summary>
    /// Loads jieba's main dictionary (<c>word freq [tag]</c> per line, UTF-8, as jieba's dict.txt) and its HMM model
    /// (JSON: <c>{"start":{..},"trans":{..},"emit":{..}}</c>).
    /// </summary>
    /// <param name="dictionaryPath">The main dictionary file.</param>
    /// <param name="hmmModelPath">The HMM model file.</param>
    /// <exception cref="InvalidDataException">A dictionary line is malformed (the message names the file, the line and the problem), or the model is.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static JiebaSegmenter Load(string dictionaryPath, string hmmModelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(dictionaryPath);
        ArgumentException.ThrowIfNullOrEmpty(hmmModelPath);
        return Create(File.ReadAllBytes(dictionaryPath), dictionaryPath, HmmModel.Load(hmmModelPath));
    }

    /// <summary>Loads the main dictionary and the HMM model from streams; see <see cref="Load(string, string)"/> for the formats.</summary>
    /// <param name="dictionary">The main dictionary, UTF-8.</param>
    /// <param name="hmmModel">The HMM model JSON.</param>
    /// <param name="dictionaryName">How error messages name the dictionary.</param>
    /// <exception cref="InvalidDataException">A dictionary line or the model is malformed.</exception>
    public static JiebaSegmenter Load(Stream dictionary, Stream hmmModel, string dictionaryName = "dictionary")
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        ArgumentNullException.ThrowIfNull(hmmModel);
        return Create(ReadAll(dictionary), dictionaryName, HmmModel.Parse(ReadAll(hmmModel), "HMM model"));
    }

    private static JiebaSegmenter Create(byte[] dictionary, string name, HmmModel model)
    {
        int lines = dictionary.AsSpan().Count((byte)'\n') + 1;
        var prefixes = new PrefixDictionary(expectedNodes: lines + (lines / 2));
        DictionaryReader.LoadMain(prefixes, dictionary, name);
        return new JiebaSegmenter(prefixes, model);
    }

    /// <summary>
    /// Adds the words of a user dictionary as jieba's <c>load_userdict</c> does. Each non-blank line is
    /// <c>word [freq] [tag]</c>, matched as <c>^(.+?)( [0-9]+)?( [a-z]+)?$</c> (so a word may contain spaces); a leading
    /// BOM is ignored; the tag is read and ignored. Each word goes through <see cref="AddWord"/>, in file order.
    /// </summary>
    /// <param name="path">The user dictionary, UTF-8.</param>
    /// <exception cref="InvalidDataException">The file is not UTF-8 or a frequency overflows 64 bits (the message names the line).</exception>
    public void LoadUserDictionary(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AddUserEntries(DictionaryReader.ReadUser(File.ReadAllBytes(path), path), path);
    }

    /// <summary>Adds the words of a user dictionary read from a stream; see <see cref="LoadUserDictionary(string)"/>.</summary>
    /// <param name="stream">The user dictionary, UTF-8.</param>
    /// <param name="name">How error messages name the source.</param>
    /// <exception cref="InvalidDataException">The data is not UTF-8 or a frequency overflows 64 bits.</exception>
    public void LoadUserDictionary(Stream stream, string name = "user dictionary")
    {
        ArgumentNullException.ThrowIfNull(stream);
        AddUserEntries(DictionaryReader.ReadUser(ReadAll(stream), name), name);
    }

    private void AddUserEntries(List<DictionaryReader.UserEntry> entries, string name)
    {
        foreach (var entry in entries)
        {
            if (entry.Frequency > long.MaxValue - Total)
                throw new InvalidDataException(FormattableString.Invariant($"{name}:{entry.LineNumber}: the total of the frequencies overflows 64 bits"));
            AddWord(entry.Word, entry.Frequency);
        }
    }

    /// <summary>
    /// Adds or updates a word as jieba's <c>add_word</c> does: the frequency replaces the word's old one and is added to
    /// <see cref="Total"/>; without a frequency, <see cref="SuggestFrequency"/> is used. A word added with frequency 0 is
    /// also never yielded whole by the HMM (jieba's force-split words), which is how jieba's <c>del_word</c> works.
    /// </summary>
    /// <param name="word">The word (non-empty).</param>
    /// <param name="frequency">Its count, ≥ 0, or null for the suggested frequency.</param>
    public void AddWord(string word, long? frequency = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(word);
        if (frequency < 0 || frequency > long.MaxValue - Total)
            throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "The frequency must be ≥ 0 and keep the total within 64 bits.");
        long freq = frequency ?? SuggestFrequency(word);
        _dictionary.Add(word, freq);
        if (freq == 0) _hmm.AddForceSplit(word);
    }

    /// <summary>
    /// The smallest frequency that makes <paramref name="word"/> cut as one word (jieba's <c>suggest_freq(word)</c>):
    /// <c>max(int(Π(FREQ.get(seg, 1) / total) · total) + 1, FREQ.get(word, 1))</c> over the segments of the accurate cut
    /// without the HMM.
    /// </summary>
    /// <param name="word">The word.</param>
    public long SuggestFrequency(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        double total = _dictionary.Total;
        double freq = 1.0;
        foreach (string segment in Cut(word, SegmentationMode.NoHmm))
            freq *= FrequencyOr1(segment) / total;
        return Math.Max((long)(freq * total) + 1, FrequencyOr1(word));
    }

    /// <summary>The frequency of <paramref name="word"/>: null when it is not an entry, 0 when it is only a prefix of words.</summary>
    /// <param name="word">The word.</param>
    public long? GetFrequency(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        int node = _dictionary.Find(word);
        return node > 0 ? _dictionary.Frequency(node) : null;
    }

    private long FrequencyOr1(string word)
    {
        int node = _dictionary.Find(word);
        return node > 0 ? _dictionary.Frequency(node) : 1;
    }

    /// <summary>Cuts <paramref name="text"/> into words as jieba 0.42.1 does in <paramref name="mode"/>.</summary>
    /// <param name="text">The text; any string, including whitespace, line breaks and characters outside the BMP.</param>
    /// <param name="mode">The mode; see <see cref="SegmentationMode"/>.</param>
    /// <returns>
    /// The words in order. In every mode but <see cref="SegmentationMode.Full"/> and the search modes their concatenation
    /// is <paramref name="text"/>. Full mode yields overlapping words and, as jieba does, empty strings around whitespace
    /// between han blocks.
    /// </returns>
    public IReadOnlyList<string> Cut(string text, SegmentationMode mode = SegmentationMode.Default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        switch (mode)
        {
            case SegmentationMode.Default:
            case SegmentationMode.NoHmm:
            case SegmentationMode.Full:
                _cutter.Cut(text, cutAll: mode == SegmentationMode.Full, useHmm: mode == SegmentationMode.Default, words);
                return words;
            case SegmentationMode.Search:
            case SegmentationMode.SearchNoHmm:
                _cutter.Cut(text, cutAll: false, useHmm: mode == SegmentationMode.Search, words);
                var expanded = new List<string>(words.Count + (words.Count / 2));
                SearchGrams.Expand(_dictionary, words, expanded, null);
                return expanded;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown segmentation mode.");
        }
    }

    /// <summary>
    /// Cuts <paramref name="text"/> and gives each word's offsets, as <c>jieba.tokenize</c> does: accurate mode
    /// (<see cref="SegmentationMode.Default"/>, <see cref="SegmentationMode.NoHmm"/>) or search mode
    /// (<see cref="SegmentationMode.Search"/>, <see cref="SegmentationMode.SearchNoHmm"/>), where the n-grams of a long
    /// word come before it with their own offsets.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="mode">Any mode but <see cref="SegmentationMode.Full"/>, which jieba's tokenize does not have.</param>
    /// <exception cref="ArgumentException"><paramref name="mode"/> is <see cref="SegmentationMode.Full"/>.</exception>
    public IReadOnlyList<SegmentToken> Tokenize(string text, SegmentationMode mode = SegmentationMode.Default)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool search = mode is SegmentationMode.Search or SegmentationMode.SearchNoHmm;
        if (!search && mode is not (SegmentationMode.Default or SegmentationMode.NoHmm))
            throw new ArgumentException("Tokenize supports the accurate and search modes only, as jieba.tokenize does.", nameof(mode));
        var words = new List<string>();
        _cutter.Cut(text, cutAll: false, useHmm: mode is SegmentationMode.Default or SegmentationMode.Search, words);
        var tokens = new List<SegmentToken>(words.Count);
        if (search)
        {
            SearchGrams.Expand(_dictionary, words, null, tokens);
            return tokens;
        }
        int start = 0, codePointStart = 0;
        foreach (string w in words)
        {
            int codePoints = BlockSplitter.CodePointCount(w);
            tokens.Add(new SegmentToken(w, start, start + w.Length, codePointStart, codePointStart + codePoints));
            start += w.Length;
            codePointStart += codePoints;
        }
        return tokens;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
