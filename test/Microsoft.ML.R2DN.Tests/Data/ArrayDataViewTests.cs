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

    private static ArrayDataView Sample(CancellationToken cancellation = default) =>
        new ArrayDataView.Builder(cancellation)
        .AddColumn("F", [1f, 2f])
        .AddColumn("D", [1.5, 2.5])
        .AddColumn("I", [3, 4])
        .AddColumn("L", [5L, 6L])
        .AddColumn("B", [true, false])
        .AddColumn("T", [new DateTime(2024, 1, 1), new DateTime(2024, 1, 2)])
        .AddColumn("S", ["x", null])
        .AddVectors("V", [[1f, 2f], [3f, 4f]], size: 2)
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
    public void Schema_IsMlNetSchema_WithMlNetTypes()
    {
        var schema = Sample().Schema;
        Assert.Equal(NumberDataViewType.Single, schema["F"].Type);
        Assert.Equal(BooleanDataViewType.Instance, schema["B"].Type);
        Assert.Equal(DateTimeDataViewType.Instance, schema["T"].Type);
        Assert.Equal(TextDataViewType.Instance, schema["S"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), schema["V"].Type);
    }

    [Fact]
    public void VectorColumn_ReadsAsVBuffer()
    {
        var data = Sample();
        using var cursor = data.GetRowCursor([data.Schema["V"]]);
        var get = cursor.GetGetter<VBuffer<float>>(data.Schema["V"]);
        VBuffer<float> value = default;
        Assert.True(cursor.MoveNext());
        Assert.True(cursor.MoveNext());
        get(ref value);
        Assert.Equal(new float[] { 3, 4 }, value.DenseValues());
        Assert.False(cursor.MoveNext());
    }

    [Fact]
    public void GetGetter_WrongTypeOrInactive_ThrowsClearly()
    {
        var data = Sample();
        using var cursor = data.GetRowCursor([data.Schema["F"]]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => cursor.GetGetter<double>(data.Schema["F"]));
        Assert.Equal("Schema mismatch for column 'F': expected Double, got Single", e.Message);
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(data.Schema["D"]));
        var get = cursor.GetGetter<float>(data.Schema["F"]);
        float v = 0;
        Assert.Throws<InvalidOperationException>(() => get(ref v));   // before MoveNext
    }

    [Fact]
    public void MlNetTransforms_RunOverTheView()
    {
        var ml = new MLContext(seed: 1);
        var data = Sample();
        var output = ml.Transforms.Concatenate("All", "F", "V").Fit(data).Transform(data);
        var rows = ml.Data.CreateEnumerable<AllRow>(output, reuseRowObject: false).ToList();
        Assert.Equal(new float[] { 1, 1, 2 }, rows[0].All);
        Assert.Equal(new float[] { 2, 3, 4 }, rows[1].All);
    }

    public sealed class AllRow
    {
        [VectorType(3)]
        public float[] All { get; set; } = [];
    }

    [Fact]
    public void Builder_ColumnsOfDifferentLength_Throws()
    {
        var builder = new ArrayDataView.Builder().AddColumn("a", [1f, 2f]);
        Assert.Throws<ArgumentException>(() => builder.AddColumn("b", [1f]));
    }

    [Fact]
    public void Builder_VBufferColumn_KnownOrVariableSize()
    {
        var variable = new ArrayDataView.Builder().AddVectors("v", [[1f, 2f], [3f]], size: 0).Build();
        Assert.Equal("Vector<Single>", variable.Schema[0].Type.ToString());
        Assert.Equal(new[] { 3f }, DataViewReader.ReadVectorColumn(variable, "v")[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArrayDataView.Builder()
            .AddColumn("v", new VectorDataViewType(NumberDataViewType.Single, 2),
                       new ReadOnlyMemory<float>[] { new float[2] }));
    }

    // The float[][] overload still wraps the rows as ReadOnlyMemory<float> (the raw type of the old home-made vector
    // type); ML.NET's VectorDataViewType has raw type VBuffer<float>, so the overload's own type check rejects every
    // call.
    [Fact]
    public void Builder_FloatArrayRows_VectorColumnOfVBuffers()
    {
        var view = new ArrayDataView.Builder().AddColumn("v", [[1f, 2f], [3f, 4f]], size: 2).Build();
        Assert.Equal(new float[] { 3, 4 }, DataViewReader.ReadVectorColumn(view, "v", size: 2)[1]);
        Assert.Throws<ArgumentException>(() => new ArrayDataView.Builder().AddColumn("v", [[1f, 2f], [3f]], size: 2));
        var variable = new ArrayDataView.Builder().AddColumn("v", [[1f, 2f], [3f]], size: 0).Build();
        Assert.Equal("Vector<Single>", variable.Schema[0].Type.ToString());
    }

    [Fact]
    public void Builder_GenericWithWrongRawType_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new ArrayDataView.Builder().AddColumn("a", NumberDataViewType.Double, new[] { 1f }));
    }

    [Fact]
    public void Cursor_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        var data = Sample(cts.Token);
        using var cursor = data.GetRowCursor([]);
        Assert.True(cursor.MoveNext());
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => cursor.MoveNext());
    }
}
