namespace Microsoft.ML.RobertaZh.Training;

/// <summary>One tokenized classification example: <c>[CLS] A [SEP] (B [SEP])</c> ids, their token types and the class index.</summary>
/// <param name="InputIds">Token ids, special tokens included, no padding.</param>
/// <param name="TokenTypeIds">Segment ids (0 for the first text, 1 for the second), same length.</param>
/// <param name="Label">Class index, or -1 when unknown (prediction only).</param>
public sealed record ClassificationExample(int[] InputIds, int[] TokenTypeIds, int Label);
