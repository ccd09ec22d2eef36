namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>One shared <see cref="string"/> per UTF-16 character, created on first use, so single-character words cost no allocation.</summary>
internal static class CharStrings
{
    private static readonly string?[] Cache = new string?[char.MaxValue + 1];

    /// <summary>The one-character string of <paramref name="c"/>.</summary>
    public static string Get(char c) => Cache[c] ??= new string(c, 1);
}
