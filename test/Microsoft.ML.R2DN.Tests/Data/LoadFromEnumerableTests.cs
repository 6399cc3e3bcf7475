using System.Collections;
using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

public sealed class LoadFromEnumerableTests
{
    public sealed class AllTypes
    {
        public float Single;
        public double Double;
        public int Int32;
        public long Int64;
        public bool Boolean;
        public string Text = "";
        public DateTime When;

        [VectorType(3)]
        public float[] Vector = [];

        public ReadOnlyMemory<char> Memory { get; set; }

        [ColumnName("Renamed")]
        public float Original { get; set; }

        [NoColumn]
        public float Ignored { get; set; }
    }

    public sealed class Scalar
    {
        public float Value { get; set; }
    }

    public sealed class TextRow
    {
        public string? Value { get; set; }
    }

    public sealed class VectorRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    public sealed class InitAndComputed
    {
        public float X { get; init; }

        public float Twice => 2 * X;
    }

    public sealed class Unsupported
    {
        public decimal Price { get; set; }
    }

    private static AllTypes[] SampleRows() =>
    [
        new() { Single = 1.5f, Double = 2.25, Int32 = -3, Int64 = 1L << 40, Boolean = true, Text = "a,b", When = new DateTime(2024, 1, 31, 13, 0, 0),
                Vector = [1, 2, 3], Memory = "m1".AsMemory(), Original = 9, Ignored = 5 },
        new() { Single = float.NaN, Double = -0.5, Int32 = 0, Int64 = -1, Boolean = false, Text = "", When = DateTime.MinValue,
                Vector = [4, 5, 6], Memory = "".AsMemory(), Original = -9, Ignored = 6 },
    ];

    [Fact]
    public void LoadFromEnumerable_AllTypes_SchemaHasOneColumnPerMember()
    {
        var data = new MLContext().Data.LoadFromEnumerable(SampleRows());
        Assert.Equal(
            new[] { "Single: Single", "Double: Double", "Int32: Int32", "Int64: Int64", "Boolean: Boolean", "Text: String",
                    "When: DateTime", "Vector: Vector<Single, 3>", "Memory: String", "Renamed: Single" },
            data.Schema.Select(c => c.ToString()));
        Assert.Equal(2, data.GetRowCount());
        Assert.False(data.CanShuffle);
    }

    [Fact]
    public void CreateEnumerable_AfterLoadFromEnumerable_RoundTripsEveryType()
    {
        var ml = new MLContext();
        var rows = SampleRows();
        var back = ml.Data.CreateEnumerable<AllTypes>(ml.Data.LoadFromEnumerable(rows), reuseRowObject: false).ToList();
        Assert.Equal(rows.Length, back.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i].Single, back[i].Single);
            Assert.Equal(rows[i].Double, back[i].Double);
            Assert.Equal(rows[i].Int32, back[i].Int32);
            Assert.Equal(rows[i].Int64, back[i].Int64);
            Assert.Equal(rows[i].Boolean, back[i].Boolean);
            Assert.Equal(rows[i].Text, back[i].Text);
            Assert.Equal(rows[i].When, back[i].When);
            Assert.Equal(rows[i].Vector, back[i].Vector);
            Assert.NotSame(rows[i].Vector, back[i].Vector);
            Assert.Equal(rows[i].Memory.ToString(), back[i].Memory.ToString());
            Assert.Equal(rows[i].Original, back[i].Original);
            Assert.Equal(0, back[i].Ignored);
        }
    }

    [Fact]
    public void GetGetter_RawTypes_ReadValues()
    {
        var data = new MLContext().Data.LoadFromEnumerable(SampleRows());
        using var cursor = data.GetRowCursor(data.Schema);
        var text = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema["Text"]);
        var vector = cursor.GetGetter<ReadOnlyMemory<float>>(data.Schema["Vector"]);
        Assert.Equal(-1, cursor.Position);
        Assert.True(cursor.MoveNext());
        Assert.Equal(0, cursor.Position);
        ReadOnlyMemory<char> t = default;
        ReadOnlyMemory<float> v = default;
        text(ref t);
        vector(ref v);
        Assert.Equal("a,b", t.ToString());
        Assert.Equal(new float[] { 1, 2, 3 }, v.ToArray());
        Assert.True(cursor.MoveNext());
        Assert.False(cursor.MoveNext());
        Assert.False(cursor.MoveNext());
    }

    [Fact]
    public void GetGetter_WrongType_ThrowsSchemaMismatch()
    {
        var data = new MLContext().Data.LoadFromEnumerable(SampleRows());
        using var cursor = data.GetRowCursor(data.Schema);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => cursor.GetGetter<float>(data.Schema["Text"]));
        Assert.Equal("Schema mismatch for column 'Text': expected Single, got String", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => cursor.GetGetter<double>(data.Schema["Single"]));
        Assert.Equal("Schema mismatch for column 'Single': expected Double, got Single", e.Message);
    }

    [Fact]
    public void GetGetter_StringForText_ThrowsWithHint()
    {
        var data = new MLContext().Data.LoadFromEnumerable(SampleRows());
        using var cursor = data.GetRowCursor(data.Schema);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => cursor.GetGetter<string>(data.Schema["Text"]));
        Assert.Equal("Schema mismatch for column 'Text': expected System.String, got String (read it with GetGetter<ReadOnlyMemory<char>>)",
                     e.Message);
    }

    [Fact]
    public void GetGetter_InactiveColumn_Throws()
    {
        var data = new MLContext().Data.LoadFromEnumerable(SampleRows());
        using var cursor = data.GetRowCursor([data.Schema["Single"]]);
        Assert.True(cursor.IsColumnActive(data.Schema["Single"]));
        Assert.False(cursor.IsColumnActive(data.Schema["Double"]));
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(data.Schema["Double"]));
    }

    [Fact]
    public void GetGetter_ColumnOfAnotherSchema_Throws()
    {
        var data = new MLContext().Data.LoadFromEnumerable(SampleRows());
        var other = new DataViewSchema.Builder().AddColumn("Other", NumberDataViewType.Single).ToSchema();
        using var cursor = data.GetRowCursor(data.Schema);
        Assert.Throws<ArgumentOutOfRangeException>(() => cursor.GetGetter<float>(other[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.GetRowCursor([other[0]]));
    }

    [Fact]
    public void Getter_BeforeMoveNextOrAfterEnd_Throws()
    {
        var data = new MLContext().Data.LoadFromEnumerable(new[] { new Scalar { Value = 1 } });
        using var cursor = data.GetRowCursor(data.Schema);
        var get = cursor.GetGetter<float>(data.Schema[0]);
        float value = 0;
        Assert.Throws<InvalidOperationException>(() => get(ref value));
        Assert.True(cursor.MoveNext());
        get(ref value);
        Assert.Equal(1, value);
        Assert.False(cursor.MoveNext());
        Assert.Throws<InvalidOperationException>(() => get(ref value));
    }

    [Fact]
    public void LoadFromEnumerable_Always_IsLazyAndReEnumerates()
    {
        var source = new CountingEnumerable(5);
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(source);
        Assert.Equal(0, source.ItemsPulled);
        Assert.Null(data.GetRowCount());
        using (var cursor = data.GetRowCursor(data.Schema))
        {
            cursor.MoveNext();
            cursor.MoveNext();
            Assert.Equal(2, source.ItemsPulled);
        }
        Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, ml.Data.CreateEnumerable<Scalar>(data, false).Select(r => r.Value));
        Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, ml.Data.CreateEnumerable<Scalar>(data, false).Select(r => r.Value));
        Assert.Equal(3, source.Enumerations);
        Assert.Equal(3, source.Disposals);
    }

    [Fact]
    public void CreateEnumerable_InitOnlyAndGetOnlyMembers_FillsWritableOnly()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new InitAndComputed { X = 3 } });
        Assert.Equal(new[] { "X: Single", "Twice: Single" }, data.Schema.Select(c => c.ToString()));
        var back = ml.Data.CreateEnumerable<InitAndComputed>(data, reuseRowObject: false).Single();
        Assert.Equal(3, back.X);
        Assert.Equal(6, back.Twice);
    }

    [Fact]
    public void LoadFromEnumerable_NullItem_ThrowsOnMoveNext()
    {
        var data = new MLContext().Data.LoadFromEnumerable<Scalar>(new Scalar[] { new(), null! });
        using var cursor = data.GetRowCursor([]);
        Assert.True(cursor.MoveNext());
        Assert.Throws<InvalidOperationException>(() => cursor.MoveNext());
    }

    [Fact]
    public void LoadFromEnumerable_NullString_ReadsAsEmpty()
    {
        var ml = new MLContext();
        var back = ml.Data.CreateEnumerable<TextRow>(ml.Data.LoadFromEnumerable(new[] { new TextRow { Value = null } }), false).Single();
        Assert.Equal("", back.Value);
    }

    [Fact]
    public void LoadFromEnumerable_VectorOfWrongLength_ThrowsWhenRead()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new VectorRow { Features = [1, 2] }, new VectorRow { Features = [1] } });
        var e = Assert.Throws<InvalidOperationException>(() => ml.Data.CreateEnumerable<VectorRow>(data, false).ToList());
        Assert.Contains("Row 1 of column 'Features' has 1 values", e.Message);
    }

    [Fact]
    public void LoadFromEnumerable_UnsupportedMemberType_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new MLContext().Data.LoadFromEnumerable(new[] { new Unsupported() }));
        Assert.Contains("'Price'", e.Message);
    }

    [Fact]
    public void LoadFromEnumerable_SchemaDefinition_OverridesNameAndSize()
    {
        var definition = SchemaDefinition.Create(typeof(VectorRow));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        definition[0].ColumnName = "X";
        var data = new MLContext().Data.LoadFromEnumerable(new[] { new VectorRow { Features = [1, 2, 3] } }, definition);
        Assert.Equal("X: Vector<Single, 3>", data.Schema.Single().ToString());
    }

    [Fact]
    public void LoadFromEnumerable_SchemaDefinitionWithWrongType_Throws()
    {
        var definition = SchemaDefinition.Create(typeof(Scalar));
        definition[0].ColumnType = TextDataViewType.Instance;
        Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext().Data.LoadFromEnumerable(new[] { new Scalar() }, definition));
    }

    [Fact]
    public void CreateEnumerable_ReuseRowObject_ReturnsSameInstance()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Scalar { Value = 1 }, new Scalar { Value = 2 } });
        var seen = new List<Scalar>();
        var values = new List<float>();
        foreach (var row in ml.Data.CreateEnumerable<Scalar>(data, reuseRowObject: true))
        {
            seen.Add(row);
            values.Add(row.Value);
        }
        Assert.Same(seen[0], seen[1]);
        Assert.Equal(new float[] { 1, 2 }, values);
        var fresh = ml.Data.CreateEnumerable<Scalar>(data, reuseRowObject: false).ToList();
        Assert.NotSame(fresh[0], fresh[1]);
    }

    [Fact]
    public void CreateEnumerable_MissingColumn_ThrowsUnlessIgnored()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Scalar { Value = 1 } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.CreateEnumerable<VectorRow>(data, false));
        Assert.Equal("Could not find column 'Features'", e.Message);
        var row = ml.Data.CreateEnumerable<VectorRow>(data, false, ignoreMissingColumns: true).Single();
        Assert.Empty(row.Features);
    }

    [Fact]
    public void CreateEnumerable_WrongColumnType_ThrowsSchemaMismatch()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Value = "x" } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.CreateEnumerable<Scalar>(data, false));
        Assert.Equal("Schema mismatch for column 'Value': expected Single, got String", e.Message);
    }

    [Fact]
    public void CreateEnumerable_VectorSizeDiffers_ThrowsSchemaMismatch()
    {
        var ml = new MLContext();
        var definition = SchemaDefinition.Create(typeof(VectorRow));
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        var data = ml.Data.LoadFromEnumerable(new[] { new VectorRow { Features = [1, 2, 3] } }, definition);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.CreateEnumerable<VectorRow>(data, false));
        Assert.Equal("Schema mismatch for column 'Features': expected Vector<Single, 2>, got Vector<Single, 3>", e.Message);
    }

    private sealed class CountingEnumerable(int count) : IEnumerable<Scalar>
    {
        public int ItemsPulled { get; private set; }

        public int Enumerations { get; private set; }

        public int Disposals { get; private set; }

        public IEnumerator<Scalar> GetEnumerator()
        {
            Enumerations++;
            try
            {
                for (int i = 0; i < count; i++)
                {
                    ItemsPulled++;
                    yield return new Scalar { Value = i };
                }
            }
            finally
            {
                Disposals++;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
