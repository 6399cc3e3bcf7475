namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Builds the chain of ML.NET transformers that stands for an R2DN/REN transformer in a model file (see
/// <see cref="MlNetCarrier"/>): each part is fitted on an empty view of the schema so far.</summary>
internal sealed class CarrierChain
{
    private readonly MLContext _ml = new(seed: 0);
    private readonly List<ITransformer> _parts = [];
    private readonly List<string> _temporary = [];
    private IDataView _view;

    private CarrierChain(DataViewSchema inputs) => _view = new EmptyDataView(inputs);

    /// <summary>The chain for <paramref name="model"/> over <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not an R2DN/REN transformer.</exception>
    public static TransformerChain<ITransformer> Build(ITransformer model, DataViewSchema inputs,
                                                       string[] valueColumns, string? seriesId)
    {
        var chain = new CarrierChain(inputs);
        chain.AddModelText(model);
        chain.AddInputs(valueColumns, seriesId);
        switch (model)
        {
            case ForecastingTransformer f: chain.AddForecastOutputs(f); break;
            case SimulationTransformer s: chain.AddSimulationOutputs(s); break;
            default: throw new ArgumentException($"'{model.GetType().Name}' has no ML.NET form.", nameof(model));
        }
        chain.Add(chain._ml.Transforms.DropColumns([.. chain._temporary]));
        return new TransformerChain<ITransformer>([.. chain._parts]);
    }

    private void Add(IEstimator<ITransformer> estimator) => Add(estimator.Fit(_view));

    private void Add(ITransformer transformer)
    {
        _view = transformer.Transform(_view);
        _parts.Add(transformer);
    }

    // A constant key, then a value mapping from it to the model's own archive as base64 text.
    private void AddModelText(ITransformer model)
    {
        string text = Convert.ToBase64String(TransformerArchive.Encode(model));
        var lookup = _ml.Data.LoadFromEnumerable(new[] { new ModelEntry { Key = 1, Model = text } });
        Add(_ml.Transforms.CustomMapping<CarrierKeyInput,
            CarrierKey>(CarrierMapping.Key, CarrierKeyFactory.ContractName));
        Add(_ml.Transforms.Conversion.MapValue(CarrierColumns.Model, lookup, lookup.Schema[nameof(ModelEntry.Key)],
                                               lookup.Schema[nameof(ModelEntry.Model)], CarrierColumns.Key));
    }

    // The value columns as one Single vector, and the series id as text.
    private void AddInputs(string[] valueColumns, string? seriesId)
    {
        var converted = new string[valueColumns.Length];
        for (int i = 0; i < valueColumns.Length; i++)
        {
            converted[i] = CarrierColumns.InputPrefix + i;
            Add(_ml.Transforms.Conversion.ConvertType(converted[i], valueColumns[i], DataKind.Single));
        }
        Add(_ml.Transforms.Concatenate(CarrierColumns.Input, converted));
        if (seriesId is null)
            Add(_ml.Transforms.CopyColumns(CarrierColumns.Series, CarrierColumns.NoSeries));
        else
        {
            string source = seriesId;
            if (_view.Schema[seriesId].Type is KeyDataViewType)
            {
                Add(_ml.Transforms.Conversion.MapKeyToValue(CarrierColumns.SeriesValue, seriesId));
                source = CarrierColumns.SeriesValue;
                _temporary.Add(source);
            }
            Add(_ml.Transforms.Conversion.ConvertType(CarrierColumns.Series, source, DataKind.String));
        }
        _temporary.AddRange([CarrierColumns.Key, CarrierColumns.NoSeries, CarrierColumns.Model, .. converted,
                             CarrierColumns.Input, CarrierColumns.Series]);
    }

    // The scorer of the smallest tier that holds the forecast, then the user's columns cut to the forecast's size.
    private void AddForecastOutputs(ForecastingTransformer f)
    {
        int size = f.Core.OutputSize;
        int tier = MlNetCarrier.ForecastTiers.First(t => t >= size);
        Add(MlNetCarrier.ForecastMapping(_ml, tier));
        _temporary.AddRange([CarrierColumns.Forecast, CarrierColumns.Lower, CarrierColumns.Upper]);
        var outputs = new List<(string From, string To)> { (CarrierColumns.Forecast, f.OutputColumnName) };
        if (f.Columns.HasBounds)
            outputs.AddRange([(CarrierColumns.Lower, f.ConfidenceLowerBoundColumn!),
                              (CarrierColumns.Upper, f.ConfidenceUpperBoundColumn!)]);
        foreach (var (from, to) in outputs)
        {
            if (tier == size) Add(_ml.Transforms.CopyColumns(to, from));
            else Add(FirstSlots(from, to, tier, size));
        }
    }

    // Keeps slots [0, size) of a tier-sized vector: a count-based selection fitted on one row whose first `size`
    // slots are non-zero.
    private ITransformer FirstSlots(string from, string to, int tier, int size)
    {
        var ones = new float[tier];
        Array.Fill(ones, 1f, 0, size);
        var definition = SchemaDefinition.Create(typeof(SlotRow));
        definition[0].ColumnName = from;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, tier);
        var sample = _ml.Data.LoadFromEnumerable(new[] { new SlotRow { Values = ones } }, definition);
        return _ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(to, from, count: 1).Fit(sample);
    }

    private void AddSimulationOutputs(SimulationTransformer s)
    {
        Add(_ml.Transforms.StatefulCustomMapping<CarrierRow, SimulationCarrierOutput, CarrierState>(
            CarrierMapping.Simulate, CarrierMapping.Init, SimulationCarrierFactory.ContractName));
        var predicted = s.PredictedColumnNames;
        for (int i = 0; i < SimulationCarrierOutput.Capacity; i++) _temporary.Add(CarrierColumns.PredictedPrefix + i);
        for (int i = 0; i < predicted.Count; i++)
            Add(_ml.Transforms.CopyColumns(predicted[i], CarrierColumns.PredictedPrefix + i));
    }

    private sealed class ModelEntry
    {
        public int Key { get; set; }

        public string Model { get; set; } = "";
    }

    private sealed class SlotRow
    {
        public float[] Values { get; set; } = [];
    }
}
