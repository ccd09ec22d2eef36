namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>How a pretraining corpus lays out its documents.</summary>
public enum CorpusFormat
{
    /// <summary>
    /// <see cref="SentencePerLine"/> when a blank line lies between two lines of text among the first
    /// <see cref="CorpusReader.AutoDetectLines"/> lines, otherwise <see cref="DocumentPerLine"/>.
    /// </summary>
    Auto,

    /// <summary>UER-py's format: one document per line, split into sentences by <see cref="SentenceSplitter"/>.</summary>
    DocumentPerLine,

    /// <summary>Google BERT's format: one sentence per line, a blank line ends a document.</summary>
    SentencePerLine,
}

/// <summary>One document of a corpus: its sentences in order.</summary>
/// <param name="Index">0-based index of the document in the corpus (documents without text are not counted).</param>
/// <param name="FirstLine">1-based line number of the document's first line.</param>
/// <param name="Sentences">The sentences, trimmed, none empty; at least one.</param>
/// <param name="EndByteOffset">Byte offset in the file just past the document's last line (for progress).</param>
public sealed record CorpusDocument(long Index, long FirstLine, IReadOnlyList<string> Sentences, long EndByteOffset);
