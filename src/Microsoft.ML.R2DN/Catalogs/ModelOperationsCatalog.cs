namespace Microsoft.ML.R2DN;

/// <summary>Saving and loading trained models: <c>MLContext.Model</c>.</summary>
public sealed class ModelOperationsCatalog
{
    internal ModelOperationsCatalog(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
    }
}
