using System.Reflection;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>
/// The one place this library reaches into .NET Interactive, for the types it cannot annotate with
/// <see cref="TypeFormatterSourceAttribute"/> (ML.NET's metric objects, sequences of our records; see
/// <see cref="RegisteredDisplays"/>). The library does not reference the Interactive packages: when the kernel's
/// <c>Microsoft.DotNet.Interactive.Formatting</c> assembly is loaded in the process (it always is in a notebook), its
/// public <c>Formatter.Register(Type, Action&lt;object, TextWriter&gt;, string)</c> and
/// <c>Formatter.SetPreferredMimeTypesFor(Type, string[])</c> are found by reflection and called once per display and
/// mime type. This happens when the library's code first runs (<see cref="OnLoad"/>), or later, when the Formatting
/// assembly is loaded after it. Anywhere else it does nothing: no Formatting assembly, no registration, no cost beyond
/// one look at the loaded assemblies' names. When a future Formatting version renames those methods, nothing is
/// registered and values fall back to the kernel's default rendering; the canary test
/// (<c>NotebookFormattersTests</c>) fails first. Verified in the real kernel by <c>NotebookKernelTests</c>.
/// </summary>
internal static class NotebookFormatters
{
    /// <summary>The assembly and type that hold the kernel's formatter registry.</summary>
    internal const string FormattingAssembly = "Microsoft.DotNet.Interactive.Formatting", FormatterType = FormattingAssembly + ".Formatter";

    private static readonly string[] HtmlFirst = ["text/html"];
    private static readonly Lock Gate = new();
    private static readonly HashSet<Type> RegisteredWith = [];

    /// <summary>The Formatter types the displays were registered with (normally none, or the kernel's one).</summary>
    internal static IReadOnlyCollection<Type> Registrations
    {
        get
        {
            lock (Gate) return [.. RegisteredWith];
        }
    }

    /// <summary>Binds the two public static methods the registration calls; null when <paramref name="formatter"/> lacks either.</summary>
    internal static (MethodInfo Register, MethodInfo SetPreferredMimeTypes)? Bind(Type formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var register = formatter.GetMethod("Register", BindingFlags.Public | BindingFlags.Static, [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)]);
        var preferred = formatter.GetMethod("SetPreferredMimeTypesFor", BindingFlags.Public | BindingFlags.Static, [typeof(Type), typeof(string[])]);
        return register is not null && preferred is not null ? (register, preferred) : null;
    }

    /// <summary>
    /// Registers every display of <see cref="RegisteredDisplays"/> with the Formatter of <paramref name="formatting"/>
    /// (the Formatting assembly), once; HTML becomes the preferred mime type of each display's type. Returns whether the
    /// displays are registered with it now.
    /// </summary>
    internal static bool TryRegister(Assembly formatting)
    {
        ArgumentNullException.ThrowIfNull(formatting);
        if (formatting.GetName().Name != FormattingAssembly || formatting.GetType(FormatterType, throwOnError: false) is not { } formatter) return false;
        lock (Gate)
        {
            if (RegisteredWith.Contains(formatter)) return true;
            if (Bind(formatter) is not var (register, preferred)) return false;
            foreach (var display in RegisteredDisplays.All)
            {
                register.Invoke(null, [display.Type, (Action<object, TextWriter>)((value, writer) => writer.Write(display.Html(value))), "text/html"]);
                register.Invoke(null, [display.Type, (Action<object, TextWriter>)((value, writer) => writer.Write(display.Plain(value))), "text/plain"]);
                preferred.Invoke(null, [display.Type, HtmlFirst]);
            }
            RegisteredWith.Add(formatter);
            return true;
        }
    }

#pragma warning disable CA2255 // a library module initializer on purpose: a notebook never calls us to set up its displays
    /// <summary>Registers with a Formatting assembly already loaded, and with one loaded later.</summary>
    [ModuleInitializer]
    internal static void OnLoad()
#pragma warning restore CA2255
    {
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) =>
        {
            if (e.LoadedAssembly.GetName().Name == FormattingAssembly) Register(e.LoadedAssembly);
        };
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (assembly.GetName().Name == FormattingAssembly) Register(assembly);
    }

    // A display that cannot be registered must not break the library's loading: the value then renders as the kernel's default.
    private static void Register(Assembly formatting)
    {
        try
        {
            TryRegister(formatting);
        }
        catch (Exception e) when (e is TargetInvocationException or ArgumentException or TypeLoadException or MemberAccessException)
        {
            System.Diagnostics.Trace.TraceWarning($"Microsoft.ML.RobertaZh: notebook displays not registered with {formatting.FullName}: {e.Message}");
        }
    }
}
