namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The grain of one series (its key is the series id, as text): it holds that series' state (recurrent state,
/// look-back window, last observation) and writes it through Orleans grain storage after every acknowledged update
/// (see <see cref="R2dnServingOptions.WriteEvery"/>). A grain activated on another silo, after its silo died or the
/// cluster rebalanced, continues from its stored state.</summary>
public interface IForecastSeriesGrain : IGrainWithStringKey
{
    /// <summary>Steps the series with the observation at its next time step and returns the forecast after it, as <see
    /// cref="SeriesForecaster.Observe"/> (the same numbers as <c>ForecastingEngine.Predict(example)</c>). The update is
    /// acknowledged (the call returns) once it is stored.</summary> <param name="observation">The values of the model's
    /// input columns; not null.</param> <param name="horizon">The number of steps ahead, in [1, the model's horizon];
    /// null for the model's horizon.</param> <param name="confidenceLevel">The level of the bounds, in (0, 1); null for
    /// the model's level.</param> <param name="expectedSteps">For retries that must not apply an update twice: the step
    /// count the caller last saw acknowledged (<see cref="SeriesForecast.Steps"/>, or <see
    /// cref="SeriesStatus.Steps"/>); null to apply the update whatever the state. When the state is already one step
    /// past it, the update is taken as a retry of one that was stored but whose reply was lost: it is not applied
    /// again, and the forecast from the state is returned.</param> <returns>The forecast.</returns> <exception
    /// cref="InvalidOperationException">The state is neither at <paramref name="expectedSteps"/> nor one past it (an
    /// update is missing, or this one is out of order). The state is as it was.</exception> <exception
    /// cref="ArgumentOutOfRangeException">A column is missing, mistyped or unknown, or an argument is out of range. The
    /// state is as it was.</exception> <exception cref="ArgumentException">A value is NaN or infinite and the model
    /// cannot fill it. The state is as it was.</exception>
    Task<SeriesForecast> Observe(SeriesObservation observation, int? horizon = null, float? confidenceLevel = null,
                                 long? expectedSteps = null);

    /// <summary>The forecast from the series' state, without a new observation, as <see
    /// cref="SeriesForecaster.Forecast"/>.</summary> <param name="horizon">The number of steps ahead, in [1, the
    /// model's horizon]; null for the model's horizon.</param> <param name="confidenceLevel">The level of the bounds,
    /// in (0, 1); null for the model's level.</param> <returns>The forecast.</returns> <exception
    /// cref="InvalidOperationException">The series has seen no observation (the model did not train on it and none was
    /// observed).</exception>
    Task<SeriesForecast> Forecast(int? horizon = null, float? confidenceLevel = null);

    /// <summary>Where the series stands: its step count, the model that last stepped it, the silo that holds it and
    /// how many acknowledged updates are not yet stored.</summary>
    /// <returns>The status.</returns>
    Task<SeriesStatus> GetStatus();
}
