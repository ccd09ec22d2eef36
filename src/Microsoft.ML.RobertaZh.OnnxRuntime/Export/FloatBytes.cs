using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>
/// Presents float memory as the little-endian bytes ONNX's <c>raw_data</c> holds, without copying: the exporter's
/// initializers are views of the model's own parameter array (or of one transposed copy), so a 400 MB model is not
/// duplicated into per-tensor byte arrays before protobuf writes it.
/// </summary>
internal sealed class FloatBytes : MemoryManager<byte>
{
    private readonly ReadOnlyMemory<float> _data;

    private FloatBytes(ReadOnlyMemory<float> data) => _data = data;

    /// <summary>A <see cref="ByteString"/> over the bytes of <paramref name="data"/> (not copied: it must stay unchanged until written).</summary>
    public static ByteString Wrap(ReadOnlyMemory<float> data)
    {
        // ONNX raw_data is little-endian; the float array is in machine order.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian machine.");
        return UnsafeByteOperations.UnsafeWrap(new FloatBytes(data).Memory);
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(MemoryMarshal.AsMemory(_data).Span);

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = MemoryMarshal.AsMemory(_data).Pin();
        unsafe { return new MemoryHandle((byte*)handle.Pointer + elementIndex, default, new Unpinner(handle)); }
    }

    /// <inheritdoc/>
    public override void Unpin() { }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) { }

    private sealed class Unpinner(MemoryHandle handle) : IPinnable
    {
        private MemoryHandle _handle = handle;
        public MemoryHandle Pin(int elementIndex) => throw new NotSupportedException();
        public void Unpin() => _handle.Dispose();
    }
}
