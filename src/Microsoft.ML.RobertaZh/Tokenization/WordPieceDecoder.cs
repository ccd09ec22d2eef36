using System.Text;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// Turns tokens back into text as HF's fast BERT decoder does (<c>decoders/wordpiece.rs</c> with cleanup): tokens
/// are joined with spaces, a <c>##</c> piece is glued to the previous token, and the tokenization spaces before
/// <c>. ? ! ,</c> and English contractions are removed.
/// </summary>
internal static class WordPieceDecoder
{
    private static readonly (string From, string To)[] Cleanup =
    [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ];

    /// <summary>Joins <paramref name="tokens"/> (see the class summary); <paramref name="cleanup"/> removes tokenization spaces.</summary>
    public static string Decode(IEnumerable<string> tokens, string prefix, bool cleanup)
    {
        var text = new StringBuilder();
        int index = 0;
        foreach (string token in tokens)
        {
            text.Append(Piece(token, index == 0, prefix, cleanup));
            index++;
        }
        return text.ToString();
    }

    /// <summary>
    /// The text one token adds to the decoded string: the decoding of a list is the concatenation of its tokens' pieces,
    /// so a prefix of the ids decodes to a prefix of the text.
    /// </summary>
    public static string Piece(string token, bool first, string prefix, bool cleanup)
    {
        string piece = token;
        if (!first)
        {
            piece = piece.StartsWith(prefix, StringComparison.Ordinal) ? piece[prefix.Length..] : " " + piece;
        }
        if (cleanup)
        {
            foreach (var (from, to) in Cleanup) piece = piece.Replace(from, to, StringComparison.Ordinal);
        }
        return piece;
    }

    /// <summary>HF <c>convert_tokens_to_string</c>: join with spaces, then remove " ##".</summary>
    public static string ConvertTokensToString(IEnumerable<string> tokens, string prefix) =>
        string.Join(' ', tokens).Replace(" " + prefix, string.Empty, StringComparison.Ordinal).Trim();
}
