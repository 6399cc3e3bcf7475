namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>The mapping functions ML.NET calls for every row of a saved model (state per cursor, rows in
/// order).</summary>
internal static class CarrierMapping
{
    public static void Key(CarrierKeyInput source, CarrierKey destination)
    {
        destination.Key = 1;
        destination.NoSeries = "";
    }

    public static void Init(CarrierState state) { }

    public static void Forecast<TOut>(CarrierRow source, TOut destination, CarrierState state) where TOut
        : ForecastCarrierOutput
    {
        if (state.Forecaster is null || !source.Model.Equals(state.ModelText))
        {
            var model = ModelTextCache.Get(source.Model) as ForecastingTransformer
                ?? throw new FormatException("The model file is damaged: a forecaster's scorer holds another kind of " +
                                             "model.");
            state.Forecaster = new ForecastRowScorer(model);
            state.ModelText = source.Model;
        }
        state.Forecaster.Next(source.Series.ToString(), source.Input, state.Row++, destination.ForecastValues,
                              destination.LowerValues, destination.UpperValues);
    }

    public static void Simulate(CarrierRow source, SimulationCarrierOutput destination, CarrierState state)
    {
        if (state.Simulator is null || !source.Model.Equals(state.ModelText))
        {
            var model = ModelTextCache.Get(source.Model) as SimulationTransformer
                ?? throw new FormatException("The model file is damaged: a simulator's scorer holds another kind of " +
                                             "model.");
            state.Simulator = new SimulationRowScorer(model, model.EncoderWindow > 0);
            state.ModelText = source.Model;
        }
        Span<float> y = stackalloc float[Math.Min(state.Simulator.OutputSize, SimulationCarrierOutput.Capacity)];
        state.Simulator.Next(source.Series.ToString(), source.Input, state.Row++, y);
        destination.Set(y);
    }
}
