using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Orleans;

/// <summary>One row of a batch: an observation of one series.</summary>
/// <param name="SeriesId">The series id as text (as the model's series id column holds it); not null.</param>
/// <param name="Observation">The observation (see <see cref="SeriesObservation"/>); not null.</param>
[GenerateSerializer, Immutable]
public sealed record SeriesUpdate([property: Id(0)] string SeriesId, [property: Id(1)] SeriesObservation Observation);
