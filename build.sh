#!/usr/bin/env bash
# Builds the solution in Release; `./build.sh test` also runs the unit tests.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
case "${1:-build}" in
  build)
    dotnet build Microsoft.ML.RobertaZh.sln -c Release
    ;;
  test)
    shift
    dotnet build Microsoft.ML.RobertaZh.sln -c Release
    # Every test project in the solution (one per assembly: core, and each optional engine).
    dotnet test Microsoft.ML.RobertaZh.sln -c Release --no-build "$@"
    # The kernels again with the wider instruction sets switched off, so the AVX2 and portable paths run as they would on
    # a CPU without AVX-512 / without AVX2 (the runtime dispatch picks them; each run takes seconds).
    if [ $# -eq 0 ]; then
      for isa in DOTNET_EnableAVX512 DOTNET_EnableAVX2; do
        echo "== kernel tests with $isa=0"
        env "$isa=0" dotnet test test/Microsoft.ML.RobertaZh.Tests -c Release --no-build --filter "FullyQualifiedName~.Tensors."
      done
    fi
    ;;
  bench)
    shift
    dotnet run -c Release --project eval/Microsoft.ML.RobertaZh.Benchmarks -- "$@"
    ;;
  *)
    echo "usage: ./build.sh [build|test|bench] [args...]" >&2
    exit 2
    ;;
esac
