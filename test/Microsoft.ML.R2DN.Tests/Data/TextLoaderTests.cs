using System.Text;
using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

public sealed class TextLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly MLContext _ml = new(seed: 1);

    public sealed class LoadRow
    {
        [LoadColumn(0)]
        public DateTime Time { get; set; }

        [LoadColumn(1)]
        public float Load { get; set; }

        [LoadColumn(2)]
        [ColumnName("Temp")]
        public double Temperature { get; set; }

        [LoadColumn(3)]
        public int Hour { get; set; }

        [LoadColumn(4)]
        public bool Holiday { get; set; }

        [LoadColumn(5)]
        public string Note { get; set; } = "";

        [LoadColumn(6, 7)]
        [VectorType(2)]
        public float[] Lags { get; set; } = [];

        [NoColumn]
        public float Unused { get; set; }
    }

    public sealed class NameValue
    {
        [LoadColumn(0)]
        public string Name { get; set; } = "";

        [LoadColumn(1)]
        public float Value { get; set; }
    }

    public sealed class MissingAttribute
    {
        [LoadColumn(0)]
        public float A { get; set; }

        public float B { get; set; }
    }

    public void Dispose() => _dir.Dispose();

    private List<NameValue> ReadNameValue(string content, bool hasHeader = false, bool trim = false, bool allowQuoting = true)
    {
        string path = _dir.Write("nv.csv", content);
        var data = _ml.Data.LoadFromTextFile<NameValue>(path, ',', hasHeader, allowQuoting, trim);
        return _ml.Data.CreateEnumerable<NameValue>(data, reuseRowObject: false).ToList();
    }

    [Fact]
    public void LoadFromTextFileTyped_WithHeader_LoadsEveryType()
    {
        string path = _dir.Write("load.csv",
            "time,load,temp,hour,holiday,note,lag1,lag2\n"
            + "2024-01-01T00:00:00,512.5,-3.25,0,false,plain,1,2\n"
            + "2024-01-01 01:00,498,-3.5,1,TRUE,\"a, b\",3,4\n");
        var data = _ml.Data.LoadFromTextFile<LoadRow>(path, separatorChar: ',', hasHeader: true);
        Assert.Equal(
            new[] { "Time: DateTime", "Load: Single", "Temp: Double", "Hour: Int32", "Holiday: Boolean", "Note: String", "Lags: Vector<Single, 2>" },
            data.Schema.Select(c => c.ToString()));
        Assert.Null(data.GetRowCount());
        var rows = _ml.Data.CreateEnumerable<LoadRow>(data, reuseRowObject: false).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(new DateTime(2024, 1, 1, 1, 0, 0), rows[1].Time);
        Assert.Equal(512.5f, rows[0].Load);
        Assert.Equal(-3.5, rows[1].Temperature);
        Assert.Equal(1, rows[1].Hour);
        Assert.True(rows[1].Holiday);
        Assert.False(rows[0].Holiday);
        Assert.Equal("a, b", rows[1].Note);
        Assert.Equal(new float[] { 3, 4 }, rows[1].Lags);
    }

    [Fact]
    public void LoadFromTextFileTyped_DefaultSeparator_IsTab()
    {
        string path = _dir.Write("a.tsv", "x\t1.5\ny\t2\n");
        var rows = _ml.Data.CreateEnumerable<NameValue>(_ml.Data.LoadFromTextFile<NameValue>(path), false).ToList();
        Assert.Equal(new[] { "x", "y" }, rows.Select(r => r.Name));
        Assert.Equal(new[] { 1.5f, 2f }, rows.Select(r => r.Value));
    }

    [Fact]
    public void Quoting_Rfc4180_SeparatorsQuotesAndLineBreaks()
    {
        var rows = ReadNameValue("\"a,b\",1\r\n\"say \"\"hi\"\"\",2\r\n\"two\r\nlines\",3\r\n\"\",4\r\n");
        Assert.Equal(new[] { "a,b", "say \"hi\"", "two\r\nlines", "" }, rows.Select(r => r.Name));
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, rows.Select(r => r.Value));
    }

    [Fact]
    public void Quoting_QuotedNumber_Parses()
    {
        Assert.Equal(12.5f, ReadNameValue("x,\"12.5\"\n").Single().Value);
    }

    [Fact]
    public void Quoting_Disallowed_KeepsQuotes()
    {
        Assert.Equal("\"a\"", ReadNameValue("\"a\",1\n", allowQuoting: false).Single().Name);
    }

    [Fact]
    public void LineEndings_CrLfLfAndCr_AllSplitLines()
    {
        var rows = ReadNameValue("a,1\r\nb,2\nc,3\rd,4");
        Assert.Equal(new[] { "a", "b", "c", "d" }, rows.Select(r => r.Name));
    }

    [Fact]
    public void Header_Skipped_AndBlankLinesIgnored()
    {
        var rows = ReadNameValue("name,value\n\na,1\n\n\nb,2\n\n", hasHeader: true);
        Assert.Equal(new[] { "a", "b" }, rows.Select(r => r.Name));
    }

    [Fact]
    public void TrimWhitespace_TrimsUnquotedFieldsOnly()
    {
        var rows = ReadNameValue("  a  , 1 \n \" b \" , 2\n   \n", trim: true);
        Assert.Equal(new[] { "a", " b " }, rows.Select(r => r.Name));
        Assert.Equal(new[] { 1f, 2f }, rows.Select(r => r.Value));
    }

    [Fact]
    public void ByteOrderMark_IsSkipped()
    {
        string path = Path.Combine(_dir.Path, "bom.csv");
        File.WriteAllText(path, "name,value\nx,1\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var data = _ml.Data.LoadFromCsv(path);
        Assert.Equal("name", data.Schema[0].Name);
    }

    [Fact]
    public void MissingValues_EmptyNumeric_IsNaN()
    {
        string path = _dir.Write("m.csv", "s,d,i,l,b,t,dt\n,,,,,,\n?,NA,7,8,1,x,2024-02-03\n");
        var columns = new[]
        {
            new TextLoader.Column("s", DataKind.Single, 0), new TextLoader.Column("d", DataKind.Double, 1),
            new TextLoader.Column("i", DataKind.Int32, 2), new TextLoader.Column("l", DataKind.Int64, 3),
            new TextLoader.Column("b", DataKind.Boolean, 4), new TextLoader.Column("t", DataKind.String, 5),
            new TextLoader.Column("dt", DataKind.DateTime, 6),
        };
        var data = _ml.Data.LoadFromTextFile(path, columns);
        Assert.Equal(new[] { float.NaN, float.NaN }, DataViewReader.ReadSingleColumn(data, "s"));
        Assert.Equal(new[] { float.NaN, float.NaN }, DataViewReader.ReadSingleColumn(data, "d"));
        Assert.Equal(new[] { 0f, 7f }, DataViewReader.ReadSingleColumn(data, "i"));
        Assert.Equal(new[] { 0f, 8f }, DataViewReader.ReadSingleColumn(data, "l"));
        Assert.Equal(new[] { 0f, 1f }, DataViewReader.ReadSingleColumn(data, "b"));
        Assert.Equal(new[] { "", "x" }, DataViewReader.ReadTextColumn(data, "t"));
        Assert.Equal(new[] { DateTime.MinValue, new DateTime(2024, 2, 3) }, DataViewReader.ReadDateTimeColumn(data, "dt"));
    }

    [Fact]
    public void DateTime_WithOffset_ConvertsToUtc()
    {
        string path = _dir.Write("d.csv", "t\n2024-01-01T02:00:00+02:00\n2024-01-01T00:00:00Z\n");
        var values = DataViewReader.ReadDateTimeColumn(_ml.Data.LoadFromCsv(path), "t");
        Assert.All(values, v => Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), v));
        Assert.All(values, v => Assert.Equal(DateTimeKind.Utc, v.Kind));
    }

    [Fact]
    public void MalformedRow_UnparsableNumber_NamesFileLineAndColumn()
    {
        var lines = new StringBuilder("Time,Load\n");
        for (int i = 0; i < 15; i++)
            lines.Append($"2024-01-01T{i:00}:00:00,{i}.5\n");
        lines.Append("2024-01-01T15:00:00,abc\n");
        string path = _dir.Write("load.csv", lines.ToString());
        var data = _ml.Data.LoadFromTextFile(path, [new TextLoader.Column("Time", DataKind.DateTime, 0), new TextLoader.Column("Load", DataKind.Single, 1)]);
        var e = Assert.Throws<FormatException>(() => DataViewReader.ReadSingleColumn(data, "Load"));
        Assert.Equal($"{path} line 17, column 'Load': 'abc' is not a valid Single.", e.Message);
    }

    [Fact]
    public void MalformedRow_WrongFieldCount_NamesLine()
    {
        string path = _dir.Write("f.csv", "a,b,c\n1,2,3\n\n4,5\n");
        var data = _ml.Data.LoadFromTextFile(path, [new TextLoader.Column("a", DataKind.Single, 0)]);
        var e = Assert.Throws<FormatException>(() => DataViewReader.RowCount(data));
        Assert.Equal($"{path} line 4: expected 3 fields, found 2.", e.Message);
    }

    [Fact]
    public void MalformedRow_TooManyFieldsWithoutHeader_NamesLine()
    {
        var e = Assert.Throws<FormatException>(() => ReadNameValue("a,1\nb,2,3\n"));
        Assert.EndsWith("line 2: expected 2 fields, found 3.", e.Message);
    }

    [Fact]
    public void MalformedRow_AfterMultiLineQuotedField_ReportsPhysicalLine()
    {
        var e = Assert.Throws<FormatException>(() => ReadNameValue("\"x\ny\nz\",1\nb,oops\n"));
        Assert.EndsWith("line 4, column 'Value': 'oops' is not a valid Single.", e.Message);
    }

    [Fact]
    public void Quoting_Unterminated_ThrowsWithStartLine()
    {
        var e = Assert.Throws<FormatException>(() => ReadNameValue("a,1\n\"b,2\nc,3\n"));
        Assert.EndsWith("line 2: a quoted field is not terminated (missing closing quote).", e.Message);
    }

    [Fact]
    public void Quoting_TextAfterClosingQuote_Throws()
    {
        var e = Assert.Throws<FormatException>(() => ReadNameValue("\"a\"b,1\n"));
        Assert.Contains("line 1: unexpected character 'b' after the closing quote", e.Message);
    }

    [Fact]
    public void Header_TooFewFieldsForColumns_Throws()
    {
        string path = _dir.Write("h.csv", "a\n1\n");
        var data = _ml.Data.LoadFromTextFile(path, [new TextLoader.Column("b", DataKind.Single, 1)]);
        var e = Assert.Throws<FormatException>(() => DataViewReader.RowCount(data));
        Assert.Equal($"{path} line 1: the header has 1 fields, but the columns read up to field index 1.", e.Message);
    }

    [Fact]
    public void InactiveColumn_IsNotParsed()
    {
        string path = _dir.Write("i.csv", "a,b\n1,x\n2,y\n");
        var data = _ml.Data.LoadFromTextFile(path, [new TextLoader.Column("a", DataKind.Single, 0), new TextLoader.Column("b", DataKind.Single, 1)]);
        Assert.Equal(new[] { 1f, 2f }, DataViewReader.ReadSingleColumn(data, "a"));
        Assert.Throws<FormatException>(() => DataViewReader.ReadSingleColumn(data, "b"));
    }

    [Fact]
    public void FileNotFound_ThrowsWithPath()
    {
        string path = Path.Combine(_dir.Path, "missing.csv");
        var e = Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadFromTextFile<NameValue>(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
        Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadFromCsv(path));
        Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadFromTextFile(path, [new TextLoader.Column("a", DataKind.Single, 0)]));
    }

    [Fact]
    public void MultipleFiles_ConcatenatesRowsSkippingEachHeader()
    {
        string a = _dir.Write("a.csv", "name,value\nx,1\ny,2\n");
        string b = _dir.Write("b.csv", "name,value\r\nz,3");
        var data = _ml.Data.LoadFromTextFile<NameValue>([a, b], ',', hasHeader: true);
        Assert.Equal(new[] { "x", "y", "z" }, DataViewReader.ReadTextColumn(data, "Name"));
        Assert.Equal(new[] { 1f, 2f, 3f }, DataViewReader.ReadSingleColumn(_ml.Data.LoadFromCsv([a, b]), "value"));
    }

    [Fact]
    public void MultipleFiles_ErrorNamesTheFileAtFault()
    {
        string a = _dir.Write("a.csv", "name,value\nx,1\n");
        string b = _dir.Write("b.csv", "name,value\ny,bad\n");
        var data = _ml.Data.LoadFromTextFile<NameValue>([a, b], ',', hasHeader: true);
        var e = Assert.Throws<FormatException>(() => DataViewReader.ReadSingleColumn(data, "Value"));
        Assert.Equal($"{b} line 2, column 'Value': 'bad' is not a valid Single.", e.Message);
    }

    [Fact]
    public void Untyped_DefaultsAreCommaWithHeader_AndVectorRange()
    {
        string path = _dir.Write("u.csv", "id,f1,f2,f3\n7,1,2,3\n8,4,,6\n");
        var data = _ml.Data.LoadFromTextFile(path, [new TextLoader.Column("Id", DataKind.Int64, 0), new TextLoader.Column("Features", DataKind.Single, 1, 3)]);
        Assert.Equal("Features: Vector<Single, 3>", data.Schema["Features"].ToString());
        var features = DataViewReader.ReadVectorColumn(data, "Features", size: 3);
        Assert.Equal(new float[] { 1, 2, 3 }, features[0]);
        Assert.Equal(new[] { 4f, float.NaN, 6f }, features[1]);
        Assert.Equal(new[] { "7", "8" }, DataViewReader.ReadTextColumn(data, "Id"));
    }

    [Fact]
    public void CreateTextLoader_Reused_LoadsEachFile()
    {
        var loader = _ml.Data.CreateTextLoader<NameValue>(separatorChar: ',');
        Assert.Equal("Name: String", loader.GetOutputSchema()[0].ToString());
        var first = loader.Load(_dir.Write("1.csv", "a,1\n"));
        var second = loader.Load(_dir.Write("2.csv", "b,2\nc,3\n"));
        Assert.Equal(1, DataViewReader.RowCount(first));
        Assert.Equal(2, DataViewReader.RowCount(second));
    }

    [Fact]
    public void TypedRowClass_MemberWithoutLoadColumn_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _ml.Data.CreateTextLoader<MissingAttribute>());
        Assert.Contains("'B'", e.Message);
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        string path = _dir.Write("x.csv", "a\n1\n");
        Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromTextFile(path, []));
        Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromTextFile(path, [new TextLoader.Column("a", DataKind.Single, 0)], separatorChar: '"'));
        Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromTextFile<NameValue>(Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => new TextLoader.Column("v", DataKind.String, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextLoader.Column("v", DataKind.Single, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextLoader.Column("v", DataKind.Single, 3, 2));
        Assert.Throws<ArgumentException>(() => new TextLoader.Column("v", (DataKind)0, 0));
    }

    [Fact]
    public void View_IsLazy_EachCursorRereadsTheFile()
    {
        string path = _dir.Write("lazy.csv", "name,value\nx,1\n");
        var data = _ml.Data.LoadFromCsv(path);
        Assert.Equal(1, DataViewReader.RowCount(data));
        File.AppendAllText(path, "y,2\n");
        Assert.Equal(new[] { 1f, 2f }, DataViewReader.ReadSingleColumn(data, "value"));
    }

    [Fact]
    public void LoadFromCsv_InfersSingleDateTimeAndString()
    {
        string path = _dir.Write("infer.csv",
            "Time, Load ,Label,Empty,,Mixed\n"
            + "2024-01-01T00:00:00Z,1.5,a,,1,2024-01-01\n"
            + "2024-01-01T01:00:00Z,,b,,2,x\n"
            + "2024-01-01T02:00:00Z,NA,\"c,d\",,3,\n");
        var data = _ml.Data.LoadFromCsv(path);
        Assert.Equal(
            new[] { "Time: DateTime", "Load: Single", "Label: String", "Empty: Single", "Column4: Single", "Mixed: String" },
            data.Schema.Select(c => c.ToString()));
        Assert.Equal(new[] { 1.5f, float.NaN, float.NaN }, DataViewReader.ReadSingleColumn(data, "Load"));
        Assert.Equal(new[] { "a", "b", "c,d" }, DataViewReader.ReadTextColumn(data, "Label"));
        Assert.Equal(new DateTime(2024, 1, 1, 2, 0, 0, DateTimeKind.Utc), DataViewReader.ReadDateTimeColumn(data, "Time")[2]);
    }

    [Fact]
    public void LoadFromCsv_NumbersThatLookLikeYears_StaySingle()
    {
        string path = _dir.Write("years.csv", "year\n2024\n2025\n");
        Assert.Equal(NumberDataViewType.Single, _ml.Data.LoadFromCsv(path).Schema["year"].Type);
    }

    [Fact]
    public void LoadFromCsv_DuplicateHeaderName_Throws()
    {
        string path = _dir.Write("dup.csv", "a,a\n1,2\n");
        var e = Assert.Throws<FormatException>(() => _ml.Data.LoadFromCsv(path));
        Assert.Equal($"{path} line 1: the header names column 'a' twice.", e.Message);
    }

    [Fact]
    public void LoadFromCsv_HeadersDiffer_Throws()
    {
        string a = _dir.Write("a.csv", "x,y\n1,2\n");
        string b = _dir.Write("b.csv", "x,z\n1,2\n");
        var e = Assert.Throws<FormatException>(() => _ml.Data.LoadFromCsv([a, b]));
        Assert.Equal($"{b} line 1: the header differs from the header of {a}.", e.Message);
    }

    [Fact]
    public void LoadFromCsv_EmptyFile_Throws()
    {
        string path = _dir.Write("empty.csv", "");
        Assert.Throws<FormatException>(() => _ml.Data.LoadFromCsv(path));
    }

    [Fact]
    public void LoadFromCsv_WrongFieldCount_ThrowsWhileInferring()
    {
        string path = _dir.Write("bad.csv", "a,b\n1,2\n3\n");
        var e = Assert.Throws<FormatException>(() => _ml.Data.LoadFromCsv(path));
        Assert.Equal($"{path} line 3: expected 2 fields, found 1.", e.Message);
    }
}
