using System.ComponentModel;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Infrastructure: the forecast columns of one size tier.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ForecastCarrierOutput
{
    internal abstract float[] ForecastValues { get; }

    internal abstract float[] LowerValues { get; }

    internal abstract float[] UpperValues { get; }
}
