using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>A per-row transformer for chain tests: adds <c>output = factor × input</c> (Single).</summary>
internal sealed class ScaleTransformer(string input, string output, float factor) : ITransformer
{
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        SchemaErrors.FindColumn(inputSchema, input, NumberDataViewType.Single);
        return new DataViewSchema.Builder().AddColumns(inputSchema).AddColumn(output, NumberDataViewType.Single).ToSchema();
    }

    public IDataView Transform(IDataView data)
    {
        var column = SchemaErrors.FindColumn(data.Schema, input, NumberDataViewType.Single);
        return new ColumnAppendingDataView.Builder(data)
            .AddColumn<float>(output, NumberDataViewType.Single, [input], row =>
            {
                var get = row.GetGetter<float>(column);
                float raw = 0;
                return (ref float value) =>
                {
                    get(ref raw);
                    value = factor * raw;
                };
            })
            .Build();
    }
}
