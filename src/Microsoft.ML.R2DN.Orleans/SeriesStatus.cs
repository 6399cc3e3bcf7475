namespace Microsoft.ML.R2DN.Orleans;

/// <summary>Where one series grain stands.</summary>
/// <param name="SeriesId">The series.</param>
/// <param name="Steps">The observations its state has consumed (training rows included when it started from the
/// model's stored end state).</param>
/// <param name="ModelId">The model that last stepped the state.</param>
/// <param name="Silo">The silo that holds the grain now.</param>
/// <param name="UnwrittenUpdates">Acknowledged updates not yet in storage (0 with
/// <see cref="R2dnServingOptions.WriteEvery"/> = 1).</param>
[GenerateSerializer, Immutable]
public sealed record SeriesStatus([property: Id(0)] string SeriesId, [property: Id(1)] long Steps,
                                  [property: Id(2)] string ModelId, [property: Id(3)] string Silo,
                                  [property: Id(4)] int UnwrittenUpdates);
