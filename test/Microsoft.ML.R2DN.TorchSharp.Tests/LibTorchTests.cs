using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp.Tests;

/// <summary>libtorch really loads here (no test of this project skips because it does not), from the build
/// output.</summary>
public class LibTorchTests(ITestOutputHelper output)
{
    [Fact]
    public void LibTorch_LoadsAndComputes()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[] { 1, 2, 3, 4 }, [2, 2], ScalarType.Float64);
        var x = linalg.solve(a, eye(2, dtype: ScalarType.Float64));
        Assert.Equal(-2.0, x[0, 0].item<double>(), 12);
        Assert.Equal(1.5, x[1, 0].item<double>(), 12);
    }

    [Fact]
    public void LibTorchSharp_IsTheCopyInTheOutputFolder_PatchedWhenTheHostLibStdCxxIsOld()
    {
        using var scope = NewDisposeScope();
        _ = ones(1).sum().item<float>();
        if (!OperatingSystem.IsLinux()) return;
        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && p[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
            .Select(p => p[5]).Distinct().ToArray();
        output.WriteLine("loaded: " + string.Join(", ", mapped));
        var loaded = Assert.Single(mapped);
        Assert.StartsWith(Path.GetFullPath(AppContext.BaseDirectory), loaded, StringComparison.Ordinal);

        string[] candidates =
        [
            "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
        ];
        string? host = candidates.FirstOrDefault(File.Exists);
        if (host is null) return;
        bool hostHas332 = Contains(File.ReadAllBytes(host), "GLIBCXX_3.4.32"u8);
        bool weak = ElfVersionNeeds.IsWeak(File.ReadAllBytes(loaded), "libstdc++.so.6", "GLIBCXX_3.4.32");
        output.WriteLine($"host {host} defines GLIBCXX_3.4.32: {hostHas332}; loaded copy marks it weak: {weak}");
        // Patched exactly when needed: an up-to-date host keeps the stock library.
        Assert.Equal(!hostHas332, weak);
    }

    private static bool Contains(byte[] data, ReadOnlySpan<byte> needle) => data.AsSpan().IndexOf(needle) >= 0;
}

/// <summary>Reads the flags of one version need of an ELF64 shared library (.gnu.version_r).</summary>
internal static class ElfVersionNeeds
{
    public static bool IsWeak(byte[] b, string file, string version)
    {
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long h = (long)shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(b, (int)h + 4) != 0x6ffffffe) continue;
            long off = (long)BitConverter.ToUInt64(b, (int)h + 24);
            uint link = BitConverter.ToUInt32(b, (int)h + 40);
            long str = (long)BitConverter.ToUInt64(b, (int)((long)shoff + link * shentsize + 24));
            string Name(uint o)
            {
                int s = (int)(str + o), e = s;
                while (b[e] != 0) e++;
                return System.Text.Encoding.ASCII.GetString(b, s, e - s);
            }
            long vn = off;
            while (true)
            {
                long vna = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int k = 0; k < BitConverter.ToUInt16(b, (int)vn + 2); k++)
                {
                    if (Name(BitConverter.ToUInt32(b, (int)vn + 4)) == file
                        && Name(BitConverter.ToUInt32(b, (int)vna + 8)) == version)
                        return (BitConverter.ToUInt16(b, (int)vna + 4) & 0x2) != 0;
                    vna += BitConverter.ToUInt32(b, (int)vna + 12);
                }
                uint next = BitConverter.ToUInt32(b, (int)vn + 12);
                if (next == 0) break;
                vn += next;
            }
        }
        return false;
    }
}
