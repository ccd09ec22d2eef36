namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>
/// Independent, deliberately naive double-precision references written from the mathematical definitions (and the
/// Hugging Face / torch semantics they must reproduce). Nothing here calls library code.
/// </summary>
internal static class ReferenceKernels
{
    public const float TorchFloatMin = -3.4028235e38f;

    /// <summary>erf in double: Taylor-type series with positive terms for |x| &lt; 3, continued fraction beyond (≈1e-14 relative).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        double a = Math.Abs(x);
        double r = a < 3 ? ErfSeries(a) : 1 - ErfcContinuedFraction(a);
        return x < 0 ? -r : r;
    }

    /// <summary>erfc in double with relative accuracy in the tail.</summary>
    public static double Erfc(double x)
    {
        if (x <= -3)
        {
            return 2 - Erfc(-x);
        }

        if (x < 3)
        {
            return 1 - (x < 0 ? -ErfSeries(-x) : ErfSeries(x));
        }

        return x > 26 ? 0 : ErfcContinuedFraction(x);
    }

    /// <summary>erf(x) = 2/√π·exp(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) — every term positive, so no cancellation.</summary>
    private static double ErfSeries(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 500 && term > 1e-18 * sum; n++)
        {
            term *= 2 * x2 / ((2 * n) + 1);
            sum += term;
        }

        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
    }

    /// <summary>erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards (x ≥ 3).</summary>
    private static double ErfcContinuedFraction(double x)
    {
        double f = x;
        for (int n = 80; n >= 1; n--)
        {
            f = x + (n / 2.0 / f);
        }

        return Math.Exp(-x * x) / (Math.Sqrt(Math.PI) * f);
    }

    /// <summary>Standard normal CDF Φ(x) = ½·erfc(−x/√2).</summary>
    public static double Phi(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    public static double Gelu(double x) => x * Phi(x);

    public static double GeluDerivative(double x) => Phi(x) + (x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI));

    /// <summary>torch.nn.LayerNorm: biased variance, eps inside the square root.</summary>
    public static double[] LayerNorm(double[] x, double[] w, double[] b, int rows, int hidden, double eps)
    {
        var y = new double[rows * hidden];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0;
            for (int j = 0; j < hidden; j++)
            {
                mean += x[(r * hidden) + j];
            }

            mean /= hidden;
            double variance = 0;
            for (int j = 0; j < hidden; j++)
            {
                double d = x[(r * hidden) + j] - mean;
                variance += d * d;
            }

            variance /= hidden;
            double rstd = 1 / Math.Sqrt(variance + eps);
            for (int j = 0; j < hidden; j++)
            {
                y[(r * hidden) + j] = ((x[(r * hidden) + j] - mean) * rstd * w[j]) + b[j];
            }
        }

        return y;
    }

    /// <summary>
    /// Softmax of z_j = s_j·scale + mask_j. Where a mask entry is non-zero, z is rounded to float as torch's float
    /// addition does (this is what makes a fully masked row uniform: every z becomes float.MinValue).
    /// </summary>
    public static double[] SoftmaxRow(ReadOnlySpan<double> s, ReadOnlySpan<double> mask, double scale)
    {
        var z = new double[s.Length];
        double max = double.NegativeInfinity;
        for (int j = 0; j < s.Length; j++)
        {
            z[j] = s[j] * scale;
            if (!mask.IsEmpty && mask[j] != 0)
            {
                z[j] = (float)((float)z[j] + mask[j]);
            }

            max = Math.Max(max, z[j]);
        }

        double sum = 0;
        for (int j = 0; j < s.Length; j++)
        {
            z[j] = Math.Exp(z[j] - max);
            sum += z[j];
        }

        for (int j = 0; j < s.Length; j++)
        {
            z[j] /= sum;
        }

        return z;
    }

    public static double[] LogSoftmaxRow(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (double v in x)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        foreach (double v in x)
        {
            sum += Math.Exp(v - max);
        }

        var y = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            y[j] = x[j] - max - Math.Log(sum);
        }

        return y;
    }

    /// <summary>
    /// HF BertSelfAttention in double: per batch b and head h, S = Q·Kᵀ/√d + mask, P = softmax(S),
    /// context = (P ⊙ keep/(1−p))·V. Returns the context (batch·seqLen, hidden) and P (batch, heads, seqLen, seqLen).
    /// </summary>
    public static (double[] Output, double[] Probs) Attention(double[] qkv, double[]? mask, byte[]? keep, int batch, int seqLen, int hidden, int heads, double p)
    {
        int d = hidden / heads;
        var output = new double[batch * seqLen * hidden];
        var probs = new double[batch * heads * seqLen * seqLen];
        double scale = 1 / Math.Sqrt(d);
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < seqLen; i++)
                {
                    var scores = new double[seqLen];
                    for (int j = 0; j < seqLen; j++)
                    {
                        double dot = 0;
                        for (int c = 0; c < d; c++)
                        {
                            dot += qkv[(((b * seqLen) + i) * 3 * hidden) + (h * d) + c] * qkv[(((b * seqLen) + j) * 3 * hidden) + hidden + (h * d) + c];
                        }

                        scores[j] = dot;
                    }

                    var row = SoftmaxRow(scores, mask is null ? default : mask.AsSpan(b * seqLen, seqLen), scale);
                    int pBase = ((((b * heads) + h) * seqLen) + i) * seqLen;
                    for (int j = 0; j < seqLen; j++)
                    {
                        probs[pBase + j] = row[j];
                        double weight = keep is null ? row[j] : keep[pBase + j] * row[j] / (1 - p);
                        for (int c = 0; c < d; c++)
                        {
                            output[(((b * seqLen) + i) * hidden) + (h * d) + c] += weight * qkv[(((b * seqLen) + j) * 3 * hidden) + (2 * hidden) + (h * d) + c];
                        }
                    }
                }
            }
        }

        return (output, probs);
    }

    /// <summary>torch CrossEntropyLoss(mean, ignore_index): per-row losses (0 when ignored) and the mean over counted rows.</summary>
    public static (double[] Losses, double Mean, int Count) CrossEntropy(double[] logits, int[] targets, int rows, int classes, int ignoreIndex)
    {
        var losses = new double[rows];
        double total = 0;
        int count = 0;
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] == ignoreIndex)
            {
                continue;
            }

            var logp = LogSoftmaxRow(logits.AsSpan(r * classes, classes));
            losses[r] = -logp[targets[r]];
            total += losses[r];
            count++;
        }

        return (losses, count == 0 ? double.NaN : total / count, count);
    }

    /// <summary>word[id] + tokenType[tt] + position[t] per token.</summary>
    public static double[] Embedding(int[] ids, int[]? types, double[] word, double[] position, double[] type, int batch, int seqLen, int hidden)
    {
        var y = new double[batch * seqLen * hidden];
        for (int r = 0; r < batch * seqLen; r++)
        {
            int tt = types is null ? 0 : types[r];
            for (int j = 0; j < hidden; j++)
            {
                y[(r * hidden) + j] = word[(ids[r] * hidden) + j] + position[((r % seqLen) * hidden) + j] + type[(tt * hidden) + j];
            }
        }

        return y;
    }
}
