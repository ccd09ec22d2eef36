using System.Text.Json;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

/// <summary>
/// Tokenizer settings as Hugging Face's <c>tokenizer_config.json</c> keys, the form
/// <see cref="BertTokenizerOptions.FromConfigJson"/> reads back.
/// </summary>
internal static class TokenizerConfigJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(BertTokenizerOptions o, int? modelMaxLength)
    {
        var config = new Dictionary<string, object?>
        {
            ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = o.LowerCase, ["strip_accents"] = o.StripAccents,
            ["tokenize_chinese_chars"] = o.TokenizeChineseChars, ["clean_text"] = o.CleanText,
            ["unk_token"] = o.UnknownToken, ["cls_token"] = o.ClassifierToken, ["sep_token"] = o.SeparatorToken,
            ["pad_token"] = o.PaddingToken, ["mask_token"] = o.MaskToken,
        };
        if ((o.ModelMaxLength ?? modelMaxLength) is { } max) config["model_max_length"] = max;
        if (o.NeverSplit.Count > 0) config["never_split"] = o.NeverSplit;
        return JsonSerializer.Serialize(config, Indented);
    }
}
