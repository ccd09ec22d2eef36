using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class GemmTests
{
    [Fact]
    public void SmallProductMatchesHandComputed()
    {
        float[] a = [1, 2, 3, 4, 5, 6];       // 2x3
        float[] b = [7, 8, 9, 10, 11, 12];    // 3x2
        var c = new float[4];
        Gemm.Multiply(false, false, 2, 2, 3, a, 3, b, 2, c, 2);
        Assert.Equal([58f, 64f, 139f, 154f], c);
    }
}
