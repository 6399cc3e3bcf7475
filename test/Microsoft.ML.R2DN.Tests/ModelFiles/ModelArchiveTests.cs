using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.ModelFiles.ModelFileTestData;

namespace Microsoft.ML.R2DN.Tests.ModelFiles;

public sealed class ModelArchiveTests
{
    private static readonly (string Name, int[] Shape, double[] Data)[] SampleArrays =
    [
        ("X", [2, 3], [1, 2, 3, 4, 5, 6]),
        ("p", [1], [0.5]),
        ("scalar", [], [-1.25]),
        ("Z12", [0, 3], []),
        ("network/layers_0/XY", [3, 2], [1e-300, -0.0, double.MaxValue, double.Epsilon, 3, 4]),
        ("network/layers_0/cube", [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
    ];

    private static byte[] WriteSample(JsonObject? manifest = null)
    {
        using var ms = new MemoryStream();
        ModelArchive.Write(ms, manifest ?? new JsonObject { ["note"] = "hello" }, SampleArrays);
        return ms.ToArray();
    }

    private static FormatException ReadFails(byte[] file, ModelArchiveLimits? limits = null) =>
        Assert.Throws<FormatException>(() => ModelArchive.Read(new MemoryStream(file), limits));

    [Fact]
    public void WriteThenRead_RoundTripsManifestAndArrays()
    {
        var manifest =
            new JsonObject { ["note"] = "hello", ["nested"] = new JsonObject { ["x"] = new JsonArray(1, 2.5) } };
        var (readManifest, arrays) = ModelArchive.Read(new MemoryStream(WriteSample(manifest)));

        Assert.Equal(ModelArchive.FormatName, readManifest["format"]!.GetValue<string>());
        Assert.Equal(1, readManifest["formatVersion"]!.GetValue<int>());
        Assert.Equal("hello", readManifest["note"]!.GetValue<string>());
        Assert.Equal(2.5, readManifest["nested"]!["x"]![1]!.GetValue<double>());
        Assert.Equal(SampleArrays.Select(a => a.Name).Order(StringComparer.Ordinal),
                     arrays.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, shape, data) in SampleArrays)
        {
            Assert.Equal(shape, arrays[name].Shape);
            Assert.Equal(data.Select(BitConverter.DoubleToInt64Bits),
                         arrays[name].Data.Select(BitConverter.DoubleToInt64Bits));
        }
        Assert.Null(manifest["format"]);   // the caller's object is not modified
    }

    [Fact]
    public void Write_EntriesAreTheManifestAndOneNpyPerArray()
    {
        using var zip = new ZipArchive(new MemoryStream(WriteSample()), ZipArchiveMode.Read);
        Assert.Equal(
            ["manifest.json", "parameters/X.npy", "parameters/p.npy", "parameters/scalar.npy", "parameters/Z12.npy",
             "parameters/network/layers_0/XY.npy", "parameters/network/layers_0/cube.npy"],
            zip.Entries.Select(e => e.FullName));
        var entry = zip.GetEntry("parameters/network/layers_0/XY.npy")!;
        using var s = entry.Open();
        var bytes = new MemoryStream();
        s.CopyTo(bytes);
        Assert.Equal(NpyBytes([3, 2], SampleArrays[4].Data), bytes.ToArray());

        using var m = zip.GetEntry("manifest.json")!.Open();
        string json = new StreamReader(m, Encoding.UTF8).ReadToEnd();
        Assert.StartsWith("{\n  \"format\": \"Microsoft.ML.R2DN.Model\",\n  \"formatVersion\": 1,",
                          json.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Write_CallerFormatProperties_AreReplaced()
    {
        var (m, _) = ModelArchive.Read(new MemoryStream(WriteSample(new JsonObject
        {
            ["formatVersion"] = 99,
            ["format"] = "x", ["k"] = 1
        })));
        Assert.Equal(ModelArchive.FormatName, m["format"]!.GetValue<string>());
        Assert.Equal(1, m["formatVersion"]!.GetValue<int>());
        Assert.Equal(1, m["k"]!.GetValue<int>());
    }

    [Fact]
    public void Write_SameInput_GivesSameBytes()
    {
        Assert.Equal(WriteSample(), WriteSample());
    }

    [Fact]
    public void Read_StreamThatCannotSeekOrDoesNotStartAtZero_Works()
    {
        var file = WriteSample();
        var (_, arrays) = ModelArchive.Read(new NonSeekableStream(file));
        Assert.Equal(SampleArrays.Length, arrays.Count);

        var prefixed = new MemoryStream([.. "junk"u8, .. file]) { Position = 4 };
        (_, arrays) = ModelArchive.Read(prefixed);
        Assert.Equal(SampleArrays.Length, arrays.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("/abs")]
    [InlineData("../up")]
    [InlineData("a/../b")]
    [InlineData("a\\b")]
    [InlineData("C:x")]
    [InlineData("tab\there")]
    [InlineData("./x")]
    public void Write_UnsafeArrayName_Throws(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelArchive.Write(new MemoryStream(), new JsonObject(),
                                                                          [(name, [1], [1.0])]));
        Assert.Contains("cannot be stored", e.Message);
    }

    [Fact]
    public void Write_DuplicateNameOrShapeMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => ModelArchive.Write(new MemoryStream(), new JsonObject(),
                                                                  [("a", [1], [1.0]), ("a", [1], [2.0])]));
        var e = Assert.Throws<ArgumentException>(() => ModelArchive.Write(new MemoryStream(), new JsonObject(),
                                                                          [("a", [2, 2], [1.0])]));
        Assert.Contains("'a'", e.Message);
    }

    [Fact]
    public void Read_ManifestWithNewerVersion_SaysTooNew()
    {
        var file = Zip(("manifest.json", Utf8(Manifest(version: 7))), ("parameters/unknown-in-v7.npy", [1, 2, 3]));
        var e = ReadFails(file);
        Assert.Equal("The model file has format version 7, newer than this package supports (1). Update " +
                     "Microsoft.ML.R2DN.", e.Message);
    }

    [Fact]
    public void Read_ManifestWithOlderOrMissingVersion_SaysTooOld()
    {
        var e = ReadFails(Zip(("manifest.json", Utf8(Manifest(version: 0)))));
        Assert.StartsWith("The model file has format version 0, older than this package supports (1).", e.Message);
        var noVersion = new JsonObject { ["format"] = ModelArchive.FormatName };
        e = ReadFails(Zip(("manifest.json", Utf8(noVersion))));
        Assert.StartsWith("The model file has no format version: it is older than this package supports (1).",
                          e.Message);
        var notInteger = new JsonObject { ["format"] = ModelArchive.FormatName, ["formatVersion"] = "1" };
        Assert.StartsWith(ModelFileErrors.DamagedPrefix, ReadFails(Zip(("manifest.json", Utf8(notInteger)))).Message);
    }

    [Fact]
    public void Read_OtherFiles_AreNotModelFiles()
    {
        const string notModel = "The file is not a model file: ";
        Assert.StartsWith(notModel, ReadFails([]).Message);
        Assert.StartsWith(notModel, ReadFails("hello, world"u8.ToArray()).Message);
        Assert.StartsWith(notModel, ReadFails(Hex("934e554d5059010076007b27")).Message);
        Assert.StartsWith(notModel, ReadFails(Zip(("readme.txt", "hi"u8.ToArray()))).Message);
        var other = new JsonObject { ["manifest_version"] = 3, ["name"] = "a browser extension" };
        Assert.StartsWith(notModel, ReadFails(Zip(("manifest.json", Utf8(other)))).Message);
        var wrongFormat = new JsonObject { ["format"] = "Something.Else", ["formatVersion"] = 1 };
        Assert.Contains("'Something.Else'", ReadFails(Zip(("manifest.json", Utf8(wrongFormat)))).Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"format\": \"Microsoft.ML.R2DN.Model\", \"formatVersion\": 1,}")]
    [InlineData("{\"format\": \"Microsoft.ML.R2DN.Model\", \"formatVersion\": 1, \"formatVersion\": 7}")]
    [InlineData("{\"format\": \"Microsoft.ML.R2DN.Model\" /* comment */, \"formatVersion\": 1}")]
    [InlineData("\"just a string\"")]
    public void Read_ManifestNotAJsonObject_IsDamaged(string manifest)
    {
        var e = ReadFails(Zip(("manifest.json", Encoding.UTF8.GetBytes(manifest))));
        Assert.StartsWith(ModelFileErrors.DamagedPrefix + "manifest.json is not", e.Message);
    }

    [Fact]
    public void Read_InvalidUtf8Manifest_IsDamaged()
    {
        var e = ReadFails(Zip(("manifest.json", [.. "{\"format\": \""u8, 0xC3, 0x28, .. "\"}"u8])));
        Assert.Equal(ModelFileErrors.DamagedPrefix + "manifest.json is not valid UTF-8.", e.Message);
    }

    [Fact]
    public void Read_ManifestWithByteOrderMark_IsAccepted()
    {
        var file = Zip(("manifest.json", [0xEF, 0xBB, 0xBF, .. Utf8(Manifest())]));
        Assert.Empty(ModelArchive.Read(new MemoryStream(file)).Arrays);
    }

    [Fact]
    public void Read_UnknownEntriesWithSafeNames_AreIgnoredAndFoldersAllowed()
    {
        var file = Zip(("manifest.json", Utf8(Manifest())), ("parameters/", []), ("parameters/X.npy", Npy(2)),
                       ("README.md", "hello"u8.ToArray()), ("parameters/notes.txt", new byte[10]));
        var (_, arrays) = ModelArchive.Read(new MemoryStream(file));
        Assert.Equal(["X"], arrays.Keys);
    }

    [Fact]
    public void Read_NpyEntryThatIsNotAnArray_IsDamagedAndNamed()
    {
        var file =
            Zip(("manifest.json", Utf8(Manifest())), ("parameters/network/layers_1/b.npy", "not an array"u8.ToArray()));
        var e = ReadFails(file);
        Assert.StartsWith(ModelFileErrors.DamagedPrefix
                          + "'parameters/network/layers_1/b.npy' is not a valid .npy array", e.Message);
    }

    [Fact]
    public void Read_EntryWithWrongCrc_IsDamaged()
    {
        var file = WriteSample();
        PatchCrc(file, "parameters/X.npy", 0xDEADBEEF);
        var e = ReadFails(file);
        Assert.StartsWith(ModelFileErrors.DamagedPrefix, e.Message);
    }

    [Fact]
    public void Read_EntryWithUnsupportedCompressionMethod_IsDamaged()
    {
        var file = WriteSample();
        PatchMethod(file, "parameters/X.npy", 14);   // LZMA
        Assert.StartsWith(ModelFileErrors.DamagedPrefix, ReadFails(file).Message);
    }

    [Fact]
    public void Read_ThrowsForLimitsThatAreNotPositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelArchive.Read(new MemoryStream(WriteSample()),
                                                                           new ModelArchiveLimits { MaxEntries = 0 }));
    }

    /// <summary>A stream that reads a byte array and cannot seek, like a network stream.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException(); set =>
                                       throw new NotSupportedException();
        }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) =>
            _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
