using System.IO.Compression;
using System.Text;
using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

public class SafeUnpicklerTests
{
    private static object? Load(params byte[][] parts) =>
        new SafeUnpickler(new MemoryStream(parts.SelectMany(p => p).ToArray()), "f.bin", "data.pkl").Load();

    private static byte[] A(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void ReadsPlainValues()
    {
        // PROTO 2, EMPTY_DICT, MARK, 'a' 1, 'b' -2 (BININT), 'c' 1.5, 'd' [True, None], SETITEMS, STOP
        var value = Load(
            [0x80, 2, (byte)'}', (byte)'('],
            [0x8c, 1, (byte)'a', (byte)'K', 1],
            [0x8c, 1, (byte)'b', (byte)'J', 0xfe, 0xff, 0xff, 0xff],
            [0x8c, 1, (byte)'c', (byte)'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
            [0x8c, 1, (byte)'d', (byte)']', (byte)'(', 0x88, (byte)'N', (byte)'e'],
            [(byte)'u', (byte)'.']);
        var dict = Assert.IsType<PickleDict>(value);
        Assert.True(dict.TryGet("a", out var a) && (long)a! == 1);
        Assert.True(dict.TryGet("b", out var b) && (long)b! == -2);
        Assert.True(dict.TryGet("c", out var c) && (double)c! == 1.5);
        Assert.True(dict.TryGet("d", out var d) && d is List<object?> { Count: 2 } list && list[0] is true && list[1] is null);
    }

    [Theory]
    [InlineData(new byte[] { 0x8a, 1, 0xff }, -1L)]
    [InlineData(new byte[] { 0x8a, 2, 0xff, 0x00 }, 255L)]
    [InlineData(new byte[] { 0x8a, 0 }, 0L)]
    [InlineData(new byte[] { 0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x80 }, long.MinValue)]
    public void DecodesLong1(byte[] op, long expected)
    {
        Assert.Equal(expected, Load([0x80, 2], op, [(byte)'.']));
    }

    [Theory]
    [InlineData("cposix\nsystem\n", "posix.system")]
    [InlineData("c__builtin__\neval\n", "__builtin__.eval")]
    [InlineData("ctorch\nload\n", "torch.load")]
    [InlineData("ctorch._utils\n_rebuild_qtensor\n", "torch._utils._rebuild_qtensor")]
    [InlineData("ctorch\nStorage.x\n", "torch.Storage.x")]
    public void RefusesGlobalsOutsideTheAllowList(string global, string name)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2], A(global), [(byte)')', (byte)'R', (byte)'.']));
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Equal("f.bin", e.FilePath);
    }

    [Theory]
    [InlineData((byte)'i')]     // INST
    [InlineData((byte)'o')]     // OBJ
    [InlineData(0x81)]          // NEWOBJ
    [InlineData((byte)'P')]     // PERSID
    [InlineData((byte)'I')]     // INT (text)
    public void RefusesOpcodesAStateDictNeverUses(byte op)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, op, (byte)'.']));
        Assert.Contains($"0x{op:x2}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesReduceOfStorageClassOrNonGlobal()
    {
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2], A("ctorch\nFloatStorage\n"), [(byte)')', (byte)'R', (byte)'.']));
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)']', (byte)')', (byte)'R', (byte)'.']));
    }

    [Fact]
    public void RefusesBuildOnNonDictAndCorruptStacks()
    {
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)']', (byte)'}', (byte)'b', (byte)'.']));
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'.']));                 // STOP on empty stack
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'t', (byte)'.']));      // TUPLE without MARK
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'(', 0x85, (byte)'.'])); // TUPLE1 of a MARK
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'h', 5, (byte)'.']));   // memo never stored
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'X', 0xff, 0xff, 0xff, 0x7f])); // huge length
        Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'N']));                 // no STOP
    }

    [Fact]
    public void RefusesPersistentIdsThatAreNotStorages()
    {
        var e = Assert.Throws<CheckpointFormatException>(() =>
            Load([0x80, 2, (byte)'(', 0x8c, 6], A("module"), [(byte)'N', (byte)'t', (byte)'Q', (byte)'.']));
        Assert.Contains("persistent id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedStorageTypeFailsNamingTheTensor()
    {
        // Rewrite the fixture so one tensor claims to be a ComplexFloatStorage.
        using var tmp = new TempDirectory();
        string path = tmp.File("complex.bin");
        using (var source = ZipFile.OpenRead(CheckpointFixtures.PathOf("tiny_zip.bin")))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries)
            {
                using var s = entry.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                byte[] bytes = m.ToArray();
                if (entry.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
                {
                    bytes = Replace(bytes, A("torch\nDoubleStorage\n"), A("torch\nComplexDStorage\n"));
                }

                using var o = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                o.Write(bytes);
            }
        }

        var e = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(path));
        Assert.Contains("bert.embeddings.token_type_embeddings.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("ComplexDStorage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CyclicWrapperDictIsRejectedNotRecursed()
    {
        // d = {}; d['state_dict'] = d
        object? root = Load([0x80, 2, (byte)'}', (byte)'q', 0, 0x8c, 10], A("state_dict"), [(byte)'h', 0, (byte)'s', (byte)'.']);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchTensorAssembler.FindTensors(root, "f.bin"));
        Assert.Contains("'state_dict' is not a tensor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrappedStateDictIsUnwrapped()
    {
        var sd = PyTorchCheckpointReader.Read(CheckpointFixtures.PathOf("wrapped_state_dict.bin"));
        Assert.Equal(["classifier.weight", "classifier.bias"], sd.Keys);
        Assert.Equal([1f, -2f], sd["classifier.weight"].Data);
        Assert.Equal([1, 2], sd["classifier.weight"].Shape);
        Assert.Equal([0.5f], sd["classifier.bias"].Data);
    }

    private static byte[] Replace(byte[] haystack, byte[] needle, byte[] replacement)
    {
        int i = haystack.AsSpan().IndexOf(needle);
        Assert.True(i >= 0);
        return [.. haystack.AsSpan(0, i), .. replacement, .. haystack.AsSpan(i + needle.Length)];
    }
}
