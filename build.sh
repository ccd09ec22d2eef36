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
