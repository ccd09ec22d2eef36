using Microsoft.ML.RobertaZh.Pretraining;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public class Crc32CTests
{
    [Fact]
    public void Crc32CMatchesTheKnownVectorAndTheTableVersion()
    {
        Assert.Equal(0xE3069283u, Crc32C.Append(0, "123456789"u8));
        var bytes = new byte[300];
        new Random(1).NextBytes(bytes);
        for (int n = 0; n <= bytes.Length; n += 7)
        {
            uint whole = Crc32C.Append(0, bytes.AsSpan(0, n));
            Assert.Equal(Crc32C.AppendScalar(0, bytes.AsSpan(0, n)), whole);
            Assert.Equal(whole, Crc32C.Append(Crc32C.Append(0, bytes.AsSpan(0, n / 3)), bytes.AsSpan(n / 3, n - (n / 3))));
        }
    }
}
