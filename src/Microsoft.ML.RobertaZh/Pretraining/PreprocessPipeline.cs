using System.Diagnostics;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// The parallel part of <see cref="PretrainingDataset.Preprocess"/>. Documents are read in waves; while one wave is packed
/// by the workers (chunks of documents, in parallel) and then written in corpus order, the next wave is read on another
/// thread. Output order is corpus order, and all randomness is keyed by document or instance index, so the shards do
/// not depend on the thread count.
/// </summary>
internal static class PreprocessPipeline
{
    private const int ChunkDocuments = 32;
    private const int ChunksPerWorker = 4;

    public static void Run(IEnumerable<CorpusDocument> documents, InstancePacker packer, ShardSetWriter train, ShardSetWriter heldOut,
        Func<long, bool> isHeldOut, int workers, long corpusSize, IProgress<PreprocessProgress>? progress, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken };
        int capacity = workers * ChunksPerWorker * ChunkDocuments;
        var clock = Stopwatch.StartNew();
        long done = 0, tokens = 0;
        PreprocessProgress Progress(long bytes) => new(done, train.Manifest.Instances + heldOut.Manifest.Instances, tokens, bytes, corpusSize, clock.Elapsed);

        using var reader = documents.GetEnumerator();
        List<CorpusDocument> ReadWave()
        {
            var wave = new List<CorpusDocument>(capacity);
            while (wave.Count < capacity && reader.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                wave.Add(reader.Current);
            }
            return wave;
        }

        var pending = Task.Run(ReadWave, cancellationToken);
        try
        {
            var results = new List<PackedInstance>[capacity];
            while (true)
            {
                var wave = pending.GetAwaiter().GetResult();
                if (wave.Count == 0) break;
                pending = Task.Run(ReadWave, cancellationToken);
                int chunks = (wave.Count + ChunkDocuments - 1) / ChunkDocuments;
                var chunkTokens = new long[chunks];
                Parallel.For(0, chunks, parallel, c =>
                {
                    for (int i = c * ChunkDocuments; i < Math.Min(wave.Count, (c + 1) * ChunkDocuments); i++)
                    {
                        results[i] = [];
                        chunkTokens[c] += packer.Pack(wave[i], results[i]);
                    }
                });
                for (int i = 0; i < wave.Count; i++)
                {
                    (isHeldOut(wave[i].Index) ? heldOut : train).AddDocument(results[i]);
                    results[i] = null!;
                }
                done += wave.Count;
                tokens += chunkTokens.Sum();
                progress?.Report(Progress(wave[^1].EndByteOffset));
            }
        }
        finally
        {
            // The reader must be idle before it is disposed; its own failure, if any, has been or will be reported.
            try { pending.Wait(CancellationToken.None); } catch (AggregateException) { }
        }
        progress?.Report(Progress(corpusSize));
    }
}
