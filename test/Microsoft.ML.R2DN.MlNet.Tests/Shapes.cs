namespace Microsoft.ML.R2DN.MlNet.Tests;

/// <summary>SchemaShapes through public ML.NET API only (<c>SchemaShape.Create</c> is internal): a loader estimator
/// (<c>loader.Append(estimator)</c>) reports its output shape, computed by the estimators' own
/// <c>GetOutputSchema(SchemaShape)</c> from its loader's schema.</summary>
internal static class Shapes
{
    /// <summary>The output shape of <paramref name="estimator"/> on data shaped as <paramref name="data"/>: what ML.NET
    /// computes when a pipeline is checked before fitting.</summary>
    public static SchemaShape Propagate(IDataView data, IEstimator<ITransformer> estimator) =>
        new ViewLoader(data).Append(estimator).GetOutputSchema();

    /// <summary>The shape of <paramref name="data"/>'s schema (plus one copied column, the identity estimator ML.NET
    /// has).</summary>
    public static SchemaShape Of(IDataView data) =>
        Propagate(data,
                  new MLContext().Transforms.CopyColumns("__shape_copy", data.Schema.First(c => !c.IsHidden).Name));

    private sealed class ViewLoader(IDataView data) : IDataLoader<int>
    {
        public DataViewSchema GetOutputSchema() => data.Schema;

        public IDataView Load(int input) => data;

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();
    }
}
