using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.R2DN.Data;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Tests.Data;

/// <summary>Heap measurements must not see other tests' allocations, so this class runs alone.</summary>
[CollectionDefinition(nameof(StreamingTests), DisableParallelization = true)]
public sealed class StreamingTestsCollection;

[Collection(nameof(StreamingTests))]
public sealed class StreamingTests(ITestOutputHelper output)
{
    private const long TargetBytes = 50L << 20;

    [Fact]
    public void LoadFromTextFile_50MBFile_StreamsWithBoundedMemory()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "big.csv");
        long rows = WriteFile(path);
        Assert.True(new FileInfo(path).Length >= TargetBytes);

        var ml = new MLContext();
        var data = ml.Data.LoadFromTextFile(path,
        [
            new TextLoader.Column("Time", DataKind.DateTime, 0),
            new TextLoader.Column("Load", DataKind.Single, 1),
            new TextLoader.Column("Temperature", DataKind.Single, 2),
            new TextLoader.Column("Note", DataKind.String, 3),
        ]);

        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        long count = 0;
        double sum = 0;
        long midway = 0;
        using (var cursor = data.GetRowCursor([data.Schema["Load"], data.Schema["Note"]]))
        {
            var load = cursor.GetGetter<float>(data.Schema["Load"]);
            var note = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema["Note"]);
            float value = 0;
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                load(ref value);
                note(ref text);
                sum += value;
                if (++count == rows / 2)
                    midway = GC.GetTotalMemory(forceFullCollection: true);
            }
        }
        clock.Stop();

        Assert.Equal(rows, count);
        Assert.Equal(ExpectedSum(rows), sum, 1e-6 * ExpectedSum(rows));
        long growth = midway - baseline;
        output.WriteLine($"{rows} rows, {new FileInfo(path).Length >> 20} MB read in {clock.Elapsed.TotalSeconds:F2} s; heap growth half way: {growth >> 10} KB.");
        Assert.True(growth < 20L << 20, $"Reading grew the managed heap by {growth / (1 << 20)} MB half way through a 50 MB file.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Reading took {clock.Elapsed.TotalSeconds:F1} s.");
    }

    private static double ExpectedSum(long rows)
    {
        double sum = 0;
        for (long i = 0; i < rows; i++)
            sum += (i % 1000) * 0.5;
        return sum;
    }

    private static long WriteFile(string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        writer.Write("time,load,temperature,note\r\n");
        var start = new DateTime(2020, 1, 1);
        var line = new StringBuilder(96);
        long rows = 0;
        long bytes = 0;
        while (bytes < TargetBytes)
        {
            line.Clear();
            line.Append(start.AddMinutes(rows).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)).Append(',');
            line.Append(((rows % 1000) * 0.5).ToString(CultureInfo.InvariantCulture)).Append(',');
            line.Append((rows % 37 - 10).ToString(CultureInfo.InvariantCulture)).Append(',');
            line.Append(rows % 10 == 0 ? "\"quoted, note\"" : "plain").Append("\r\n");
            writer.Write(line);
            bytes += line.Length;
            rows++;
        }
        return rows;
    }
}
