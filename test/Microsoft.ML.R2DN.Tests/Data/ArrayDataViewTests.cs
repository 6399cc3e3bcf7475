using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

public sealed class ArrayDataViewTests
{
    public sealed class Row
    {
        public float F { get; set; }
        public double D { get; set; }
        public int I { get; set; }
        public long L { get; set; }
        public bool B { get; set; }
        public DateTime T { get; set; }
        public string S { get; set; } = "";

        [VectorType(2)]
        public float[] V { get; set; } = [];
    }

    private static ArrayDataView Sample(CancellationToken cancellation = default) => new ArrayDataView.Builder(cancellation)
        .AddColumn("F", [1f, 2f])
        .AddColumn("D", [1.5, 2.5])
        .AddColumn("I", [3, 4])
        .AddColumn("L", [5L, 6L])
        .AddColumn("B", [true, false])
        .AddColumn("T", [new DateTime(2024, 1, 1), new DateTime(2024, 1, 2)])
        .AddColumn("S", ["x", null])
        .AddColumn("V", [[1f, 2f], [3f, 4f]], size: 2)
        .Build();

    [Fact]
    public void Builder_AllColumnTypes_RoundTripThroughCreateEnumerable()
    {
        var data = Sample();
        Assert.Equal(2, data.GetRowCount());
        var rows = new MLContext().Data.CreateEnumerable<Row>(data, reuseRowObject: false).ToList();
        Assert.Equal(new[] { 1f, 2f }, rows.Select(r => r.F));
        Assert.Equal(new[] { 1.5, 2.5 }, rows.Select(r => r.D));
        Assert.Equal(new[] { 3, 4 }, rows.Select(r => r.I));
        Assert.Equal(new[] { 5L, 6L }, rows.Select(r => r.L));
        Assert.Equal(new[] { true, false }, rows.Select(r => r.B));
        Assert.Equal(new DateTime(2024, 1, 2), rows[1].T);
        Assert.Equal(new[] { "x", "" }, rows.Select(r => r.S));
        Assert.Equal(new float[] { 3, 4 }, rows[1].V);
    }

    [Fact]
    public void Builder_ColumnsOfDifferentLength_Throws()
    {
        var builder = new ArrayDataView.Builder().AddColumn("a", [1f, 2f]);
        Assert.Throws<ArgumentException>(() => builder.AddColumn("b", [1f]));
    }

    [Fact]
    public void Builder_VectorOfWrongSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ArrayDataView.Builder().AddColumn("v", [[1f, 2f], [3f]], size: 2));
        var variable = new ArrayDataView.Builder().AddColumn("v", [[1f, 2f], [3f]], size: 0).Build();
        Assert.Equal("Vector<Single>", variable.Schema[0].Type.ToString());
    }

    [Fact]
    public void Builder_GenericWithWrongRawType_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArrayDataView.Builder().AddColumn("a", NumberDataViewType.Double, new[] { 1f }));
    }

    [Fact]
    public void Cursor_Cancelled_Throws()
    {
        var ml = new MLContext();
        var data = Sample(ml.CancellationToken);
        ml.CancelExecution();
        using var cursor = data.GetRowCursor([]);
        Assert.Throws<OperationCanceledException>(() => cursor.MoveNext());
    }
}
