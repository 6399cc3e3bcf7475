namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The defaults shared by the simple catalog overloads and the options classes, so the two cannot drift apart.</summary>
internal static class ForecastingDefaults
{
    public const float ConfidenceLevel = 0.95f;
    public const double Gamma = 1.0;
    public const double ContractionRate = 1.0;
    public const int ForecastEpochs = 60;
    public const double ForecastLearningRate = 3e-3;
    public const int ForecastSegmentLength = 128;
    public const double ClipValue = 10;
    public const double CalibrationFraction = 0.15;

    public const int SimulationEpochs = 70;
    public const double SimulationLearningRate = 1e-3;
    public const int DecayEveryEpochs = 20;
    public const int SimulationSegmentLength = 256;
    public const int Washout = 100;
    public const double SimulationHighLearningRate = 3e-3;
    public const int SimulationPatience = 10;
    /// <summary>Optimiser steps of each candidate setting on the validation tail (Epochs unset).</summary>
    public const long SimulationScreeningSteps = 6_000;
    /// <summary>The refit's optimiser steps on all the data (Epochs unset) when the time left does not allow more.</summary>
    public const long SimulationSteps = 40_000;
    /// <summary>The most optimiser steps of the refit: where the screening's pace says more than
    /// <see cref="SimulationSteps"/> fit in the time left, the refit takes that many, up to this (small data sets).</summary>
    public const long SimulationMaxSteps = 150_000;
    /// <summary>The refit's initial rate, as a fraction of the chosen learning rate.</summary>
    public const double SimulationRefitRateFactor = 1.0;

    /// <summary>The suffix of a predicted column's default name: <c>y</c> is predicted into <c>yPredicted</c>.</summary>
    public const string PredictedSuffix = "Predicted";

    /// <summary>Below this many training rows (all series together) the models default to the small sizes.</summary>
    public const long SmallDataRows = 2000;

    /// <summary>The longest automatic look-back of the linear path (the long-term forecasting literature's 336 steps).</summary>
    public const int MaxAutoLookback = 336;

    /// <summary>The further automatic look-back tried on validation when the training data allows it (ETTh1 at horizon 96:
    /// validation MSE 0.7113 against 0.7141 at 336, test 0.356 against 0.370; 720 costs 40 s and lost on both sets).</summary>
    public const int LongAutoLookback = 512;

    /// <summary>The most forecast values per row (horizon × targets): the largest size a saved model's ML.NET scorer has.</summary>
    public const int MaxForecastValues = 262_144;

    /// <summary>The most output columns of a simulator (the columns of a saved model's ML.NET scorer).</summary>
    public const int MaxSimulatedOutputs = 64;
}
