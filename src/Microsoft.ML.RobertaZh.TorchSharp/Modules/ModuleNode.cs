using TorchSharp;

namespace Microsoft.ML.RobertaZh.TorchSharp.Modules;

/// <summary>
/// A named container in the module tree, so that <c>named_parameters()</c> yields Hugging Face's names
/// (<c>bert.encoder.layer.0.attention.self.query.weight</c>) while the forward pass holds typed references to the leaves.
/// </summary>
internal sealed class ModuleNode : torch.nn.Module
{
    public ModuleNode(string name)
        : base(name)
    {
    }

    /// <summary>Registers <paramref name="child"/> under <paramref name="name"/> and returns it.</summary>
    public T Add<T>(string name, T child)
        where T : torch.nn.Module
    {
        register_module(name, child);
        return child;
    }

    /// <summary>Registers a parameter under <paramref name="name"/> and returns it.</summary>
    public global::TorchSharp.Modules.Parameter AddParameter(string name, global::TorchSharp.Modules.Parameter parameter)
    {
        register_parameter(name, parameter);
        return parameter;
    }
}
