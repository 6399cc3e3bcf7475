using System.Collections;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.ModelFiles;

namespace Microsoft.ML.R2DN.Tests.ModelFiles;

/// <summary>Saving to a path replaces the file in one step or not at all.</summary>
public sealed class ModelArchiveAtomicWriteTests
{
    private static readonly (string Name, int[] Shape, double[] Data)[] Arrays =
        [("A", [2], [1, 2]), ("B", [3], [3, 4, 5]), ("C", [1], [6]), ("D", [2, 2], [7, 8, 9, 10])];

    [Fact]
    public void WriteFile_NewPath_CreatesTheFileAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.zip");

        ModelArchive.WriteFile(path, new JsonObject { ["v"] = 1 }, Arrays);

        Assert.Equal(["model.zip"], folder.Listing());
        var (manifest, arrays) = ModelArchive.ReadFile(path);
        Assert.Equal(1, manifest["v"]!.GetValue<int>());
        Assert.Equal(4, arrays.Count);
    }

    [Fact]
    public void WriteFile_ExistingFile_IsReplaced()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.zip");
        ModelArchive.WriteFile(path, new JsonObject { ["v"] = 1 }, Arrays);
        ModelArchive.WriteFile(path, new JsonObject { ["v"] = 2 }, Arrays[..1]);

        Assert.Equal(["model.zip"], folder.Listing());
        var (manifest, arrays) = ModelArchive.ReadFile(path);
        Assert.Equal(2, manifest["v"]!.GetValue<int>());
        Assert.Single(arrays);
    }

    [Fact]
    public void WriteFile_FailureHalfwayThroughTheArrays_LeavesThePreviousFileAndNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.zip");
        ModelArchive.WriteFile(path, new JsonObject { ["v"] = 1 }, Arrays);
        var previous = File.ReadAllBytes(path);
        var failing = new FailingList(Arrays, failAt: 2);

        var e = Assert.Throws<IOException>(() => ModelArchive.WriteFile(path, new JsonObject { ["v"] = 2 }, failing));

        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal(2, failing.Served);   // two arrays were written to the temporary file before the failure
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(["model.zip"], folder.Listing());
    }

    [Fact]
    public void WriteFile_InvalidArrayAfterValidOnes_LeavesThePreviousFileAndNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.zip");
        ModelArchive.WriteFile(path, new JsonObject(), Arrays);
        var previous = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => ModelArchive.WriteFile(path, new JsonObject(), [.. Arrays, ("E", [5], [1.0])]));
        Assert.Throws<ArgumentException>(() => ModelArchive.WriteFile(path, new JsonObject { ["bad"] = double.NaN }, Arrays));

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(["model.zip"], folder.Listing());
    }

    [Fact]
    public void WriteFile_PathIsAFolder_FailsAtTheMoveAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("taken");
        Directory.CreateDirectory(path);

        var e = Record.Exception(() => ModelArchive.WriteFile(path, new JsonObject(), Arrays));

        Assert.True(e is IOException or UnauthorizedAccessException, e?.ToString());
        Assert.Equal(["taken"], folder.Listing());
    }

    [Fact]
    public void WriteFile_MissingFolder_ThrowsAndCreatesNothing()
    {
        using var folder = new TempFolder();
        Assert.Throws<DirectoryNotFoundException>(() => ModelArchive.WriteFile(folder.File("no/such/model.zip"), new JsonObject(), Arrays));
        Assert.Empty(folder.Listing());
    }

    [Fact]
    public void WriteFile_TrailingSeparator_Throws()
    {
        Assert.Throws<ArgumentException>(() => ModelArchive.WriteFile(Path.GetTempPath(), new JsonObject(), Arrays));
    }

    /// <summary>Serves the first <c>failAt</c> items, then fails as a disk would, deterministically.</summary>
    private sealed class FailingList((string, int[], double[])[] items, int failAt) : IReadOnlyList<(string Name, int[] Shape, double[] Data)>
    {
        public int Served { get; private set; }

        public (string Name, int[] Shape, double[] Data) this[int index]
        {
            get
            {
                if (index >= failAt) throw new IOException("disk full (simulated)");
                Served = Math.Max(Served, index + 1);
                return items[index];
            }
        }

        public int Count => items.Length;

        public IEnumerator<(string Name, int[] Shape, double[] Data)> GetEnumerator()
        {
            for (int i = 0; i < Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
