namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// The paper's expressivity and timing study (MODELS.md 4.4) and the numbers read off its figures (MODELS.md 4.6):
/// per-size means over 5 seeds of the expressivity 1/NRMSE(%) and of the forward and backward times (JAX, batch 64,
/// horizon 128, unknown GPU), and the slopes printed on the figures.
/// </summary>
internal static class PaperTimingStudy
{
    /// <summary>State, input and output size of both models (identity output).</summary>
    public const int StateSize = 1;

    /// <summary>The R2DN's nv in the study.</summary>
    public const int R2dnNonlinearWidth = 16;

    /// <summary>The R2DN's number of hidden layers in the study.</summary>
    public const int R2dnDepth = 6;

    /// <summary>Batch and horizon of the paper's timing.</summary>
    public const int Batch = 64, Horizon = 128;

    /// <summary>The REN sizes nv (tanh).</summary>
    public static readonly int[] RenSizes = [20, 30, 40, 60, 80, 100, 128, 200];

    /// <summary>The R2DN hidden widths nh (relu, nv = 16, 6 hidden layers).</summary>
    public static readonly int[] R2dnWidths = [8, 16, 24, 32, 48, 64, 80, 96];

    private static readonly double[] RenExpressivity = [0.164, 0.216, 0.254, 0.461, 0.896, 1.64, 2.52, 4.04];
    private static readonly double[] RenForward = [0.0082, 0.0123, 0.0164, 0.0241, 0.0329, 0.0411, 0.0529, 0.0869];
    private static readonly double[] RenBackward = [0.0216, 0.0314, 0.0413, 0.0602, 0.0828, 0.103, 0.129, 0.219];
    private static readonly int[] RenParameters = [530, 1090, 1850, 3970, 6890, 10610, 17162, 41210];

    private static readonly double[] R2dnExpressivity = [0.151, 0.247, 0.414, 0.664, 1.55, 1.98, 2.66, 3.13];
    private static readonly double[] R2dnForward = [0.0074, 0.0072, 0.0075, 0.0076, 0.0077, 0.0081, 0.0092, 0.0093];
    private static readonly double[] R2dnBackward = [0.0176, 0.0177, 0.0193, 0.0197, 0.0205, 0.0215, 0.0235, 0.0242];
    private static readonly int[] R2dnParameters = [1423, 3887, 7759, 13039, 27823, 48239, 74287, 105967];

    /// <summary>The slopes (and standard errors) printed on the paper's figures: log(time) against log(expressivity),
    /// all raw points.</summary>
    public static (double Slope, double StandardError) PrintedSlope(string model, string pass) => (model, pass) switch
    {
        ("ren", "forward") => (0.63, 0.03),
        ("ren", "backward") => (0.61, 0.03),
        ("r2dn", "forward") => (0.073, 0.008),
        ("r2dn", "backward") => (0.098, 0.005),
        _ => throw new ArgumentException($"no paper slope for {model} {pass}"),
    };

    /// <summary>The paper's sizes for a model ("ren": nv; "r2dn": hidden width).</summary>
    public static int[] Sizes(string model) => model == "ren" ? RenSizes : R2dnWidths;

    /// <summary>The paper's mean expressivity 1/NRMSE(%) at a size, or null when the size is not one of the
    /// paper's.</summary>
    public static double? Expressivity(string model, int size) =>
        Lookup(model, size, RenExpressivity, R2dnExpressivity);

    /// <summary>The paper's figures, per size of <paramref name="model"/>: (parameters, expressivity, forward s,
    /// backward s).</summary>
    public static IReadOnlyList<(int Size, int Parameters, double Expressivity, double Forward,
                                 double Backward)> Points(string model)
    {
        bool ren = model == "ren";
        int[] sizes = ren ? RenSizes : R2dnWidths;
        return sizes.Select((s, i) => (s,
                                       ren ? RenParameters[i] : R2dnParameters[i],
                                       ren ? RenExpressivity[i] : R2dnExpressivity[i],
                                       ren ? RenForward[i] : R2dnForward[i],
                                       ren ? RenBackward[i] : R2dnBackward[i])).ToArray();
    }

    private static double? Lookup(string model, int size, double[] ren, double[] r2dn)
    {
        int i = Array.IndexOf(Sizes(model), size);
        return i < 0 ? null : (model == "ren" ? ren : r2dn)[i];
    }
}
