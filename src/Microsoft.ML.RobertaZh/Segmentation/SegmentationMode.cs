namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>The segmentation modes of jieba 0.42.1.</summary>
public enum SegmentationMode
{
    /// <summary>Accurate mode with the HMM for unknown words: <c>jieba.cut(s)</c>.</summary>
    Default,

    /// <summary>Accurate mode without the HMM: <c>jieba.cut(s, HMM=False)</c>.</summary>
    NoHmm,

    /// <summary>Full mode, every dictionary word at every position, with jieba's quirks: <c>jieba.cut(s, cut_all=True)</c>.</summary>
    Full,

    /// <summary>Search-engine mode: accurate mode with the HMM, each long word preceded by its dictionary 2- and 3-grams: <c>jieba.cut_for_search(s)</c>.</summary>
    Search,

    /// <summary>Search-engine mode over the accurate cut without the HMM: <c>jieba.cut_for_search(s, HMM=False)</c>.</summary>
    SearchNoHmm,
}
