namespace Microsoft.ML.R2DN.Data;

/// <summary>Column discovery for <c>LoadFromCsv</c> and <c>LoadFromTextFile&lt;T&gt;</c>.</summary>
internal static class TextColumnInference
{
    /// <summary>The columns of delimited files with a header: names from the header, kinds from a full pass over the
    /// values (<see cref="DataKind.Single"/> when every non-missing value is a number, <see cref="DataKind.DateTime"/>
    /// when every non-empty value is an ISO 8601 date, otherwise <see cref="DataKind.String"/>).</summary>
    /// <remarks>Streams every file once. All files must have the same header. Empty header names become
    /// <c>Column{index}</c>; a name used twice is an error.</remarks>
    public static TextLoader.Column[] FromHeader(string[] paths, char separatorChar, bool allowQuoting, bool trimWhitespace,
                                                 CancellationToken cancellation)
    {
        string[]? names = null;
        bool[] allNumbers = [];
        bool[] allDates = [];
        bool[] sawDate = [];
        foreach (string path in paths)
        {
            using var reader = TextRecordReader.Open(path, separatorChar, allowQuoting, trimWhitespace);
            if (!reader.ReadRecord())
                throw new FormatException($"{path} is empty: expected a header line naming the columns.");
            var header = new string[reader.FieldCount];
            for (int i = 0; i < header.Length; i++)
                header[i] = reader[i].Trim().ToString() is { Length: > 0 } name ? name : $"Column{i}";
            if (names is null)
            {
                names = header;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (string name in names)
                    if (!seen.Add(name))
                        throw reader.Error(reader.RecordLine, $"the header names column '{name}' twice.");
                allNumbers = Enumerable.Repeat(true, names.Length).ToArray();
                allDates = Enumerable.Repeat(true, names.Length).ToArray();
                sawDate = new bool[names.Length];
            }
            else if (!header.SequenceEqual(names))
            {
                throw reader.Error(reader.RecordLine, $"the header differs from the header of {paths[0]}.");
            }

            long rows = 0;
            while (reader.ReadRecord())
            {
                if ((++rows & 0x3FF) == 0)
                    cancellation.ThrowIfCancellationRequested();
                if (reader.FieldCount != names.Length)
                    throw reader.Error(reader.RecordLine, $"expected {names.Length} fields, found {reader.FieldCount}.");
                for (int i = 0; i < names.Length; i++)
                {
                    if (!allNumbers[i] && !allDates[i])
                        continue;
                    var text = reader[i].Trim();
                    if (text.IsEmpty)
                        continue;
                    if (allNumbers[i] && !TextValueParsers.TryParseSingle(text, out _))
                        allNumbers[i] = false;
                    if (allDates[i])
                    {
                        if (TextValueParsers.IsIsoDate(text))
                            sawDate[i] = true;
                        else
                            allDates[i] = false;
                    }
                }
            }
        }

        var columns = new TextLoader.Column[names!.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            var kind = allNumbers[i] ? DataKind.Single : allDates[i] && sawDate[i] ? DataKind.DateTime : DataKind.String;
            columns[i] = new TextLoader.Column(names[i], kind, i);
        }
        return columns;
    }

    /// <summary>The columns of a row class for <c>LoadFromTextFile&lt;T&gt;</c>, from its <see cref="LoadColumnAttribute"/>s.</summary>
    /// <exception cref="InvalidOperationException">A member lacks <see cref="LoadColumnAttribute"/>, or its type does
    /// not suit its attribute (a range needs a <see cref="float"/>[], a <see cref="float"/>[] needs a range).</exception>
    public static TextLoader.Column[] FromType(Type rowType)
    {
        var columns = new List<TextLoader.Column>();
        foreach (var member in RowTypeMembers.Get(rowType))
        {
            var load = member.LoadColumn ?? throw new InvalidOperationException(
                $"Field or property '{member.Name}' of '{rowType.Name}' is missing the [LoadColumn] attribute (mark it [NoColumn] to skip it).");
            if (member.ColumnType is VectorDataViewType vector)
            {
                if (!load.IsRange)
                    throw new InvalidOperationException(
                        $"Member '{member.Name}' is a float[]: give it a range of fields with [LoadColumn(start, end)].");
                int size = load.End - load.Start + 1;
                if (vector.IsKnownSize && vector.Size != size)
                    throw new InvalidOperationException(
                        $"Member '{member.Name}' has [VectorType({vector.Size})] but [LoadColumn({load.Start}, {load.End})] reads {size} fields.");
                columns.Add(new TextLoader.Column(member.ColumnName, DataKind.Single, load.Start, load.End));
            }
            else
            {
                if (load.IsRange)
                    throw new InvalidOperationException(
                        $"Member '{member.Name}' reads a range of fields with [LoadColumn({load.Start}, {load.End})]; it must be a float[].");
                columns.Add(new TextLoader.Column(member.ColumnName, KindOf(member.ColumnType), load.Start));
            }
        }
        if (columns.Count == 0)
            throw new InvalidOperationException($"'{rowType.Name}' has no public field or property with [LoadColumn].");
        return [.. columns];
    }

    private static DataKind KindOf(DataViewType type) =>
        type == NumberDataViewType.Single ? DataKind.Single
        : type == NumberDataViewType.Double ? DataKind.Double
        : type == NumberDataViewType.Int32 ? DataKind.Int32
        : type == NumberDataViewType.Int64 ? DataKind.Int64
        : type == BooleanDataViewType.Instance ? DataKind.Boolean
        : type == DateTimeDataViewType.Instance ? DataKind.DateTime
        : DataKind.String;
}
