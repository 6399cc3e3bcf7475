using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

public sealed class DataViewSchemaTests
{
    private static DataViewSchema Sample() => new DataViewSchema.Builder()
        .AddColumn("Load", NumberDataViewType.Single)
        .AddColumn("Name", TextDataViewType.Instance)
        .AddColumn("Load", NumberDataViewType.Double)
        .ToSchema();

    [Fact]
    public void Builder_DuplicateName_HidesEarlierColumn()
    {
        var schema = Sample();
        Assert.Equal(3, schema.Count);
        Assert.True(schema[0].IsHidden);
        Assert.False(schema[2].IsHidden);
        Assert.Equal(2, schema["Load"].Index);
        Assert.Equal(NumberDataViewType.Double, schema["Load"].Type);
        Assert.Equal(new[] { "Load", "Name", "Load" }, schema.Select(c => c.Name));
        Assert.Equal(new[] { 0, 1, 2 }, schema.Select(c => c.Index));
    }

    [Fact]
    public void IndexerByName_Unknown_ThrowsCouldNotFind()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sample()["Nope"]);
        Assert.Equal("Could not find column 'Nope'", e.Message);
    }

    [Fact]
    public void GetColumnOrNull_Unknown_ReturnsNull()
    {
        Assert.Null(Sample().GetColumnOrNull("Nope"));
        Assert.Equal(1, Sample().GetColumnOrNull("Name")?.Index);
    }

    [Fact]
    public void IndexerByIndex_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample()[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample()[-1]);
    }

    [Fact]
    public void ToString_Always_ListsColumns()
    {
        Assert.Equal(string.Join(Environment.NewLine, "Load: Single (hidden)", "Name: String", "Load: Double"), Sample().ToString());
    }

    [Fact]
    public void DataViewTypes_Always_HaveMlNetNamesAndRawTypes()
    {
        Assert.Equal("Single", NumberDataViewType.Single.ToString());
        Assert.Equal("Double", NumberDataViewType.Double.ToString());
        Assert.Equal("Int32", NumberDataViewType.Int32.ToString());
        Assert.Equal("Int64", NumberDataViewType.Int64.ToString());
        Assert.Equal("Boolean", BooleanDataViewType.Instance.ToString());
        Assert.Equal("String", TextDataViewType.Instance.ToString());
        Assert.Equal("DateTime", DateTimeDataViewType.Instance.ToString());
        Assert.Equal("Vector<Single, 24>", new VectorDataViewType(NumberDataViewType.Single, 24).ToString());
        Assert.Equal("Vector<Single>", new VectorDataViewType(NumberDataViewType.Single).ToString());
        Assert.Equal(typeof(ReadOnlyMemory<char>), TextDataViewType.Instance.RawType);
        Assert.Equal(typeof(ReadOnlyMemory<float>), new VectorDataViewType(NumberDataViewType.Single, 3).RawType);
        Assert.Equal(typeof(long), NumberDataViewType.Int64.RawType);
    }

    [Fact]
    public void VectorDataViewType_Equality_ByItemTypeAndSize()
    {
        var a = new VectorDataViewType(NumberDataViewType.Single, 3);
        Assert.Equal(a, new VectorDataViewType(NumberDataViewType.Single, 3));
        Assert.Equal(a.GetHashCode(), new VectorDataViewType(NumberDataViewType.Single, 3).GetHashCode());
        Assert.NotEqual(a, new VectorDataViewType(NumberDataViewType.Single, 4));
        Assert.NotEqual(a, new VectorDataViewType(NumberDataViewType.Double, 3));
        Assert.False(a.Equals(NumberDataViewType.Single));
        Assert.True(a.IsKnownSize);
        Assert.False(new VectorDataViewType(NumberDataViewType.Single).IsKnownSize);
    }

    [Fact]
    public void VectorDataViewType_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => new VectorDataViewType(TextDataViewType.Instance, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorDataViewType(NumberDataViewType.Single, -1));
    }

    [Fact]
    public void SchemaErrors_Always_UseMlNetMessageShape()
    {
        Assert.Equal("Schema mismatch for input column 'X': expected Single, got String",
                     SchemaErrors.Mismatch("input column", "X", "Single", "String").Message);
        Assert.Equal("Could not find input column 'X'", SchemaErrors.Unknown("X").Message);
        Assert.Equal("Could not find label column 'Y'", SchemaErrors.Unknown("Y", "label column").Message);
        Assert.StartsWith("Could not find input column 'X' (Parameter 'inputColumnName')",
                          SchemaErrors.Unknown("X", paramName: "inputColumnName").Message);
    }

    [Fact]
    public void SchemaErrorsFindColumn_WrongType_ThrowsMismatch()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => SchemaErrors.FindColumn(Sample(), "Name", NumberDataViewType.Single, "feature column"));
        Assert.Equal("Schema mismatch for feature column 'Name': expected Single, got String", e.Message);
        Assert.Equal(1, SchemaErrors.FindColumn(Sample(), "Name", TextDataViewType.Instance).Index);
    }
}
