using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

public sealed class ColumnAppendingDataViewTests
{
    private static ArrayDataView Input() => new ArrayDataView.Builder()
        .AddColumn("Load", [1f, 2f, 3f])
        .AddColumn("Name", ["a", "b", "c"])
        .Build();

    [Fact]
    public void ArrayColumn_ComputedOnlyWhenRequested_AndOnce()
    {
        int calls = 0;
        var view = new ColumnAppendingDataView.Builder(Input())
            .AddColumn("Double", () =>
            {
                calls++;
                return new[] { 2f, 4f, 6f };
            })
            .Build();
        Assert.Equal(new[] { "Load: Single", "Name: String", "Double: Single" }, view.Schema.Select(c => c.ToString()));
        Assert.Equal(3, view.GetRowCount());
        Assert.Equal(new[] { 1f, 2f, 3f }, DataViewReader.ReadSingleColumn(view, "Load"));
        Assert.Equal(0, calls);
        Assert.Equal(new[] { 2f, 4f, 6f }, DataViewReader.ReadSingleColumn(view, "Double"));
        Assert.Equal(new[] { 2f, 4f, 6f }, DataViewReader.ReadSingleColumn(view, "Double"));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void ArrayColumn_Throwing_IsRetriedByNextCursor()
    {
        bool fail = true;
        var view = new ColumnAppendingDataView.Builder(Input())
            .AddColumn("X", () => fail ? throw new OperationCanceledException() : new[] { 1f, 1f, 1f })
            .Build();
        Assert.Throws<OperationCanceledException>(() => DataViewReader.ReadSingleColumn(view, "X"));
        fail = false;
        Assert.Equal(new[] { 1f, 1f, 1f }, DataViewReader.ReadSingleColumn(view, "X"));
    }

    [Fact]
    public void ArrayColumn_ShorterThanInput_Throws()
    {
        var view = new ColumnAppendingDataView.Builder(Input()).AddColumn("X", () => new[] { 1f }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => DataViewReader.ReadSingleColumn(view, "X"));
        Assert.Contains("has 1 values but the input has more rows", e.Message);
    }

    [Fact]
    public void VectorAndTextColumns_ReadBack()
    {
        var view = new ColumnAppendingDataView.Builder(Input())
            .AddColumn("Forecast", 2, () => new[] { new[] { 1f, 2f }, new[] { 3f, 4f }, new[] { 5f, 6f } })
            .AddColumn("Tag", () => new[] { "x", null, "z" })
            .Build();
        Assert.Equal("Forecast: Vector<Single, 2>", view.Schema["Forecast"].ToString());
        Assert.Equal(new float[] { 5, 6 }, DataViewReader.ReadVectorColumn(view, "Forecast", size: 2)[2]);
        Assert.Equal(new[] { "x", "", "z" }, DataViewReader.ReadTextColumn(view, "Tag"));
    }

    [Fact]
    public void VectorColumn_WrongRowLength_Throws()
    {
        var view = new ColumnAppendingDataView.Builder(Input())
            .AddColumn("Forecast", 2, () => new[] { new[] { 1f, 2f }, new[] { 3f }, new[] { 5f, 6f } })
            .Build();
        Assert.Throws<InvalidOperationException>(() => DataViewReader.ReadVectorColumn(view, "Forecast"));
    }

    [Fact]
    public void RowIndexColumn_UsesPosition()
    {
        var view = new ColumnAppendingDataView.Builder(Input())
            .AddColumn("Index", NumberDataViewType.Int64, (long row) => row * 10)
            .Build();
        Assert.Equal(new[] { 0f, 10f, 20f }, DataViewReader.ReadSingleColumn(view, "Index"));
    }

    [Fact]
    public void RowMappedColumn_ReadsInputColumn_EvenWhenNotRequested()
    {
        var view = new ColumnAppendingDataView.Builder(Input())
            .AddColumn<float>("Squared", NumberDataViewType.Single, ["Load"], row =>
            {
                var load = row.GetGetter<float>(row.Schema["Load"]);
                float value = 0;
                return (ref float result) =>
                {
                    load(ref value);
                    result = value * value;
                };
            })
            .Build();
        Assert.Equal(new[] { 1f, 4f, 9f }, DataViewReader.ReadSingleColumn(view, "Squared"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColumnAppendingDataView.Builder(Input())
            .AddColumn<float>("Bad", NumberDataViewType.Single, ["Nope"], _ => (ref float v) => v = 0));
    }

    [Fact]
    public void AppendedColumn_SameNameAsInput_HidesInput()
    {
        var view = new ColumnAppendingDataView.Builder(Input()).AddColumn("Load", () => new[] { 7f, 8f, 9f }).Build();
        Assert.True(view.Schema[0].IsHidden);
        Assert.Equal(new[] { 7f, 8f, 9f }, DataViewReader.ReadSingleColumn(view, "Load"));
        using var cursor = view.GetRowCursor([view.Schema[0]]);
        var hidden = cursor.GetGetter<float>(view.Schema[0]);
        cursor.MoveNext();
        float value = 0;
        hidden(ref value);
        Assert.Equal(1f, value);
    }

    [Fact]
    public void Builder_WrongRawType_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ColumnAppendingDataView.Builder(Input()).AddColumn("x", NumberDataViewType.Double, () => new[] { 1f }));
    }

    [Fact]
    public void Cursor_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        var view = new ColumnAppendingDataView.Builder(Input(), cts.Token)
            .AddColumn("X", () => new[] { 1f, 2f, 3f })
            .Build();
        using var cursor = view.GetRowCursor(view.Schema);
        Assert.True(cursor.MoveNext());
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => cursor.MoveNext());
    }

    [Fact]
    public void VectorColumn_ReadByMlNet_CreateEnumerable()
    {
        var view = new ColumnAppendingDataView.Builder(Input())
            .AddColumn("Forecast", 2, () => new[] { new[] { 1f, 2f }, new[] { 3f, 4f }, new[] { 5f, 6f } })
            .Build();
        var rows = new MLContext().Data.CreateEnumerable<ForecastRow>(view, reuseRowObject: false).ToList();
        Assert.Equal(new float[] { 3, 4 }, rows[1].Forecast);
        Assert.Equal("c", rows[2].Name);
    }

    public sealed class ForecastRow
    {
        public string Name { get; set; } = "";

        [VectorType(2)]
        public float[] Forecast { get; set; } = [];
    }

    [Fact]
    public void AppendedView_OverTextFile_StaysLazy()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext();
        var data = ml.Data.LoadFromTextFile(dir.Write("a.csv", "x\n1\n2\n"),
                                            [new TextLoader.Column("x", DataKind.Single, 0)], separatorChar: ',',
                                            hasHeader: true);
        var view = new ColumnAppendingDataView.Builder(data)
            .AddColumn("Twice", () => DataViewReader.ReadSingleColumn(data, "x").Select(v => 2 * v).ToArray())
            .Build();
        Assert.Null(view.GetRowCount());
        Assert.Equal(new[] { 2f, 4f }, DataViewReader.ReadSingleColumn(view, "Twice"));
    }
}
