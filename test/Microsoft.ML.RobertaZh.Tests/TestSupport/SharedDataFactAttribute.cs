namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>A fact that needs ../shared/data; skipped with a message saying so when the folder is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the shared data folder is missing.</summary>
    public SharedDataFactAttribute()
    {
        if (Fixtures.SharedData is null)
            Skip = "../shared/data (beside the repository) is absent; this test reads real data from it.";
    }
}

/// <summary>A theory that needs ../shared/data; skipped with a message saying so when the folder is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the shared data folder is missing.</summary>
    public SharedDataTheoryAttribute()
    {
        if (Fixtures.SharedData is null)
            Skip = "../shared/data (beside the repository) is absent; this test reads real data from it.";
    }
}
