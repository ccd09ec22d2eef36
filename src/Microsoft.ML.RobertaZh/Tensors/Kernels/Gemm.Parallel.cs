using System.Runtime.CompilerServices;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static unsafe partial class Gemm
{
    /// <returns>True when <paramref name="epilogue"/> (if any) was run by the job, per row block.</returns>
    private static bool RunParallel(in Problem problem, int threads, RowBlockEpilogue? epilogue)
    {
        var job = new ParallelJob(problem, threads, epilogue);
        // Helpers are plain thread-pool work items; the calling thread works too and then waits only for tasks that
        // were claimed, never for a helper to start, so a busy pool cannot stall the call (see ParallelJob).
        for (int t = 1; t < threads; t++) ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        job.Execute();
        job.WaitForCompletion();
        return job.FusesEpilogue;
    }

    /// <summary>
    /// A multi-threaded GEMM as a list of small tasks claimed in order from one counter, so whichever core is less
    /// loaded (the machine is shared) simply claims more of them.
    /// </summary>
    /// <remarks>
    /// The loop nest is cut into phases, one per (NC column block, KC depth block). A phase is a few "pack B" tasks,
    /// which fill a shared packed-B buffer cooperatively, followed by one "compute" task per (MC row block, column
    /// chunk) — pack that A block into the worker's own buffer, then run the macro-kernel on the chunk. Columns are
    /// chunked only when there are too few row blocks to keep every worker busy (small m). Packed B is double-buffered so the next
    /// phase can be packed while the current one computes. Dependencies, each on a task with a smaller index:
    /// a compute task waits for its phase's packing and for the previous phase's compute task on the same tile
    /// (k blocks of one C tile must be added in order, and never concurrently); a pack task waits until the phase
    /// two back, which read the same buffer, has finished computing. Tasks are claimed in index order and a worker
    /// finishes a task before claiming another, so the lowest unfinished claimed task can always proceed: no
    /// deadlock, whatever number of helpers actually shows up (one thread alone runs everything in order).
    /// Every C element sees the same k order as the serial path, so results are bitwise identical to it.
    /// </remarks>
    private sealed class ParallelJob : IThreadPoolWorkItem
    {
        private const int PanelsPerPackTask = 8;

        private readonly Problem _p;
        private readonly int _kcMax, _mcMax, _kBlocks, _mBlocks, _nChunks, _computeTasks, _phases, _totalTasks;
        private readonly float* _packB;       // two buffers of _packBStride floats, owned by the calling thread
        private readonly nint _packBStride;
        private readonly int[] _phaseStart;   // first task index of each phase (+ total at the end)
        private readonly int[] _packDone, _computeDone, _tilePhase;
        private int _next, _finished;

        private readonly RowBlockEpilogue? _epilogue;

        /// <summary>True when each row block's last compute task runs the epilogue (one column block, no column chunks).</summary>
        public bool FusesEpilogue => _epilogue is not null && _phases == _kBlocks && _nChunks == 1;

        public ParallelJob(in Problem p, int threads, RowBlockEpilogue? epilogue)
        {
            _p = p;
            _epilogue = epilogue;
            _kcMax = KBlockDepth(p.K, p.KC);
            _kBlocks = (p.K + _kcMax - 1) / _kcMax;
            // Enough row blocks that two workers can balance, but no thinner than a few micro-tiles.
            _mBlocks = Math.Max((p.M + p.MC - 1) / p.MC, Math.Min(4 * threads, (p.M + 4 * MR - 1) / (4 * MR)));
            _mcMax = ((p.M + _mBlocks - 1) / _mBlocks + MR - 1) / MR * MR;
            _mBlocks = (p.M + _mcMax - 1) / _mcMax;
            int ncMax = Math.Min(p.NC, p.N);
            // Aim for at least four compute tasks per worker and phase; thin m gets column chunks instead.
            int panels = (ncMax + NR - 1) / NR;
            _nChunks = Math.Clamp((4 * threads + _mBlocks - 1) / _mBlocks, 1, Math.Max(1, panels / 2));
            _computeTasks = _mBlocks * _nChunks;
            _packBStride = PackedPanelsLength(ncMax, _kcMax);
            _packB = PackBuffers.B((int)(2 * _packBStride));

            int nBlocks = (p.N + p.NC - 1) / p.NC;
            _phases = nBlocks * _kBlocks;
            _phaseStart = new int[_phases + 1];
            for (int s = 0; s < _phases; s++)
                _phaseStart[s + 1] = _phaseStart[s] + PackTasks(s) + _computeTasks;
            _totalTasks = _phaseStart[_phases];
            _packDone = new int[_phases];
            _computeDone = new int[_phases];
            _tilePhase = new int[_computeTasks];
        }

        private int ColumnStart(int phase) => phase / _kBlocks * _p.NC;

        private int ColumnCount(int phase) => Math.Min(_p.NC, _p.N - ColumnStart(phase));

        private int PackTasks(int phase) => ((ColumnCount(phase) + NR - 1) / NR + PanelsPerPackTask - 1) / PanelsPerPackTask;

        public void WaitForCompletion()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _finished) < _totalTasks) spin.SpinOnce(sleep1Threshold: -1);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute()
        {
            int phase = 0;
            int task;
            while ((task = Interlocked.Increment(ref _next) - 1) < _totalTasks)
            {
                // Claims only grow, so this worker's phase cursor only moves forward.
                while (task >= _phaseStart[phase + 1]) phase++;
                int local = task - _phaseStart[phase];
                int packTasks = PackTasks(phase);
                if (local < packTasks) RunPack(phase, local);
                else RunCompute(phase, local - packTasks, packTasks);
                Interlocked.Increment(ref _finished);
            }
        }

        private float* Buffer(int phase) => _packB + (phase & 1) * _packBStride;

        private void RunPack(int phase, int group)
        {
            // The buffer was last read by phase - 2; wait for all of its compute tasks.
            if (phase >= 2) WaitUntil(ref _computeDone[phase - 2], _computeTasks);
            int pc = phase % _kBlocks * _kcMax;
            int kc = Math.Min(_kcMax, _p.K - pc);
            int nc = ColumnCount(phase);
            int first = group * PanelsPerPackTask * NR;
            int count = Math.Min(PanelsPerPackTask * NR, nc - first);
            // Panels are kc·NR floats apart, so a sub-range of columns packs into its own slice of the buffer.
            PackB(in _p, pc, ColumnStart(phase) + first, count, kc, Buffer(phase) + (nint)first * kc);
            Interlocked.Increment(ref _packDone[phase]);
        }

        private void RunCompute(int phase, int task, int packTasks)
        {
            WaitUntil(ref _packDone[phase], packTasks);
            WaitUntil(ref _tilePhase[task], phase);
            int block = task / _nChunks, chunk = task % _nChunks;
            int pcIndex = phase % _kBlocks;
            int pc = pcIndex * _kcMax;
            int kc = Math.Min(_kcMax, _p.K - pc);
            int jc = ColumnStart(phase);
            int nc = ColumnCount(phase);
            // Chunks are whole NR panels; the last column block may leave trailing chunks empty.
            int chunkPanels = ((nc + NR - 1) / NR + _nChunks - 1) / _nChunks;
            int j0 = Math.Min(nc, chunk * chunkPanels * NR);
            int j1 = Math.Min(nc, j0 + chunkPanels * NR);
            int ic = block * _mcMax;
            int mc = Math.Min(_mcMax, _p.M - ic);
            if (j1 > j0)
            {
                float* packA = PackBuffers.A(_mcMax * _kcMax);
                PackA(in _p, ic, pc, mc, kc, packA);
                bool first = pcIndex == 0;
                float* bias = first && _p.Bias != null ? _p.Bias + jc + j0 : null;
                MacroKernel(mc, j1 - j0, kc, packA, Buffer(phase) + (nint)j0 * kc, _p.C + ic * _p.Ldc + jc + j0, _p.Ldc,
                    bias, !first || _p.Accumulate, _p.Kernel);
                if (phase == _phases - 1 && FusesEpilogue) _epilogue!(ic, mc);
            }
            Volatile.Write(ref _tilePhase[task], phase + 1);
            Interlocked.Increment(ref _computeDone[phase]);
        }

        private static void WaitUntil(ref int counter, int target)
        {
            // Waits are short (another core finishing one task); SpinWait backs off to yielding if they are not,
            // but never to Sleep(1), whose millisecond granularity would dwarf a task.
            if (Volatile.Read(ref counter) >= target) return;
            var spin = new SpinWait();
            while (Volatile.Read(ref counter) < target) spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
