namespace Microsoft.ML.R2DN.Orleans;

/// <summary>One row of a batch: an observation of one series.</summary>
/// <param name="SeriesId">The series id as text (as the model's series id column holds it); not null.</param>
/// <param name="Observation">The observation (see <see cref="SeriesObservation"/>); not null.</param>
/// <param name="ExpectedSteps">The step count the caller last saw acknowledged for this series, so that a retried
/// batch applies no row twice (see <see cref="IForecastSeriesGrain.Observe"/>); null to apply the row whatever the
/// state.</param>
[GenerateSerializer, Immutable]
public sealed record SeriesUpdate([property: Id(0)] string SeriesId, [property: Id(1)] SeriesObservation Observation,
                                  [property: Id(2)] long? ExpectedSteps = null);
