using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using JupyterNotebook = Microsoft.DotNet.Interactive.Documents.Jupyter.Notebook;

// Runs every C# cell of each notebook in a fresh .NET Interactive C# kernel (as VS Code's Polyglot Notebooks does, with
// the kernel helpers display() and HTML()), in the notebook's folder, and writes what every cell produced as JSON.
//   NotebookHost --out RESULTS.json [--cell-timeout SECONDS] NOTEBOOK.ipynb|FOLDER...
// A notebook stops at its first failing cell. Exit status: 0 when every cell ran, 1 when a cell failed (the JSON says
// which and why), 2 on bad arguments.
string? outPath = null;
double cellTimeout = 600;
var inputs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length: outPath = args[++i]; break;
        case "--cell-timeout" when i + 1 < args.Length: cellTimeout = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default: inputs.Add(args[i]); break;
    }
}
var notebooks = inputs.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*.ipynb").Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).Select(Path.GetFullPath).ToList();
if (outPath is null || notebooks.Count == 0 || notebooks.Any(n => !File.Exists(n)))
{
    Console.Error.WriteLine("usage: NotebookHost --out RESULTS.json [--cell-timeout SECONDS] NOTEBOOK.ipynb|FOLDER...  (every notebook must exist)");
    return 2;
}

var results = new List<object>();
bool failed = false;
foreach (string path in notebooks)
{
    var (result, ok) = await RunNotebook(path, TimeSpan.FromSeconds(cellTimeout));
    results.Add(result);
    failed |= !ok;
}
File.WriteAllText(outPath, JsonSerializer.Serialize(new { failed, notebooks = results },
    new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
return failed ? 1 : 0;

static async Task<(object Result, bool Ok)> RunNotebook(string path, TimeSpan cellTimeout)
{
    var total = Stopwatch.StartNew();
    var document = JupyterNotebook.Parse(File.ReadAllText(path));
    Directory.SetCurrentDirectory(Path.GetDirectoryName(path)!);   // relative #r and paths resolve from the notebook's folder
    using var kernel = new CSharpKernel().UseKernelHelpers().UseValueSharing();
    double startup = total.Elapsed.TotalSeconds;
    var cells = new List<object>();
    bool ok = true;
    int index = 0;
    foreach (var element in document.Elements)
    {
        int cellIndex = index++;
        if (element.KernelName != "csharp") continue;
        var clock = Stopwatch.StartNew();
        var send = kernel.SendAsync(new SubmitCode(element.Contents));
        if (await Task.WhenAny(send, Task.Delay(cellTimeout)) != send)
        {
            cells.Add(new { index = cellIndex, seconds = clock.Elapsed.TotalSeconds, status = "timeout", error = $"no result after {cellTimeout.TotalSeconds} s", outputs = Array.Empty<object>() });
            ok = false;
            break;   // the kernel is still busy with it: later cells cannot run
        }
        var events = (await send).Events;
        var outputs = new List<object>();
        string? error = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case ReturnValueProduced r: outputs.AddRange(Formatted("return", r.FormattedValues)); break;
                case DisplayedValueUpdated u: outputs.AddRange(Formatted("update", u.FormattedValues)); break;
                case DisplayedValueProduced d: outputs.AddRange(Formatted("display", d.FormattedValues)); break;
                case StandardOutputValueProduced o: outputs.AddRange(Formatted("stdout", o.FormattedValues)); break;
                case StandardErrorValueProduced s: outputs.AddRange(Formatted("stderr", s.FormattedValues)); break;
                case DiagnosticsProduced p:
                    outputs.AddRange(p.Diagnostics.Where(x => x.Severity != Microsoft.CodeAnalysis.DiagnosticSeverity.Hidden)
                        .Select(x => (object)new { kind = "diagnostic", mime = "text/plain", value = $"{x.Severity}: {x.Code}: {x.Message}" }));
                    break;
                case CommandFailed f: error = f.Exception?.ToString() ?? f.Message; break;
            }
        }
        if (error is not null) ok = false;
        cells.Add(new { index = cellIndex, seconds = Math.Round(clock.Elapsed.TotalSeconds, 3), status = error is null ? "ok" : "failed", error, outputs });
        Console.Error.WriteLine($"{Path.GetFileName(path)} cell {cellIndex}: {(error is null ? "ok" : "FAILED")} in {clock.Elapsed.TotalSeconds:F1} s");
        if (error is not null)
        {
            Console.Error.WriteLine(error);
            break;   // as Jupyter's "run all": later cells would only fail on what this one did not define
        }
    }
    return (new { path, seconds = Math.Round(total.Elapsed.TotalSeconds, 3), kernel_startup_seconds = Math.Round(startup, 3), cells }, ok);
}

static IEnumerable<object> Formatted(string kind, IEnumerable<FormattedValue> values) =>
    values.Select(v => (object)new { kind, mime = v.MimeType, value = v.Value });
