#!/usr/bin/env bash
# Runs notebooks in the real .NET Interactive C# kernel (test/Microsoft.ML.RobertaZh.NotebookHost) that display ML.NET 6
# metric objects (BinaryClassificationMetrics, MulticlassClassificationMetrics, ConfusionMatrix) after registering
# formatters from FormattersProbe.dll, which does not reference the Interactive packages:
#   a-default          nothing registered: the kernel's generic property tree
#   b-explicit         FormattersProbe.NotebookFormatters.Register(): Formatter.Register(Type, Action<object,TextWriter>,
#                      string) found by reflection among the loaded assemblies
#   c-auto             the same call from a [ModuleInitializer] (PROBE_AUTO=1), when the probe's code first runs
#   d-convention       a TypeFormatterSource on our own type whose source also yields a formatter for ML.NET's type
#                      (taken only once our own type has been formatted)
#   e-convention-late  the same with an ML.NET object formatted first
# Prints, per cell, the mime type and the start of what the kernel rendered. Needs a Release build (./build.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; repo="$(cd "$here/../.." && pwd)"
out="$repo/eval/out/notebook-formatters"; mkdir -p "$out/nb"
dotnet build "$here/FormattersProbe.csproj" -c Release -o "$out/probe" >&2
host="$repo/test/Microsoft.ML.RobertaZh.NotebookHost/bin/Release/net10.0/Microsoft.ML.RobertaZh.NotebookHost.dll"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def nb(cells):
    meta = {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}}
    return {"cells": [{"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [], "source": c} for c in cells],
            "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}}, "nbformat": 4, "nbformat_minor": 2}
ref = f'#r "{out}/probe/FormattersProbe.dll"\nusing FormattersProbe;\n'
sets = {
  "a-default": [ref, "Metrics.Binary()", "Metrics.Multiclass().ConfusionMatrix"],
  "b-explicit": [ref, 'NotebookFormatters.Register("explicit")', "Metrics.Binary()", "Metrics.Multiclass()", "Metrics.Multiclass().ConfusionMatrix", "display(Metrics.Binary())"],
  "c-auto": [ref, "Metrics.Binary()", "NotebookFormatters.Status"],
  "d-convention": [ref, "new OwnThing()", "Metrics.Binary()"],
  "e-convention-late": [ref, "Metrics.Binary()", "new OwnThing()", "Metrics.Binary()"],
}
for name, cells in sets.items():
    json.dump(nb(cells), open(f"{out}/nb/{name}.ipynb", "w"))
PY
for name in a-default b-explicit c-auto d-convention e-convention-late; do
  env $([ "$name" = c-auto ] && echo PROBE_AUTO=1) dotnet "$host" --out "$out/$name.json" "$out/nb/$name.ipynb" 2>/dev/null || true
  python3 - "$out/$name.json" "$name" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"== {sys.argv[2]}: {'FAILED' if d['failed'] else 'all cells ran'}")
for c in d["notebooks"][0]["cells"]:
    for o in c["outputs"]:
        if o["kind"] in ("return", "display"):
            print(f"   cell {c['index']} {o['kind']} {o['mime']}: {o['value'][:110]!r}")
PY
done
