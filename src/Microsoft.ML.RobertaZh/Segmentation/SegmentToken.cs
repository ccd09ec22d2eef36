namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// A word with its position in the segmented text, as <c>jieba.tokenize</c> yields it. <see cref="Start"/> and
/// <see cref="End"/> are UTF-16 offsets into the .NET string; <see cref="CodePointStart"/> and <see cref="CodePointEnd"/>
/// count code points, as jieba (Python) does. A character outside the BMP is one code point and two UTF-16 units.
/// </summary>
/// <param name="Word">The word.</param>
/// <param name="Start">UTF-16 offset of the first character.</param>
/// <param name="End">UTF-16 offset just past the last character.</param>
/// <param name="CodePointStart">Code-point offset of the first character (jieba's start).</param>
/// <param name="CodePointEnd">Code-point offset just past the last character (jieba's end).</param>
public readonly record struct SegmentToken(string Word, int Start, int End, int CodePointStart, int CodePointEnd);
