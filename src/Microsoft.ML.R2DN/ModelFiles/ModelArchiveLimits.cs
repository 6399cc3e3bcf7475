namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>
/// Bounds on what reading a model file may cost, so that an untrusted or damaged file fails with a
/// <see cref="FormatException"/> instead of exhausting memory.
/// </summary>
/// <remarks>
/// <para>The defaults allow models far larger than any this package trains
/// (the F16 benchmark model is a few MB):</para>
/// <list type="table">
///   <listheader><term>limit</term><description>default</description></listheader>
///   <item><term><see cref="MaxArchiveBytes"/></term>
///     <description>1 GiB: the zip file itself.</description></item>
///   <item><term><see cref="MaxEntries"/></term>
///     <description>10,000 entries in the zip (a model has a few dozen).</description></item>
///   <item><term><see cref="MaxEntryBytes"/></term>
///     <description>256 MiB uncompressed for one array (32 Mi float64 values).</description></item>
///   <item><term><see cref="MaxManifestBytes"/></term>
///     <description>16 MiB for <c>manifest.json</c>.</description></item>
///   <item><term><see cref="MaxTotalBytes"/></term>
///     <description>512 MiB uncompressed for everything read.</description></item>
/// </list>
/// <para>
/// Uncompressed sizes are enforced on the bytes actually inflated, not on the sizes the archive declares, so an
/// archive that lies about its sizes (a zip bomb) stops at the limit.
/// </para>
/// </remarks>
public sealed record ModelArchiveLimits
{
    /// <summary>The default limits.</summary>
    public static ModelArchiveLimits Default { get; } = new();

    /// <summary>The most bytes the zip file itself may have
    /// (a stream that cannot seek is buffered up to this size). Default 1 GiB.</summary>
    public long MaxArchiveBytes { get; init; } = 1L << 30;

    /// <summary>The most entries (files and folders) the zip may hold. Default 10,000.</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>The most uncompressed bytes of one .npy entry. Default 256 MiB.</summary>
    public long MaxEntryBytes { get; init; } = 256L << 20;

    /// <summary>The most uncompressed bytes of <c>manifest.json</c>. Default 16 MiB.</summary>
    public long MaxManifestBytes { get; init; } = 16L << 20;

    /// <summary>The most uncompressed bytes of all entries read together. Default 512 MiB.</summary>
    public long MaxTotalBytes { get; init; } = 512L << 20;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first limit that is not positive or too
    /// large for one array.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxArchiveBytes, nameof(MaxArchiveBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEntries, nameof(MaxEntries));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEntryBytes, nameof(MaxEntryBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxManifestBytes, nameof(MaxManifestBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTotalBytes, nameof(MaxTotalBytes));
        // One entry is held in one byte array.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxEntryBytes, Array.MaxLength, nameof(MaxEntryBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxManifestBytes, Array.MaxLength, nameof(MaxManifestBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxArchiveBytes, Array.MaxLength, nameof(MaxArchiveBytes));
    }
}
