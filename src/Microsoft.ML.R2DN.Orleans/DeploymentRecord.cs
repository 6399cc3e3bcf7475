namespace Microsoft.ML.R2DN.Orleans;

/// <summary>What grain storage holds for the model grain: the last deployment, or null.</summary>
[GenerateSerializer]
public sealed class DeploymentRecord
{
    /// <summary>The last deployment, or null when none was made.</summary>
    [Id(0)]
    public ModelDeployment? Current { get; set; }
}
