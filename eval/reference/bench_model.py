#!/usr/bin/python3
"""PyTorch side of the encoder benchmark `eval/bench_model.sh` (ours: `./build.sh bench model ...`,
eval/Microsoft.ML.RobertaZh.Benchmarks/ModelBenchmark.cs).

The model, inputs and steps are those of eval/reference/bench_engine_torch.py (a Hugging Face-equivalent BERT of a UER
size; forward under no_grad in eval mode, batch 32; train = classification head, cross-entropy, backward,
clip_grad_norm_(1.0), AdamW with decay 0.01 except biases and LayerNorm, dropout 0.1, batch 16); this entry point keeps
bench_model.sh's command line:
    OPENBLAS_NUM_THREADS=2 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 eval/reference/bench_model.py --size tiny --mode forward
Prints one JSON line: sequences/s (median, min, max over repeats) and the process's peak RSS in MiB.
Requires Debian's python3-torch and libopenblas0-pthread (apt-get install python3-torch libopenblas0-pthread).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_engine_torch  # noqa: E402

if __name__ == "__main__":
    sys.argv.insert(1, "model")
    bench_engine_torch.main()
