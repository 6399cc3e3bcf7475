using System.Text;

namespace Microsoft.ML.R2DN.Engine.Tests;

/// <summary>Saving to a path (a model file, a checkpoint, a CSV) replaces the file in one step or not at all.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("r2dn-atomic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string[] Listing() =>
        Directory.EnumerateFileSystemEntries(_folder, "*", SearchOption.AllDirectories)
                 .Select(p => Path.GetRelativePath(_folder, p)).Order(StringComparer.Ordinal).ToArray();

    private static Action<Stream> Bytes(params byte[] content) => s => s.Write(content);

    [Fact]
    public void Write_NewPath_CreatesTheFileAndLeavesNoTemporaryFile()
    {
        AtomicFile.Write(PathOf("model.zip"), Bytes(1, 2, 3));

        Assert.Equal(["model.zip"], Listing());
        Assert.Equal([1, 2, 3], File.ReadAllBytes(PathOf("model.zip")));
    }

    [Fact]
    public void Write_ExistingFile_IsReplaced()
    {
        AtomicFile.Write(PathOf("model.zip"), Bytes(1, 2, 3));
        AtomicFile.Write(PathOf("model.zip"), Bytes(4));

        Assert.Equal(["model.zip"], Listing());
        Assert.Equal([4], File.ReadAllBytes(PathOf("model.zip")));
    }

    [Fact]
    public void Write_FailureHalfway_LeavesThePreviousFileAndNoTemporaryFile()
    {
        AtomicFile.Write(PathOf("model.zip"), Bytes(1, 2, 3));
        bool halfway = false;

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(PathOf("model.zip"), s =>
        {
            s.Write(new byte[4096]);
            halfway = true;
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("disk full (simulated)", e.Message);
        Assert.True(halfway);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(PathOf("model.zip")));
        Assert.Equal(["model.zip"], Listing());
    }

    [Fact]
    public void Write_ArgumentErrorOfTheWriter_LeavesThePreviousFileAndNoTemporaryFile()
    {
        AtomicFile.Write(PathOf("model.zip"), Bytes(1, 2, 3));

        Assert.Throws<ArgumentException>(() => AtomicFile.Write(PathOf("model.zip"), s =>
        {
            s.WriteByte(9);
            throw new ArgumentException("an invalid array");
        }));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(PathOf("model.zip")));
        Assert.Equal(["model.zip"], Listing());
    }

    [Fact]
    public void Write_PathIsAFolder_FailsAtTheMoveAndLeavesNoTemporaryFile()
    {
        Directory.CreateDirectory(PathOf("taken"));

        var e = Record.Exception(() => AtomicFile.Write(PathOf("taken"), Bytes(1)));

        Assert.True(e is IOException or UnauthorizedAccessException, e?.ToString());
        Assert.Equal(["taken"], Listing());
    }

    [Fact]
    public void Write_MissingFolder_ThrowsAndCreatesNothing()
    {
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(PathOf("no/such/model.zip"), Bytes(1)));
        Assert.Empty(Listing());
    }

    [Fact]
    public void Write_TrailingSeparator_Throws()
    {
        Assert.Throws<ArgumentException>(() => AtomicFile.Write(Path.GetTempPath(), Bytes(1)));
    }

    [Fact]
    public void WriteText_IsUtf8WithoutAByteOrderMark()
    {
        AtomicFile.WriteText(PathOf("forecast.csv"), w => w.Write("é,1\n"));

        Assert.Equal(Encoding.UTF8.GetBytes("é,1\n"), File.ReadAllBytes(PathOf("forecast.csv")));
        Assert.Equal(["forecast.csv"], Listing());
    }
}
