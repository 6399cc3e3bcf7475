using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Infrastructure: produces the lookup key of a saved model's bytes.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CarrierKeyFactory : CustomMappingFactory<CarrierKeyInput, CarrierKey>
{
    internal const string ContractName = "Microsoft.ML.R2DN.ModelKey";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierKeyInput, CarrierKey> GetMapping() => CarrierMapping.Key;
}
