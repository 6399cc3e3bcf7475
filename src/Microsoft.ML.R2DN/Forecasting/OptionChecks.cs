namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The argument checks of the forecasting and simulation options, each naming the property and its
/// range.</summary>
internal static class OptionChecks
{
    public static void ColumnName(string? name, string property)
    {
        if (string.IsNullOrEmpty(name))
            throw new ArgumentException($"{property} must name a column (not null or empty).", property);
    }

    public static void ColumnNames(string[]? names, string property)
    {
        if (names is null) return;
        for (int i = 0; i < names.Length; i++)
            if (string.IsNullOrEmpty(names[i]))
                throw new ArgumentException($"{property}[{i}] must name a column (not null or empty).", property);
    }

    public static void Distinct(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
            if (!seen.Add(n))
                throw new ArgumentException($"{what} must be different, but '{n}' is named twice.");
    }

    public static void ConfidenceLevel(float level, string property)
    {
        if (!(level > 0 && level < 1))
            throw new ArgumentOutOfRangeException(property, level, "The confidence level must be in (0, 1).");
    }

    public static void AtLeast(int value, int minimum, string property)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(property, value, $"{property} must be at least {minimum}.");
    }

    public static void Range(int value, int minimum, int maximum, string property)
    {
        if (value < minimum || value > maximum)
            throw new ArgumentOutOfRangeException(property, value, $"{property} must be in [{minimum}, {maximum}].");
    }

    public static void Positive(double value, string property)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(property, value, $"{property} must be finite and greater than 0.");
    }

    public static void Defined<T>(T value, string property) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(property, value, $"{value} is not a valid {typeof(T).Name}.");
    }

    public static void Model(Robustness? robustness, double gamma, int? stateSize, int? nonlinearWidth,
                             Activation activation,
                             Initialization initialization, double contractionRate)
    {
        if (robustness is { } r) Defined(r, "Robustness");
        Positive(gamma, "Gamma");
        if (stateSize is int nx) AtLeast(nx, 1, "StateSize");
        if (nonlinearWidth is int nv) AtLeast(nv, 1, "NonlinearWidth");
        Defined(activation, "Activation");
        Defined(initialization, "Initialization");
        if (!(contractionRate > 0 && contractionRate <= 1))
            throw new ArgumentOutOfRangeException("ContractionRate", contractionRate,
                                                  "ContractionRate must be in (0, 1].");
    }

    public static void HiddenSizes(int[]? sizes)
    {
        if (sizes is null) return;
        for (int i = 0; i < sizes.Length; i++)
            if (sizes[i] < 1)
                throw new ArgumentOutOfRangeException("HiddenSizes", sizes[i], $"HiddenSizes[{i}] must be at least 1.");
    }

    /// <summary>The model specification, with the sizes left null chosen from the amount of training data.</summary>
    public static ModelSpec Spec(ModelKind kind, Robustness robustness, double gamma, int? stateSize,
                                 int? nonlinearWidth, int[]? hiddenSizes,
                                 Activation activation, Initialization initialization, double contractionRate,
                                     long trainingRows)
    {
        bool small = trainingRows < Defaults.Model.SmallDataRows;
        int size = small ? 16 : 32;
        return new ModelSpec
        {
            Kind = kind,
            Robustness = robustness,
            Gamma = gamma,
            StateSize = stateSize ?? size,
            NonlinearWidth = nonlinearWidth ?? size,
            HiddenSizes = hiddenSizes ?? (small ? [32, 32] : [64, 64]),
            Activation = activation,
            Initialization = initialization,
            ContractionRate = contractionRate,
        };
    }

    /// <summary>"R2DN" or "REN".</summary>
    public static string KindName(ModelKind kind) => kind == ModelKind.R2dn ? "R2DN" : "REN";

    /// <summary>A short description of a model for log messages, e.g. "contracting R2DN (nx 16, nv 16, hidden [32,
    /// 32])".</summary>
    public static string Describe(ModelSpec spec) =>
        (spec.Robustness == Robustness.Lipschitz
            ? $"{spec.Gamma.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}-Lipschitz "
            : "contracting ") +
        $"{(spec.Kind == ModelKind.R2dn ? "R2DN" : "REN")} (nx {spec.StateSize}, nv {spec.NonlinearWidth}" +
        (spec.Kind == ModelKind.R2dn ? $", hidden [{string.Join(", ", spec.HiddenSizes)}])" : ")");

    /// <summary>The double nearest to the decimal a <see cref="float"/> prints as (0.95f → 0.95, not
    /// 0.9499999881).</summary>
    public static double ToDouble(float value) =>
        double.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                     System.Globalization.CultureInfo.InvariantCulture);
}
