namespace Microsoft.ML.R2DN.ModelFiles;

// The sizes of the ML.NET carrier types through which a saved model is rebuilt (see MlNetCarrier): the generator in
// Microsoft.ML.R2DN.Generators writes, from one template, the predicted columns of a simulator (at most 64 outputs)
// and, per forecast size tier, an output row and a custom-mapping factory found by its contract name. A forecast of n
// values uses the smallest tier >= n and a slot selection cuts it to n. Changing a tier changes the contract names
// that saved models refer to: tiers may be added, never removed. The types are public only because ML.NET's code
// generation needs them to be; they are not an API.
[CarrierSizes(64, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144)]
internal static partial class MlNetCarrier;
