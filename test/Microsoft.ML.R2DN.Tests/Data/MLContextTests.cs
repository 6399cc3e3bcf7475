using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

public sealed class MLContextTests
{
    private sealed class Row
    {
        public float Value { get; set; }
    }

    [Fact]
    public void Constructor_Always_CreatesCatalogsAndKeepsSeed()
    {
        var ml = new MLContext(seed: 7);
        Assert.NotNull(ml.Data);
        Assert.NotNull(ml.Forecasting);
        Assert.NotNull(ml.Model);
        Assert.Equal(7, ml.Seed);
        Assert.Null(new MLContext().Seed);
    }

    [Fact]
    public void CreateRandom_SameSeed_SameSequences()
    {
        var a = new MLContext(seed: 42);
        var b = new MLContext(seed: 42);
        for (int component = 0; component < 3; component++)
        {
            var ra = a.CreateRandom();
            var rb = b.CreateRandom();
            for (int i = 0; i < 5; i++)
                Assert.Equal(ra.Next(), rb.Next());
        }
        Assert.NotEqual(new MLContext(seed: 1).NextSeed(), new MLContext(seed: 2).NextSeed());
    }

    [Fact]
    public void CreateRandom_ComponentSeed_OverridesContext()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal(new Random(99).Next(), ml.CreateRandom(99).Next());
    }

    [Fact]
    public void WriteLog_WithHandler_RaisesLogWithKindAndSource()
    {
        var ml = new MLContext();
        var messages = new List<LoggingEventArgs>();
        ml.Log += (sender, e) =>
        {
            Assert.Same(ml, sender);
            messages.Add(e);
        };
        ml.WriteLog(ChannelMessageKind.Warning, "Trainer", "learning rate too high");
        var message = Assert.Single(messages);
        Assert.Equal(ChannelMessageKind.Warning, message.Kind);
        Assert.Equal("Trainer", message.Source);
        Assert.Equal("learning rate too high", message.RawMessage);
        Assert.Equal("[Source=Trainer, Kind=Warning] learning rate too high", message.Message);
    }

    [Fact]
    public void WriteLog_WithoutHandler_DoesNothing() => new MLContext().WriteLog(ChannelMessageKind.Info, "x", "y");

    [Fact]
    public void CancelExecution_Always_CancelsToken()
    {
        var ml = new MLContext();
        var token = ml.CancellationToken;
        Assert.False(token.IsCancellationRequested);
        ml.CancelExecution();
        Assert.True(token.IsCancellationRequested);
        Assert.True(ml.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public void CancelExecution_DuringCursor_MoveNextThrows()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new Row { Value = i }));
        using var cursor = data.GetRowCursor(data.Schema);
        Assert.True(cursor.MoveNext());
        ml.CancelExecution();
        Assert.Throws<OperationCanceledException>(() => cursor.MoveNext());
    }

    [Fact]
    public void CancelExecution_BeforeCreateEnumerable_EnumerationThrows()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Value = 1 } });
        ml.CancelExecution();
        Assert.Throws<OperationCanceledException>(() => ml.Data.CreateEnumerable<Row>(data, reuseRowObject: false).ToList());
    }

    [Fact]
    public void CancelExecution_TextLoader_MoveNextThrows()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("a.csv", "x\n1\n2\n");
        var ml = new MLContext();
        var data = ml.Data.LoadFromCsv(path);
        ml.CancelExecution();
        using var cursor = data.GetRowCursor(data.Schema);
        Assert.Throws<OperationCanceledException>(() => cursor.MoveNext());
    }
}
