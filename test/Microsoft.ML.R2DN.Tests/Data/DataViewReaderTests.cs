using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

public sealed class DataViewReaderTests
{
    private static ArrayDataView Sample() => new ArrayDataView.Builder()
        .AddColumn("F", [1.5f, 2f])
        .AddColumn("D", [0.25, 1e300])
        .AddColumn("I", [3, -4])
        .AddColumn("L", [1L << 40, 6L])
        .AddColumn("B", [true, false])
        .AddColumn("S", ["x", "y"])
        .AddColumn("T", [new DateTime(2024, 1, 1), new DateTime(2024, 1, 2)])
        .AddVectors("V", [[1f, 2f], [3f, 4f]], size: 2)
        .Build();

    [Fact]
    public void ReadSingleColumn_NumericTypes_Converted()
    {
        var data = Sample();
        Assert.Equal(new[] { 1.5f, 2f }, DataViewReader.ReadSingleColumn(data, "F"));
        Assert.Equal(new[] { 0.25f, float.PositiveInfinity }, DataViewReader.ReadSingleColumn(data, "D"));
        Assert.Equal(new[] { 3f, -4f }, DataViewReader.ReadSingleColumn(data, "I"));
        Assert.Equal(new[] { (float)(1L << 40), 6f }, DataViewReader.ReadSingleColumn(data, "L"));
        Assert.Equal(new[] { 1f, 0f }, DataViewReader.ReadSingleColumn(data, "B"));
    }

    [Fact]
    public void ReadSingleColumn_Text_ThrowsMismatchNamingRole()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => DataViewReader.ReadSingleColumn(Sample(), "S", "label column"));
        Assert.Equal("Schema mismatch for label column 'S': expected Single, got String", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => DataViewReader.ReadSingleColumn(Sample(), "V"));
        Assert.Equal("Schema mismatch for input column 'V': expected Single, got Vector<Single, 2>", e.Message);
    }

    [Fact]
    public void ReadSingleColumn_Unknown_ThrowsCouldNotFind()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DataViewReader.ReadSingleColumn(Sample(), "Nope"));
        Assert.Equal("Could not find input column 'Nope'", e.Message);
    }

    [Fact]
    public void ReadSingleColumns_SeveralAndRepeated_OnePass()
    {
        var values = DataViewReader.ReadSingleColumns(Sample(), ["I", "F", "I"]);
        Assert.Equal(new[] { 3f, -4f }, values[0]);
        Assert.Equal(new[] { 1.5f, 2f }, values[1]);
        Assert.Equal(values[0], values[2]);
    }

    [Fact]
    public void ReadTextColumn_TextAndNumbers_ElseMismatch()
    {
        Assert.Equal(new[] { "x", "y" }, DataViewReader.ReadTextColumn(Sample(), "S"));
        Assert.Equal(new[] { "3", "-4" }, DataViewReader.ReadTextColumn(Sample(), "I"));
        Assert.Equal(new[] { "1099511627776", "6" }, DataViewReader.ReadTextColumn(Sample(), "L"));
        Assert.Equal(new[] { "1.5", "2" }, DataViewReader.ReadTextColumn(Sample(), "F"));
        Assert.Equal(new[] { "0.25", "1E+300" }, DataViewReader.ReadTextColumn(Sample(), "D"));
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => DataViewReader.ReadTextColumn(Sample(), "B", "series id column"));
        Assert.Equal("Schema mismatch for series id column 'B': expected String, got Boolean", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => DataViewReader.ReadTextColumn(Sample(), "V", "series id column"));
        Assert.Equal("Schema mismatch for series id column 'V': expected String, got Vector<Single, 2>", e.Message);
    }

    [Fact]
    public void ReadTextColumn_KeyWithTextValues_ReadsTheValues()
    {
        var ml = new MLContext();
        var data = new ArrayDataView.Builder().AddColumn("S", ["b", "a", "b", "c"]).Build();
        var keyed = ml.Transforms.Conversion.MapValueToKey("K", "S").Fit(data).Transform(data);
        Assert.IsType<KeyDataViewType>(keyed.Schema["K"].Type);
        Assert.Equal(new[] { "b", "a", "b", "c" }, DataViewReader.ReadTextColumn(keyed, "K"));
        // Without key values, the key's number (1-based; 0 is the missing key and reads as empty).
        var bare = new ArrayDataView.Builder()
            .AddColumn("K", new KeyDataViewType(typeof(uint), 3), new uint[] { 1, 0, 3 })
            .Build();
        Assert.Equal(new[] { "1", "", "3" }, DataViewReader.ReadTextColumn(bare, "K"));
    }

    [Fact]
    public void ReadDateTimeColumn_DateTime_ElseMismatch()
    {
        Assert.Equal(new DateTime(2024, 1, 2), DataViewReader.ReadDateTimeColumn(Sample(), "T")[1]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DataViewReader.ReadDateTimeColumn(Sample(), "S"));
        Assert.Equal("Schema mismatch for input column 'S': expected DateTime, got String", e.Message);
    }

    [Fact]
    public void ReadVectorColumn_SizeChecked()
    {
        Assert.Equal(new float[] { 3, 4 }, DataViewReader.ReadVectorColumn(Sample(), "V")[1]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => DataViewReader.ReadVectorColumn(Sample(), "V", "forecast column", size: 3));
        Assert.Equal("Schema mismatch for forecast column 'V': expected Vector<Single, 3>, got Vector<Single, 2>",
                     e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => DataViewReader.ReadVectorColumn(Sample(), "F"));
        Assert.Equal("Schema mismatch for input column 'F': expected Vector<Single>, got Single", e.Message);
    }

    [Fact]
    public void RowCount_KnownOrCounted()
    {
        Assert.Equal(2, DataViewReader.RowCount(Sample()));
        using var dir = new TempDirectory();
        var data = new MLContext().Data.LoadFromTextFile(dir.Write("a.csv", "x\n1\n2\n3\n"),
                                                         [new TextLoader.Column("x", DataKind.Single, 0)],
                                                         hasHeader: true);
        Assert.Null(data.GetRowCount());
        Assert.Equal(3, DataViewReader.RowCount(data));
    }

    [Fact]
    public void Read_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(
            () => DataViewReader.ReadSingleColumn(Sample(), "F", cancellation: cts.Token));
    }
}
