using System.IO.Compression;
using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

public class PyTorchCheckpointReaderTests
{
    private const string Marker = "/tmp/robertazh_ckpt_pwned_marker";

    [Theory]
    [InlineData("tiny_zip.bin")]
    [InlineData("tiny_zip_p4.bin")]
    [InlineData("tiny_legacy.bin")]
    public void ReadsFixtureExactlyInSavedOrder(string file)
    {
        var expected = CheckpointFixtures.LoadExpected("tiny_expected.json");
        var sd = PyTorchCheckpointReader.Read(CheckpointFixtures.PathOf(file));
        CheckpointFixtures.AssertEqual(expected.Tensors, sd);
        Assert.Empty(sd.Metadata);
    }

    [Theory]
    [InlineData("tiny_zip.bin", true)]
    [InlineData("tiny_zip_p4.bin", true)]
    [InlineData("tiny_legacy.bin", true)]
    [InlineData("tiny.safetensors", false)]
    public void CheckpointReaderDetectsFormatByContent(string file, bool ordered)
    {
        var expected = CheckpointFixtures.LoadExpected("tiny_expected.json");
        using var tmp = new TempDirectory();
        string renamed = tmp.Write("weights.dat", CheckpointFixtures.Bytes(file));   // the extension is not used
        var sd = CheckpointReader.Read(renamed);
        CheckpointFixtures.AssertEqual(expected.Tensors, sd, ordered);
        Assert.Equal(renamed, sd.SourcePath);
    }

    [Theory]
    [InlineData("tiny_zip.bin")]
    [InlineData("tiny_legacy.bin")]
    public void TiedWeightsGetEqualValuesButSeparateArrays(string file)
    {
        var sd = PyTorchCheckpointReader.Read(CheckpointFixtures.PathOf(file));
        var word = sd["bert.embeddings.word_embeddings.weight"];
        var decoder = sd["cls.predictions.decoder.weight"];
        Assert.Equal(word.Data, decoder.Data);
        Assert.NotSame(word.Data, decoder.Data);
    }

    [Theory]
    [InlineData("malicious_os_system.bin", "os.system")]
    [InlineData("malicious_stack_global.bin", "builtins.eval")]
    public void MaliciousPickleIsRefusedAndNothingRuns(string file, string global)
    {
        if (File.Exists(Marker))
        {
            File.Delete(Marker);
        }

        string path = CheckpointFixtures.PathOf(file);
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"'{global}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("refusing to load", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Marker));
    }

    [Theory]
    [InlineData("tiny_zip.bin")]
    [InlineData("tiny_legacy.bin")]
    public void TruncatedAtManyLengthsFailsCleanly(string file)
    {
        byte[] full = CheckpointFixtures.Bytes(file);
        using var tmp = new TempDirectory();
        string path = tmp.File(file);
        foreach (int len in CheckpointFixtures.CutPoints(full.Length))
        {
            File.WriteAllBytes(path, full.AsSpan(0, len).ToArray());
            var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));
            Assert.Equal(path, e.FilePath);
        }
    }

    [Theory]
    [InlineData("tiny_zip.bin", 1)]
    [InlineData("tiny_legacy.bin", 2)]
    [InlineData("tiny.safetensors", 3)]
    public void CorruptedBytesEitherLoadOrFailCleanly(string file, int seed)
    {
        byte[] full = CheckpointFixtures.Bytes(file);
        using var tmp = new TempDirectory();
        string path = tmp.File(file);
        var rng = new Random(seed);
        for (int i = 0; i < 300; i++)
        {
            byte[] bytes = (byte[])full.Clone();
            for (int k = rng.Next(1, 4); k > 0; k--)
            {
                bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                CheckpointReader.Read(path);
            }
            catch (CheckpointFormatException e)
            {
                Assert.Equal(path, e.FilePath);
            }
        }
    }

    [Fact]
    public void BigEndianZipIsByteSwapped()
    {
        var expected = CheckpointFixtures.LoadExpected("tiny_expected.json");
        using var tmp = new TempDirectory();
        string path = tmp.File("big.bin");
        using (var source = ZipFile.OpenRead(CheckpointFixtures.PathOf("tiny_zip.bin")))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            byte[] pkl = ReadEntry(source.GetEntry("tiny_zip/data.pkl")!);
            object? root = new SafeUnpickler(new MemoryStream(pkl), "x", "data.pkl").Load();
            var sizes = TorchTensorAssembler.FindTensors(root, "x")
                .DistinctBy(e => e.Tensor.Storage.Key)
                .ToDictionary(e => e.Tensor.Storage.Key, e => TensorDTypes.ElementSize(e.Tensor.Storage.DType!.Value));
            foreach (var entry in source.Entries)
            {
                byte[] bytes = ReadEntry(entry);
                string key = entry.FullName["tiny_zip/".Length..];
                if (key.StartsWith("data/", StringComparison.Ordinal))
                {
                    int size = sizes[key["data/".Length..]];
                    for (int i = 0; i < bytes.Length; i += size)
                    {
                        Array.Reverse(bytes, i, size);
                    }
                }

                WriteEntry(target, "big/" + key, bytes);
            }

            WriteEntry(target, "big/byteorder", "big"u8.ToArray());
        }

        CheckpointFixtures.AssertEqual(expected.Tensors, PyTorchCheckpointReader.Read(path));
    }

    [Fact]
    public void ZipWithoutDataPklIsRejected()
    {
        using var tmp = new TempDirectory();
        string path = tmp.File("nopkl.bin");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            WriteEntry(zip, "x/version", "3\n"u8.ToArray());
        }

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));
        Assert.Contains("data.pkl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingStorageRecordIsRejected()
    {
        using var tmp = new TempDirectory();
        string path = tmp.File("nostorage.bin");
        using (var source = ZipFile.OpenRead(CheckpointFixtures.PathOf("tiny_zip.bin")))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries.Where(e => e.FullName != "tiny_zip/data/3"))
            {
                WriteEntry(target, entry.FullName, ReadEntry(entry));
            }
        }

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));
        Assert.Contains("data/3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnrecognizedContentIsRejected()
    {
        using var tmp = new TempDirectory();
        string text = tmp.Write("notes.bin", "this is not a checkpoint at all"u8.ToArray());
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(text));
        Assert.Contains("unrecognized", e.Message, StringComparison.Ordinal);
        Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(text));
    }

    [Fact]
    public void ReadDirectoryPrefersSafeTensorsThenBin()
    {
        using var tmp = new TempDirectory();
        var missing = Assert.Throws<FileNotFoundException>(() => CheckpointReader.ReadDirectory(tmp.Path));
        Assert.Contains("model.safetensors", missing.Message, StringComparison.Ordinal);
        Assert.Contains("pytorch_model.bin", missing.Message, StringComparison.Ordinal);

        string bin = tmp.Write("pytorch_model.bin", CheckpointFixtures.Bytes("tiny_legacy.bin"));
        Assert.Equal(bin, CheckpointReader.ReadDirectory(tmp.Path).SourcePath);

        string st = tmp.Write("model.safetensors", CheckpointFixtures.Bytes("tiny.safetensors"));
        Assert.Equal(st, CheckpointReader.ReadDirectory(tmp.Path).SourcePath);

        Assert.Throws<DirectoryNotFoundException>(() => CheckpointReader.ReadDirectory(tmp.File("nope")));
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(bytes);
    }
}
