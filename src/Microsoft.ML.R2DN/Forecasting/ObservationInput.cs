using System.Reflection;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Turns a <see cref="SeriesObservation"/> into the one-row view a loaded model's chain reads: every column
/// of the model's saved input schema, the given values in the columns they name and default values in the columns the
/// forecaster does not depend on.</summary>
internal sealed class ObservationInput
{
    private static readonly MethodInfo AddDefaultMethod =
        typeof(ObservationInput).GetMethod(nameof(AddDefault), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly DataViewSchema.Column[] _columns;
    private readonly Func<ArrayDataView.Builder, ArrayDataView.Builder>?[] _defaults;

    private ObservationInput(DataViewSchema.Column[] columns, HashSet<string> required)
    {
        _columns = columns;
        _defaults = columns.Select(c => required.Contains(c.Name) ? null : DefaultAdder(c)).ToArray();
        var b = new DataViewSchema.Builder();
        foreach (var c in columns.Where(c => required.Contains(c.Name))) b.AddColumn(c.Name, c.Type);
        Schema = b.ToSchema();
    }

    /// <summary>The columns an observation must give, in the order of the saved schema.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The input of a model loaded with its saved schema <paramref name="raw"/>.</summary>
    /// <exception cref="NotSupportedException">A column the forecaster depends on is not a numeric scalar.</exception>
    public static ObservationInput Create(DataViewSchema raw, ITransformer[] before, ForecastingTransformer forecaster)
    {
        var columns = raw.Where(c => !c.IsHidden).ToArray();
        var values = forecaster.Columns.Values.Select(v => v.Name).ToArray();
        var required = new HashSet<string>(before.Length == 0 ? values : Dependencies(raw, before, values),
                                           StringComparer.Ordinal);
        foreach (var c in columns.Where(c => required.Contains(c.Name) && !DataViewReader.IsNumeric(c.Type)))
            throw new NotSupportedException(
                $"The model reads input column '{c.Name}' of type {c.Type}: a SeriesObservation carries Single, " +
                "Double, Int32, Int64 and Boolean values only.");
        return new ObservationInput(columns, required);
    }

    /// <summary>The one-row view of <paramref name="observation"/>: each value in a column of its own type, as the
    /// engine's view of a class has each member's type, so that a column the model cannot read fails with the engine's
    /// error when the view is read (a missing one too: it is left out). Columns the forecaster does not depend on take
    /// default values when not given.</summary> <exception cref="ArgumentOutOfRangeException">The observation names a
    /// column the model does not have.</exception>
    public IDataView View(SeriesObservation observation, string parameter)
    {
        foreach (var (name, _) in observation)
            if (!_columns.Any(c => c.Name == name))
                throw new ArgumentOutOfRangeException(parameter,
                    $"Schema mismatch: the model has no input column '{name}' (it reads {Describe(Schema)}).");
        var b = new ArrayDataView.Builder();
        for (int i = 0; i < _columns.Length; i++)
        {
            var c = _columns[i];
            if (observation.TryGetValue(c.Name, out var value)) AddValue(b, c.Name, value);
            else _defaults[i]?.Invoke(b);
        }
        return b.Build();
    }

    /// <summary>"'Load' (Single), 'Temperature' (Single)".</summary>
    public static string Describe(DataViewSchema schema) =>
        schema.Count == 0 ? "no columns" : string.Join(", ", schema.Select(c => $"'{c.Name}' ({c.Type})"));

    private static void AddValue(ArrayDataView.Builder b, string name, object value)
    {
        switch (value)
        {
            case float f: b.AddColumn(name, [f]); break;
            case double d: b.AddColumn(name, [d]); break;
            case int n: b.AddColumn(name, [n]); break;
            case long l: b.AddColumn(name, [l]); break;
            default: b.AddColumn(name, [(bool)value]); break;
        }
    }

    // The raw columns the chain reads to make the forecaster's value columns; all of them when the chain cannot say.
    private static IEnumerable<string> Dependencies(DataViewSchema raw, ITransformer[] before, string[] values)
    {
        ITransformer chain = new TransformerChain<ITransformer>(before);
        if (!chain.IsRowToRowMapper)
            return raw.Where(c => !c.IsHidden && DataViewReader.IsNumeric(c.Type)).Select(c => c.Name);
        var mapper = chain.GetRowToRowMapper(raw);
        var outputs = values.Select(v => mapper.OutputSchema[v]);
        return mapper.GetDependencies(outputs).Select(c => c.Name);
    }

    private static Func<ArrayDataView.Builder, ArrayDataView.Builder> DefaultAdder(DataViewSchema.Column c)
    {
        var add = AddDefaultMethod.MakeGenericMethod(c.Type.RawType);
        return b => (ArrayDataView.Builder)add.Invoke(null, [b, c.Name, c.Type])!;
    }

    private static ArrayDataView.Builder AddDefault<T>(ArrayDataView.Builder b, string name, DataViewType type) =>
        b.AddColumn(name, type, new T[1]);
}
