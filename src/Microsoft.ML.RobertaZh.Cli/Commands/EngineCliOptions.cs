using System.CommandLine;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// The engine options of the commands that run the model: <c>--engine managed|torchsharp|onnxruntime</c>,
/// <c>--device cpu|cuda|cuda:N</c>, <c>--fallback-to-cpu</c>, and on the inference commands <c>--int8</c> and
/// <c>--no-pack</c> (packing is on by default). Training commands refuse onnxruntime (it runs inference only).
/// </summary>
internal sealed class EngineCliOptions
{
    private readonly bool _training;

    /// <summary>The engine options of a training command (no --int8/--no-pack) or of an inference command.</summary>
    public EngineCliOptions(bool training)
    {
        _training = training;
        Engine = new Option<string>("--engine")
        {
            Description = training
                ? "managed (default; no native dependency) or torchsharp (libtorch). onnxruntime runs inference only."
                : "managed (default; no native dependency), torchsharp (libtorch) or onnxruntime.",
            DefaultValueFactory = _ => "managed",
        };
        Int8 = new Option<bool>("--int8") { Description = "Dynamic int8 inference (managed engine): faster, within a few tenths of a point of fp32 accuracy." };
        NoPack = new Option<bool>("--no-pack")
        {
            Description = "Compute padded positions (the padded batch, within 1e-5) instead of packing each batch's valid tokens, the default (managed engine: "
                + "each input scored bit for bit as if alone, faster on mixed lengths).",
        };
    }

    public Option<string> Engine { get; }

    public Option<string?> Device { get; } = new("--device") { Description = "cpu (default), cuda or cuda:N (needs --engine torchsharp with a CUDA build of libtorch, or onnxruntime with Microsoft.ML.OnnxRuntime.Gpu)." };

    public Option<bool> FallbackToCpu { get; } = new("--fallback-to-cpu") { Description = "Run on the CPU when the CUDA device cannot be used, instead of failing." };

    public Option<bool> Int8 { get; }

    public Option<bool> NoPack { get; }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Engine);
        command.Options.Add(Device);
        command.Options.Add(FallbackToCpu);
        if (_training) return;
        command.Options.Add(Int8);
        command.Options.Add(NoPack);
    }

    /// <summary>The engine named by --engine.</summary>
    /// <exception cref="CommandLineException">An unknown engine, or onnxruntime for a training command.</exception>
    public EngineKind Kind(ParseResult parse)
    {
        var kind = parse.GetValue(Engine) switch
        {
            "managed" => EngineKind.Managed,
            "torchsharp" => EngineKind.TorchSharp,
            "onnxruntime" => EngineKind.OnnxRuntime,
            var other => throw new CommandLineException($"--engine must be managed, torchsharp or onnxruntime, not '{other}'."),
        };
        if (_training && kind == EngineKind.OnnxRuntime)
            throw new CommandLineException("--engine onnxruntime runs inference only and cannot train: train with --engine managed or torchsharp, "
                + "then run predict, evaluate, encode or fill-mask with --engine onnxruntime on the saved model.");
        return kind;
    }

    /// <summary>The engine, checked against --int8 (the managed engine's).</summary>
    private EngineKind CheckedKind(ParseResult parse)
    {
        var kind = Kind(parse);
        if (!_training && parse.GetValue(Int8) && kind != EngineKind.Managed)
            throw new CommandLineException($"--int8 is the managed engine's dynamic int8 path; --engine {parse.GetValue(Engine)} runs in full precision. Drop --int8 or use --engine managed.");
        return kind;
    }

    /// <summary>The device of --device (null: the default, the CPU), checked.</summary>
    public string? DeviceOf(ParseResult parse)
    {
        string? device = parse.GetValue(Device);
        if (device is null) return null;
        try
        {
            new EngineOptions { Device = device }.Validate();
        }
        catch (ArgumentException)
        {
            throw new CommandLineException($"--device must be cpu, cuda or cuda:N (for example cuda:1), not '{device}'.");
        }

        return device;
    }

    /// <summary>--fallback-to-cpu as the options' nullable setting (null when not given).</summary>
    public bool? FallbackOf(ParseResult parse) => parse.GetValue(FallbackToCpu) ? true : null;

    /// <summary>The inference options of a loading command (--int8 and --no-pack override the saved model's settings only when given).</summary>
    public RobertaInferenceOptions Inference(ParseResult parse) => new()
    {
        Engine = CheckedKind(parse), Device = DeviceOf(parse), FallbackToCpu = FallbackOf(parse),
        InferencePrecision = parse.GetValue(Int8) ? InferencePrecision.DynamicInt8 : null,
        PackPaddedSequences = parse.GetValue(NoPack) ? false : null,
    };

    /// <summary>The engine options of a command that runs a model directly (encode): --int8 and --no-pack as given, else full precision, packed.</summary>
    public EngineOptions EngineOptions(ParseResult parse) => new()
    {
        Engine = CheckedKind(parse), Device = DeviceOf(parse) ?? "cpu", FallbackToCpu = parse.GetValue(FallbackToCpu),
        InferencePrecision = parse.GetValue(Int8) ? InferencePrecision.DynamicInt8 : InferencePrecision.FullPrecision,
        PackPaddedSequences = !parse.GetValue(NoPack),
    };
}
