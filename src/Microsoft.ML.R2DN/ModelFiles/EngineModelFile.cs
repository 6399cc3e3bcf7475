using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.LinearAlgebra;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>
/// Serialises the engine's recurrent models (<see cref="ContractingR2dn"/>, <see cref="LipschitzR2dn"/>,
/// <see cref="ContractingRen"/>, <see cref="LipschitzRen"/>, <see cref="GeneralRen"/>) as a JSON description plus one
/// array per parameter group, and rebuilds them, re-verifying the certificate.
/// </summary>
/// <remarks>
/// <para>The description (stored in the manifest entry of the transformer that holds the model):</para>
/// <code>
/// { "kind": "LipschitzR2dn",                       // or ContractingR2dn, ContractingRen, LipschitzRen, GeneralRen
///   "options": { "inputSize": 2, "stateSize": 8, ... every R2dnOptions / RenOptions property ... },
///   "gamma": 2.5,                                  // Lipschitz kinds
///   "Q": [[..]], "S": [[..]], "R": [[..]],         // GeneralRen, row-major nested arrays
///   "parameterCount": 1234,
///   "certificate": { "property", "model", "statement", "verified", "maxEigenvalue", "scale", "relativeResidual",
///   "relativeTolerance" } }
/// </code>
/// <para>
/// The arrays are the groups of <see cref="RecurrentModel.Layout"/>, named as in MODELS.md (<c>X</c>, <c>p</c>,
/// <c>network/layers_0/XY</c>, ...), each with its shape. Loading builds a model of the same kind and options,
/// requires exactly the groups of its layout with exactly their shapes and finite values, and copies them in; then it
/// recomputes the certificate from the loaded parameters. The stored certificate is informative only.
/// </para>
/// </remarks>
internal static class EngineModelFile
{
    // How each kind is read back, by the name written in "kind": the model's type name. The layout the options imply
    // comes first, the model (and its parameter vector) only after every array has been checked against it.
    private delegate (ParameterLayout Layout, Func<RecurrentModel> Build) Reader(JsonObject description,
                                                                                 JsonObject options, int arrayCount);

    private static readonly Dictionary<string, Reader> Readers = new(StringComparer.Ordinal)
    {
        [nameof(ContractingR2dn)] = (d, o, n) =>
        {
            var r = ReadR2dnOptions(o, n);
            return (ContractingR2dn.CreateLayout(r), () => new ContractingR2dn(r));
        },
        [nameof(LipschitzR2dn)] = (d, o, n) =>
        {
            var (r, gamma) = (ReadR2dnOptions(o, n), ReadGamma(d));
            return (LipschitzR2dn.CreateLayout(r), () => new LipschitzR2dn(r, gamma));
        },
        [nameof(ContractingRen)] = (d, o, n) =>
        {
            var r = ReadRenOptions(o);
            return (Ren.CreateLayout(r), () => new ContractingRen(r));
        },
        [nameof(LipschitzRen)] = (d, o, n) =>
        {
            var (r, gamma) = (ReadRenOptions(o), ReadGamma(d));
            return (Ren.CreateLayout(r), () => new LipschitzRen(r, gamma));
        },
        [nameof(GeneralRen)] = (d, o, n) =>
        {
            var r = ReadRenOptions(o);
            var (q, sm, rm) = (ReadMatrix(d, "Q"), ReadMatrix(d, "S"), ReadMatrix(d, "R"));
            return (Ren.CreateLayout(r), () => new GeneralRen(r, q, sm, rm));
        },
    };

    private const string CertificateNotVerified = "The model's certificate does not verify after loading: ";

    /// <summary>The JSON description of a model: kind, options, supply rate, parameter count and certificate.</summary>
    /// <exception cref="ArgumentException">The model is of a type this file format does not know, or a parameter is not
    /// finite.</exception>
    public static JsonObject Describe(RecurrentModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string kind = KindOf(model);
        foreach (var g in model.Layout.Groups)
        {
            var values = g.Slice(model.Parameters);
            for (int i = 0; i < values.Length; i++)
                if (!double.IsFinite(values[i]))
                    throw new ArgumentException($"The model cannot be saved: parameter '{g.Name}' has a non-finite " +
                                                $"value ({values[i]}) at index {i}.", nameof(model));
        }

        var d = new JsonObject
        {
            ["kind"] = kind,
            ["options"] = model switch
            {
                R2dn r2dn => DescribeOptions(r2dn.Options),
                Ren ren => DescribeOptions(ren.Options),
                _ => throw new ArgumentException($"A {model.GetType().Name} cannot be saved.", nameof(model)),
            },
        };
        switch (model)
        {
            case LipschitzR2dn l: d["gamma"] = l.Gamma; break;
            case LipschitzRen l: d["gamma"] = l.Gamma; break;
            case GeneralRen g: d["Q"] = ToJson(g.Q); d["S"] = ToJson(g.S); d["R"] = ToJson(g.R); break;
        }
        d["parameterCount"] = model.ParameterCount;
        var c = model.Certify();
        d["certificate"] = new JsonObject
        {
            ["property"] = c.Property.ToString(),
            ["model"] = c.Model,
            ["statement"] = c.Statement,
            ["verified"] = c.IsVerified,
            ["maxEigenvalue"] = ManifestValues.FromDouble(c.MaxEigenvalue),
            ["scale"] = ManifestValues.FromDouble(c.Scale),
            ["relativeResidual"] = ManifestValues.FromDouble(c.RelativeResidual),
            ["relativeTolerance"] = ManifestValues.FromDouble(c.RelativeTolerance),
        };
        return d;
    }

    /// <summary>Every parameter group of the model in layout order, with its shape and a copy of its values.</summary>
    public static IReadOnlyList<(string Name, int[] Shape, double[] Data)> GetArrays(RecurrentModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Layout.Groups.Select(g => (g.Name, (int[])g.Shape.Clone(),
                                                g.Slice(model.Parameters).ToArray())).ToList();
    }

    /// <summary>Rebuilds a model from its description and arrays, and verifies its certificate.</summary>
    /// <exception cref="FormatException">The description or the arrays are damaged, or the certificate does not
    /// verify.</exception>
    public static RecurrentModel Create(JsonObject description, IReadOnlyDictionary<string,
                                        (int[] Shape, double[] Data)> arrays) =>
        Create(description, arrays, out _);

    /// <summary>Rebuilds a model from its description and arrays, and verifies its certificate.</summary>
    /// <param name="description">What <see cref="Describe"/> wrote.</param>
    /// <param name="arrays">Every parameter group by name (exactly the groups of the model's layout).</param>
    /// <param name="certificate">The certificate recomputed from the loaded parameters (verified).</param>
    /// <exception cref="FormatException">
    /// The kind is unknown; an option, gamma or (Q, S, R) is missing, of the wrong type or invalid; the parameter
    /// count,
    /// a group's name or shape does not match the options; a value is not finite; or the recomputed certificate does
    /// not verify ("The model's certificate does not verify after loading: ...").
    /// </exception>
    public static RecurrentModel Create(JsonObject description, IReadOnlyDictionary<string,
                                        (int[] Shape, double[] Data)> arrays,
                                        out Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(arrays);
        if (!ManifestValues.TryGetString(description["kind"], out string kind))
            throw ModelFileErrors.Damaged("the model description has no 'kind'.");
        if (!Readers.TryGetValue(kind, out var reader))
            throw ModelFileErrors.Damaged($"unknown model kind '{kind}' (expected one of " +
                                          $"{string.Join(", ", Readers.Keys)}); the file may come from a newer " +
                                          "version of Microsoft.ML.R2DN.");
        var options = description["options"] as JsonObject
                      ?? throw ModelFileErrors.Damaged("the model description has no 'options' object.");
        // Everything is checked against the layout the options imply before the model (and its parameter vector) is
        // allocated, so absurd sizes in a small file cannot make the reader allocate gigabytes.
        Func<RecurrentModel> build;
        ParameterLayout layout;
        try
        {
            (layout, build) = reader(description, options, arrays.Count);
        }
        catch (ArgumentException e)
        {
            throw ModelFileErrors.Damaged($"the model options are invalid: {e.Message}", e);
        }

        if (!ManifestValues.TryGetInt64(description["parameterCount"], out long parameterCount))
            throw ModelFileErrors.Damaged("'parameterCount' is missing or not an integer.");
        if (parameterCount != layout.Count)
            throw ModelFileErrors.Damaged($"'parameterCount' is {parameterCount}, but a {kind} with these options " +
                                          $"has {layout.Count} parameters.");
        CheckArrays(layout, arrays, kind);

        RecurrentModel model;
        try { model = build(); }
        catch (ArgumentException e)
        {
            throw ModelFileErrors.Damaged($"the model cannot be built from its " +
                                                                    $"description: {e.Message}", e);
        }
        foreach (var g in model.Layout.Groups) arrays[g.Name].Data.CopyTo(g.Slice(model.Parameters));

        try { certificate = model.Certify(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
        {
            throw new FormatException($"{CertificateNotVerified}it cannot be computed from the loaded parameters (" +
                                      $"{e.Message}).", e);
        }
        if (!certificate.IsVerified) throw new FormatException($"{CertificateNotVerified}{certificate}.");
        return model;
    }

    private static string KindOf(RecurrentModel model) =>
        Readers.ContainsKey(model.GetType().Name) && model.GetType().Assembly == typeof(RecurrentModel).Assembly
            ? model.GetType().Name
            : throw new ArgumentException(
                $"A {model.GetType().Name} cannot be saved: only the engine's R2DN and REN models can.", nameof(model));

    private static void CheckArrays(ParameterLayout layout, IReadOnlyDictionary<string,
                                    (int[] Shape, double[] Data)> arrays, string kind)
    {
        foreach (var g in layout.Groups)
        {
            if (!arrays.TryGetValue(g.Name, out var a))
                throw ModelFileErrors.Damaged($"parameter '{g.Name}' is missing.");
            if (a.Shape is null || a.Data is null)
                throw ModelFileErrors.Damaged($"parameter '{g.Name}' has no shape or no values.");
            if (!a.Shape.AsSpan().SequenceEqual(g.Shape))
                throw ModelFileErrors.Damaged($"parameter '{g.Name}' has shape {NpyFormat.FormatShape(a.Shape)}, " +
                                              $"but a {kind} with these options needs " +
                                              $"{NpyFormat.FormatShape(g.Shape)}.");
            if (a.Data.Length != g.Length)
                throw ModelFileErrors.Damaged($"parameter '{g.Name}' has {a.Data.Length} values for shape " +
                                              $"{NpyFormat.FormatShape(g.Shape)}.");
            for (int i = 0; i < a.Data.Length; i++)
                if (!double.IsFinite(a.Data[i]))
                    throw ModelFileErrors.Damaged($"parameter '{g.Name}' has a non-finite value ({a.Data[i]}) at " +
                                                  $"index {i}.");
        }
        foreach (var name in arrays.Keys.Order(StringComparer.Ordinal))
            if (!layout.Contains(name))
                throw ModelFileErrors.Damaged($"unexpected parameter '{name}': a {kind} with these options has no " +
                                              $"such group.");
    }

    // ---- options ----

    private static JsonObject DescribeOptions(R2dnOptions o) => new()
    {
        ["inputSize"] = o.InputSize,
        ["stateSize"] = o.StateSize,
        ["features"] = o.NonlinearWidth,
        ["outputSize"] = o.OutputSize,
        ["hiddenSizes"] = new JsonArray(o.HiddenSizes.Select(h => (JsonNode?)JsonValue.Create(h)).ToArray()),
        ["activation"] = o.Activation.ToString(),
        ["initialization"] = o.Initialization.ToString(),
        ["networkOutputLayer"] = o.NetworkOutputLayer.ToString(),
        ["contractionRate"] = o.ContractionRate,
        ["identityOutput"] = o.IdentityOutput,
    };

    private static JsonObject DescribeOptions(RenOptions o) => new()
    {
        ["inputSize"] = o.InputSize,
        ["stateSize"] = o.StateSize,
        ["features"] = o.NonlinearWidth,
        ["outputSize"] = o.OutputSize,
        ["activation"] = o.Activation.ToString(),
        ["initialization"] = o.Initialization.ToString(),
        ["contractionRate"] = o.ContractionRate,
        ["d22Zero"] = o.D22Zero,
        ["identityOutput"] = o.IdentityOutput,
    };

    private static R2dnOptions ReadR2dnOptions(JsonObject o, int arrayCount)
    {
        CheckKeys(o, "inputSize", "stateSize", "features", "outputSize", "hiddenSizes", "activation", "initialization",
                  "networkOutputLayer", "contractionRate", "identityOutput");
        if (o["hiddenSizes"] is not JsonArray hidden) throw OptionError("hiddenSizes", "an array of integers");
        // Each Sandwich layer has four groups; a longer list than the file has arrays cannot match, so stop before
        // building it.
        if (hidden.Count >= arrayCount)
            throw ModelFileErrors.Damaged($"'options.hiddenSizes' lists {hidden.Count} layers, more than the file " +
                                          $"has parameters for.");
        var hiddenSizes = new int[hidden.Count];
        for (int i = 0; i < hiddenSizes.Length; i++)
            if (!ManifestValues.TryGetInt32(hidden[i], out hiddenSizes[i]))
                throw OptionError("hiddenSizes", "an array of integers");
        return new R2dnOptions
        {
            InputSize = Int(o, "inputSize"),
            StateSize = Int(o, "stateSize"),
            NonlinearWidth = Int(o, "features"),
            OutputSize = Int(o, "outputSize"),
            HiddenSizes = hiddenSizes,
            Activation = Enum<Activation>(o, "activation"),
            Initialization = Enum<Initialization>(o, "initialization"),
            NetworkOutputLayer = Enum<LbdnOutputLayer>(o, "networkOutputLayer"),
            ContractionRate = Double(o, "contractionRate"),
            IdentityOutput = Bool(o, "identityOutput"),
        };
    }

    private static RenOptions ReadRenOptions(JsonObject o)
    {
        CheckKeys(o, "inputSize", "stateSize", "features", "outputSize", "activation", "initialization",
                  "contractionRate",
                  "d22Zero", "identityOutput");
        return new RenOptions
        {
            InputSize = Int(o, "inputSize"),
            StateSize = Int(o, "stateSize"),
            NonlinearWidth = Int(o, "features"),
            OutputSize = Int(o, "outputSize"),
            Activation = Enum<Activation>(o, "activation"),
            Initialization = Enum<Initialization>(o, "initialization"),
            ContractionRate = Double(o, "contractionRate"),
            D22Zero = Bool(o, "d22Zero"),
            IdentityOutput = Bool(o, "identityOutput"),
        };
    }

    // Every option is required and no other is accepted: an option this version does not know could change what the
    // model computes, so ignoring it would load a different model.
    private static void CheckKeys(JsonObject o, params string[] expected)
    {
        foreach (var (key, _) in o)
            if (!expected.Contains(key))
                throw ModelFileErrors.Damaged($"unknown option 'options.{key}'; the file may come from a newer " +
                                              $"version of Microsoft.ML.R2DN.");
        foreach (var key in expected)
            if (!o.ContainsKey(key)) throw ModelFileErrors.Damaged($"the option 'options.{key}' is missing.");
    }

    private static int Int(JsonObject o, string key) =>
        ManifestValues.TryGetInt32(o[key], out int v) ? v : throw OptionError(key, "an integer");

    private static double Double(JsonObject o, string key) =>
        ManifestValues.TryGetDouble(o[key], out double v) ? v : throw OptionError(key, "a number");

    private static bool Bool(JsonObject o, string key) =>
        ManifestValues.TryGetBoolean(o[key], out bool v) ? v : throw OptionError(key, "true or false");

    private static T Enum<T>(JsonObject o, string key) where T : struct, Enum
    {
        // Names only, compared exactly: Enum.TryParse would also accept numbers and other casings.
        if (ManifestValues.TryGetString(o[key], out string s)
            && System.Enum.GetNames<T>().Contains(s, StringComparer.Ordinal))
            return System.Enum.Parse<T>(s);
        throw OptionError(key, $"one of {string.Join(", ", System.Enum.GetNames<T>())}");
    }

    private static FormatException OptionError(string key, string expected) =>
        ModelFileErrors.Damaged($"the option 'options.{key}' must be {expected}.");

    private static double ReadGamma(JsonObject description)
    {
        if (!ManifestValues.TryGetDouble(description["gamma"], out double gamma) || !double.IsFinite(gamma)
            || !(gamma > 0))
            throw ModelFileErrors.Damaged("'gamma' must be a finite number greater than 0.");
        return gamma;
    }

    private static JsonArray ToJson(Matrix m)
    {
        var rows = new JsonArray();
        for (int i = 0; i < m.Rows; i++)
        {
            var row = new JsonArray();
            for (int j = 0; j < m.Columns; j++) row.Add(m[i, j]);
            rows.Add(row);
        }
        return rows;
    }

    private static Matrix ReadMatrix(JsonObject description, string key)
    {
        if (description[key] is not JsonArray rows || rows.Count == 0 || rows[0] is not JsonArray first
            || first.Count == 0)
            throw ModelFileErrors.Damaged($"'{key}' must be a non-empty array of rows of numbers.");
        int columns = first.Count;
        var data = new double[checked(rows.Count * columns)];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i] is not JsonArray row || row.Count != columns)
                throw ModelFileErrors.Damaged($"'{key}' must be a rectangular array: row {i} does not have {columns} " +
                                              $"numbers.");
            for (int j = 0; j < columns; j++)
                if (!ManifestValues.TryGetDouble(row[j], out data[i * columns + j])
                    || !double.IsFinite(data[i * columns + j]))
                    throw ModelFileErrors.Damaged($"'{key}'[{i}][{j}] must be a finite number.");
        }
        return new Matrix(rows.Count, columns, data);
    }
}
