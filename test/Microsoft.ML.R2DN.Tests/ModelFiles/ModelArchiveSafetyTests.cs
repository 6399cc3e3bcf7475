using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.ModelFiles.ModelFileTestData;

namespace Microsoft.ML.R2DN.Tests.ModelFiles;

/// <summary>Reading hostile archives: unsafe names, duplicates, and sizes beyond the limits, honest or lying.</summary>
public sealed class ModelArchiveSafetyTests
{
    private static FormatException ReadFails(byte[] file, ModelArchiveLimits? limits = null) =>
        Assert.Throws<FormatException>(() => ModelArchive.Read(new MemoryStream(file), limits));

    [Theory]
    [InlineData("../evil.npy")]
    [InlineData("/abs.npy")]
    [InlineData("C:\\x.npy")]
    [InlineData("C:/x.npy")]
    [InlineData("parameters/../../evil.npy")]
    [InlineData("parameters/..")]
    [InlineData("parameters\\..\\evil.npy")]
    [InlineData("parameters/x\u0001.npy")]
    [InlineData("parameters/x\n.npy")]
    [InlineData("parameters//x.npy")]
    [InlineData("./manifest.json")]
    [InlineData("parameters/./x.npy")]
    [InlineData("//server/share/x.npy")]
    [InlineData("manifest.json:stream")]
    public void ReadFile_UnsafeEntryName_IsDamagedAndWritesNothing(string name)
    {
        using var folder = new TempFolder();
        string inner = Directory.CreateDirectory(folder.File("inner")).FullName;
        string path = Path.Combine(inner, "model.zip");
        File.WriteAllBytes(path,
                           Zip(("manifest.json", Utf8(Manifest())), ("parameters/X.npy", Npy(2)), (name, Npy(3))));
        var before = folder.Listing();

        var e = Assert.Throws<FormatException>(() =>
        {
            using var file = File.OpenRead(path);
            ModelArchive.Read(file);
        });

        Assert.StartsWith(ModelFileErrors.DamagedPrefix + "the entry name '", e.Message);
        Assert.Contains("is not allowed", e.Message);
        Assert.Equal(before, folder.Listing());
        Assert.Equal(["inner", Path.Combine("inner", "model.zip")], folder.Listing());
    }

    [Fact]
    public void Read_TooLongEntryName_IsDamaged()
    {
        var e = ReadFails(Zip(("manifest.json", Utf8(Manifest())),
                              ("parameters/" + new string('a', 2000) + ".npy", Npy(1))));
        Assert.Contains("longer than 1024", e.Message);
    }

    [Fact]
    public void Read_DuplicateEntryNames_AreDamaged()
    {
        var e = ReadFails(Zip(("manifest.json", Utf8(Manifest())), ("parameters/X.npy", Npy(2)),
                              ("parameters/X.npy", Npy(3))));
        Assert.Equal(ModelFileErrors.DamagedPrefix + "two entries are named 'parameters/X.npy'.", e.Message);
        e = ReadFails(Zip(("manifest.json", Utf8(Manifest())), ("manifest.json", Utf8(Manifest(7)))));
        Assert.Contains("two entries are named 'manifest.json'", e.Message);
    }

    [Fact]
    public void Read_MoreEntriesThanTheLimit_IsDamaged()
    {
        var entries = Enumerable.Range(0,
                                       12).Select(i => ($"parameters/a{i}.npy", Npy(1))).Prepend(("manifest.json",
                                           Utf8(Manifest()))).ToArray();
        var file = Zip(entries);
        Assert.Equal(12,
                     ModelArchive.Read(new MemoryStream(file),
                                       new ModelArchiveLimits { MaxEntries = 13 }).Arrays.Count);
        var e = ReadFails(file, new ModelArchiveLimits { MaxEntries = 12 });
        Assert.Contains("declares 13 entries, more than the limit of 12", e.Message);
    }

    [Fact]
    public void Read_EntryLargerThanTheLimit_IsDamaged()
    {
        var file = Zip(("manifest.json", Utf8(Manifest())), ("parameters/X.npy", Npy(1000)));
        Assert.Single(ModelArchive.Read(new MemoryStream(file),
                                        new ModelArchiveLimits { MaxEntryBytes = 8128 }).Arrays);
        var e = ReadFails(file, new ModelArchiveLimits { MaxEntryBytes = 8127 });
        Assert.Equal(ModelFileErrors.DamagedPrefix
                     + "entry 'parameters/X.npy' declares 8128 bytes, more than the limit of 8127.", e.Message);
    }

    [Fact]
    public void Read_ManifestLargerThanTheLimit_IsDamaged()
    {
        var manifest = Manifest();
        manifest["padding"] = new string('x', 5000);
        var e = ReadFails(Zip(("manifest.json", Utf8(manifest))), new ModelArchiveLimits { MaxManifestBytes = 4096 });
        Assert.Contains("entry 'manifest.json' declares", e.Message);
    }

    [Fact]
    public void Read_EntriesTogetherLargerThanTheLimit_AreDamaged()
    {
        var file =
            Zip(("manifest.json", Utf8(Manifest())), ("parameters/A.npy", Npy(1000)), ("parameters/B.npy", Npy(1000)));
        var e = ReadFails(file, new ModelArchiveLimits { MaxTotalBytes = 12_000 });
        Assert.Contains("more than the limit of 12000 bytes in all", e.Message);
    }

    [Fact]
    public void Read_FileLargerThanTheLimit_IsDamaged()
    {
        var file = Zip(("manifest.json", Utf8(Manifest())), ("parameters/A.npy", Npy(1000)));
        Assert.Contains("larger than the limit of 1000 bytes",
                        ReadFails(file, new ModelArchiveLimits { MaxArchiveBytes = 1000 }).Message);
    }

    [Fact]
    public void Read_ZipBombDeclaringItsSize_IsRefusedBeforeInflating()
    {
        // 100 MB of zeros inflating from about 100 KB: refused on its declared size, without inflating anything.
        var bomb = Zip(CompressionLevel.Fastest, ("manifest.json", Utf8(Manifest())),
                       ("parameters/X.npy", new byte[100_000_000]));
        Assert.True(bomb.Length < 1 << 20);
        var clock = Stopwatch.StartNew();
        var e = ReadFails(bomb, new ModelArchiveLimits { MaxEntryBytes = 1 << 20 });
        Assert.Contains("declares 100000000 bytes, more than the limit of 1048576", e.Message);
        Assert.True(clock.ElapsedMilliseconds < 2000, $"took {clock.ElapsedMilliseconds} ms");
        // The default limits refuse it too, on the total.
        Assert.Throws<FormatException>(() => ModelArchive.Read(new MemoryStream(bomb),
                                                               new ModelArchiveLimits { MaxTotalBytes = 50_000_000 }));
    }

    [Fact]
    public void Read_ZipBombLyingAboutItsSize_StopsAtTheDeclaredSize()
    {
        var bomb = Zip(CompressionLevel.Fastest, ("manifest.json", Utf8(Manifest())),
                       ("parameters/X.npy", new byte[100_000_000]));
        PatchUncompressedSize(bomb, "parameters/X.npy", 1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var e = ReadFails(bomb, new ModelArchiveLimits { MaxEntryBytes = 1 << 20, MaxTotalBytes = 2 << 20 });

        Assert.StartsWith(ModelFileErrors.DamagedPrefix, e.Message);
        Assert.True(clock.ElapsedMilliseconds < 2000, $"took {clock.ElapsedMilliseconds} ms");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes while reading a 100 MB bomb");
    }

    [Fact]
    public void Read_EntryShorterThanDeclared_IsDamaged()
    {
        var file = Zip(CompressionLevel.Optimal, ("manifest.json", Utf8(Manifest())), ("parameters/X.npy", Npy(100)));
        PatchUncompressedSize(file, "parameters/X.npy", 2000);
        Assert.StartsWith(ModelFileErrors.DamagedPrefix, ReadFails(file).Message);
    }

    [Fact]
    public void Read_NpyEntryDeclaringAnAbsurdShape_IsDamagedFast()
    {
        var absurd = NpyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }",
                                   new byte[64]);
        var clock = Stopwatch.StartNew();
        var e = ReadFails(Zip(("manifest.json", Utf8(Manifest())), ("parameters/X.npy", absurd)));
        Assert.Contains("'parameters/X.npy'", e.Message);
        Assert.Contains("more than the", e.Message);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
    }
}
