namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>The CRC-32 of zip files (IEEE 802.3, reflected polynomial 0xEDB88320), to check every entry read.</summary>
/// <remarks>
/// The shared framework has no public CRC-32 (System.IO.Hashing is a separate package); a table-driven loop is fast
/// enough for model files (hundreds of MB/s), and checking it ourselves does not depend on whether a given version of
/// System.IO.Compression validates checksums.
/// </remarks>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
