namespace Microsoft.ML.R2DN.Engine;

/// <summary>
/// The default settings of the models and their training, in one place: the engine's options, the ML.NET options and
/// catalog methods, the command line's help and the README take their defaults from here (a test checks the README's
/// table of options against it).
/// </summary>
/// <remarks>Choices between candidate values are made on validation data at training time; the values here are where
/// training starts and what it tries.</remarks>
public static class Defaults
{
    /// <summary>The model's settings, shared by forecasting and simulation.</summary>
    public static class Model
    {
        /// <summary>The Lipschitz bound γ of a Lipschitz model that names none.</summary>
        public const double Gamma = 1.0;

        /// <summary>The contraction-rate bound ᾱ: 1, the paper's models (contracting with no rate margin).</summary>
        public const double ContractionRate = 1.0;

        /// <summary>States nx and nonlinear width nv of a model that names none.</summary>
        public const int Size = 32;

        /// <summary>Hidden widths of an R2DN's 1-Lipschitz network that names none.</summary>
        public static int[] HiddenSizes => [64, 64];

        /// <summary>Below this many training rows (all series together) a simulator defaults to the small
        /// sizes.</summary>
        public const long SmallDataRows = 2000;

        /// <summary>nx and nv of the small sizes.</summary>
        public const int SmallSize = 16;

        /// <summary>Hidden widths of the small sizes.</summary>
        public static int[] SmallHiddenSizes => [32, 32];

        /// <summary>The element-wise gradient clip.</summary>
        public const double ClipValue = 10;
    }

    /// <summary>Forecasting's settings.</summary>
    public static class Forecasting
    {
        /// <summary>The intervals' coverage.</summary>
        public const double ConfidenceLevel = 0.95;

        /// <summary>Training epochs.</summary>
        public const int Epochs = 60;

        /// <summary>The initial Adam learning rate; it decays smoothly to a tenth by the last epoch.</summary>
        public const double LearningRate = 3e-3;

        /// <summary>The learning rate also tried on validation when none is given.</summary>
        public const double AlternativeLearningRate = 1e-3;

        /// <summary>The truncated-BPTT segment length.</summary>
        public const int SegmentLength = 128;

        /// <summary>The fraction of each series held out to calibrate the intervals.</summary>
        public const double CalibrationFraction = 0.15;

        /// <summary>The fraction of each series (the latest rows) held out to validate.</summary>
        public const double ValidationFraction = 0.2;

        /// <summary>Epochs without a lower validation error before training stops.</summary>
        public const int EarlyStoppingPatience = 15;

        /// <summary>The time all candidate settings together may take, in minutes.</summary>
        public const int TimeBudgetMinutes = 5;

        /// <summary>Whether the recurrent model reads each target's change rather than its level.</summary>
        public const bool DifferenceInputs = true;

        /// <summary>Whether one recurrent model is shared by the targets, each run on its own.</summary>
        public const bool ChannelIndependent = true;

        /// <summary>nx and nv of the first setting tried when none is given.</summary>
        public const int Size = 16;

        /// <summary>Hidden widths of the first setting tried when none is given.</summary>
        public static int[] HiddenSizes => [32];

        /// <summary>nx and nv of the larger setting also tried on validation when no size is given.</summary>
        public const int LargerSize = 32;

        /// <summary>Hidden widths of the larger setting.</summary>
        public static int[] LargerHiddenSizes => [64];

        /// <summary>The Lipschitz bounds γ also tried on validation when no robustness is given.</summary>
        public static double[] LipschitzGammas => [1, 5];

        /// <summary>The longest automatic look-back of the linear path (the long-term forecasting literature's 336
        /// steps).</summary>
        public const int MaxAutoLookback = 336;

        /// <summary>The further look-back tried on validation when the automatic one reaches
        /// <see cref="MaxAutoLookback"/> and the training windows allow it.</summary>
        public const int LongAutoLookback = 512;

        /// <summary>The ridge penalties tried for the linear path (relative to the mean diagonal of XᵀX): the largest
        /// make the path nearly zero, the naive forecast, which is the right answer for a random walk.</summary>
        public static double[] LinearRidges => [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];
    }

    /// <summary>Simulation's settings (system identification).</summary>
    public static class Simulation
    {
        /// <summary>Epochs of the paper's F16 protocol (when epochs are given, training is not sized in
        /// steps).</summary>
        public const int Epochs = 70;

        /// <summary>The initial learning rate.</summary>
        public const double LearningRate = 1e-3;

        /// <summary>The higher learning rate also tried on validation when none is given.</summary>
        public const double HighLearningRate = 3e-3;

        /// <summary>The Lipschitz bound γ of the Lipschitz model also tried on validation when no robustness is
        /// given.</summary>
        public const double LipschitzGamma = 10;

        /// <summary>With epochs given, the learning rate is multiplied by 0.1 every this many epochs.</summary>
        public const int DecayEveryEpochs = 20;

        /// <summary>The truncated-BPTT segment length.</summary>
        public const int SegmentLength = 256;

        /// <summary>Rows at the start of each series left out when scoring.</summary>
        public const int Washout = 100;

        /// <summary>Epochs without a lower validation error before training stops, with epochs given.</summary>
        public const int EarlyStoppingPatience = 10;

        /// <summary>The fraction of each series (its end) held out to validate.</summary>
        public const double ValidationFraction = 0.2;

        /// <summary>The time all candidate settings and the refit together may take, in minutes.</summary>
        public const int TimeBudgetMinutes = 5;

        /// <summary>Optimiser steps of each candidate setting on the validation tail (epochs not given).</summary>
        public const long ScreeningSteps = 6_000;

        /// <summary>The refit's optimiser steps on all the data when the time left does not allow more.</summary>
        public const long RefitSteps = 40_000;

        /// <summary>The most optimiser steps of the refit, where the screening's pace says more fit in the time left
        /// (small data sets).</summary>
        public const long MaxRefitSteps = 150_000;

        /// <summary>The initial-state encoder's window: the measured rows at the start of a record it reads (the
        /// initialisation window of nonlinearbenchmark.org's Cascaded Tanks protocol).</summary>
        public const int EncoderWindow = 5;

        /// <summary>The width of the encoder's one hidden tanh layer.</summary>
        public const int EncoderHidden = 64;

        /// <summary>The length of the subsequences the encoder (and, with subsequence training, the model) is trained
        /// on.</summary>
        public const int SubsequenceLength = 80;

        /// <summary>The subsequences of one optimiser step.</summary>
        public const int SubsequencesPerStep = 32;

        /// <summary>Optimiser steps of fitting an encoder to a model trained from the zero state.</summary>
        public const long EncoderSteps = 1_000;
    }
}
