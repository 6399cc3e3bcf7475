namespace Microsoft.ML.R2DN.Tests;

/// <summary>Rules of the house style that the formatter does not check: every line of C# in src/, test/ and
/// examples/ fits in 120 characters (the build's RCS0056 passes over comments; this test reads every line).</summary>
public sealed class HouseStyleTests
{
    private const int MaxLineLength = 120;

    [Fact]
    public void NoLineOfCSharpIsLongerThan120Characters()
    {
        string root = RepositoryRoot();
        var tooLong = new List<string>();
        foreach (string path in SourceFiles(root))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Length > MaxLineLength)
                    tooLong.Add($"{relative}:{i + 1} ({lines[i].Length} characters)");
        }
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} lines are longer than {MaxLineLength} characters:\n" +
                                        string.Join('\n', tooLong));
    }

    // The .cs files under src/, test/ and examples/, build outputs (bin/, obj/) left out.
    private static IEnumerable<string> SourceFiles(string root) =>
        new[] { "src", "test", "examples" }
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    // The folder of Microsoft.ML.R2DN.sln, found by walking up from the test's output folder.
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.R2DN.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException(
            $"No folder above {AppContext.BaseDirectory} holds Microsoft.ML.R2DN.sln.");
    }
}
