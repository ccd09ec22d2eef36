namespace Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

/// <summary>What an exported graph computes, named after Hugging Face's export tasks.</summary>
public enum OnnxModelTask
{
    /// <summary>The encoder (Hugging Face <c>feature-extraction</c>): <c>last_hidden_state</c>, and <c>pooler_output</c> when the model has a pooler.</summary>
    Encoder,

    /// <summary>Sequence classification: <c>logits</c> (batch, labels), plus <c>last_hidden_state</c> and <c>pooler_output</c>.</summary>
    Classifier,

    /// <summary>The masked-LM head (<c>fill-mask</c>): <c>logits</c> (batch, sequence, vocabulary), plus <c>last_hidden_state</c>.</summary>
    FillMask,
}
