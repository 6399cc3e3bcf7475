using System.ComponentModel;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Infrastructure: what the key mapping reads (nothing).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierKeyInput;
