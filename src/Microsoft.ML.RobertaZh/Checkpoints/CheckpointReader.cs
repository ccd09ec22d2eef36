using System.Buffers.Binary;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// Reads a checkpoint whatever its format — safetensors, PyTorch zip (.bin, torch ≥ 1.6) or legacy PyTorch (.bin) —
/// detecting the format from the file content, not its name.
/// </summary>
public static class CheckpointReader
{
    /// <summary>The safetensors file name of the Hugging Face layout.</summary>
    public const string SafeTensorsFileName = "model.safetensors";

    /// <summary>The PyTorch file name of the Hugging Face layout.</summary>
    public const string PyTorchFileName = "pytorch_model.bin";

    /// <summary>Reads every tensor of a checkpoint file.</summary>
    /// <param name="path">A .safetensors or PyTorch .bin file.</param>
    /// <returns>The tensors converted to float32, in file order.</returns>
    /// <exception cref="CheckpointFormatException">The format is not recognized, or the file is corrupt, truncated or unsafe.</exception>
    public static StateDict Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Span<byte> head = stackalloc byte[9];
        int n;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        head = head[..n];
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            return PyTorchCheckpointReader.Read(path);
        }

        if (n == 9 && head[8] == (byte)'{'
            && BinaryPrimitives.ReadUInt64LittleEndian(head) <= SafeTensorsHeader.MaxHeaderLength)
        {
            return SafeTensorsReader.Read(path);
        }

        if (n >= 2 && head[0] == 0x80 && head[1] <= 5)
        {
            return PyTorchCheckpointReader.Read(path);
        }

        throw new CheckpointFormatException(
            path, n < head.Length
                ? $"file is only {n} bytes long; not a checkpoint."
                : "unrecognized checkpoint format (expected safetensors, a PyTorch zip archive or a legacy PyTorch pickle).");
    }

    /// <summary>
    /// Reads the checkpoint of a Hugging Face model directory: <c>model.safetensors</c> if present, otherwise
    /// <c>pytorch_model.bin</c>.
    /// </summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>The tensors of the checkpoint found.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">Neither checkpoint file exists in the directory.</exception>
    /// <exception cref="CheckpointFormatException">The checkpoint file is corrupt, truncated or unsafe.</exception>
    public static StateDict ReadDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }

        string safetensors = Path.Combine(directory, SafeTensorsFileName);
        if (File.Exists(safetensors))
        {
            return Read(safetensors);
        }

        string bin = Path.Combine(directory, PyTorchFileName);
        if (File.Exists(bin))
        {
            return Read(bin);
        }

        bool sharded = File.Exists(Path.Combine(directory, SafeTensorsFileName + ".index.json"))
            || File.Exists(Path.Combine(directory, PyTorchFileName + ".index.json"));
        throw new FileNotFoundException(
            $"Model directory '{directory}' has neither {SafeTensorsFileName} nor {PyTorchFileName}"
            + (sharded ? " (sharded checkpoints are not supported)." : "."),
            safetensors);
    }
}
