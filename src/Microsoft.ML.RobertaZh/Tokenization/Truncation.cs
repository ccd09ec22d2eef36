namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// How many tokens of each text to keep so that they fit a budget, following HF tokenizers'
/// <c>utils/truncation.rs::truncate_encodings</c> (the fast tokenizer), which differs from the slow one on odd budgets.
/// </summary>
internal static class Truncation
{
    /// <summary>
    /// Computes the kept lengths of the first text (<paramref name="first"/> tokens) and of the optional second text
    /// (<paramref name="second"/> tokens, null for a single text) for at most <paramref name="budget"/> tokens (the
    /// maximum length less the special tokens). For a LongestFirst pair, pass the lengths the fast tokenizer sees
    /// (<see cref="TokenBuffer.LengthTokenizedWithLimit"/>): which side is longer is decided on those.
    /// </summary>
    /// <exception cref="ArgumentException">only_first/only_second cannot remove enough tokens, or only_second has no second text.</exception>
    public static (int First, int Second) Fit(int first, int? second, int budget, TruncationStrategy strategy)
    {
        int total = first + (second ?? 0);
        if (total <= budget) return (first, second ?? 0);
        if (budget == 0) return (0, 0);   // Rust returns before looking at the strategy
        int remove = total - budget;
        switch (strategy)
        {
            case TruncationStrategy.LongestFirst when second is int b:
            {
                // n1 <= n2: a side shorter than its half keeps everything and the other gets the rest; when both are
                // cut, the budget is split and the extra token of an odd budget goes to the longer side (the second
                // on ties).
                bool swap = first > b;
                int n1 = swap ? b : first;
                int n2 = n1 > budget ? n1 : Math.Max(n1, budget - n1);
                if (n1 + n2 > budget)
                {
                    n1 = budget / 2;
                    n2 = n1 + (budget % 2);
                }
                return swap ? (n2, n1) : (n1, n2);
            }
            case TruncationStrategy.LongestFirst:
                return (budget, 0);
            case TruncationStrategy.OnlyFirst:
                if (first > remove) return (first - remove, second ?? 0);
                throw new ArgumentException(
                    $"Cannot truncate to the maximum length: the first text has {first} tokens and {remove} must be removed (only_first).");
            case TruncationStrategy.OnlySecond:
                if (second is not int s)
                    throw new ArgumentException("Truncation strategy only_second needs a second text (a pair).");
                if (s > remove) return (first, s - remove);
                throw new ArgumentException(
                    $"Cannot truncate to the maximum length: the second text has {s} tokens and {remove} must be removed (only_second).");
            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown truncation strategy.");
        }
    }
}
