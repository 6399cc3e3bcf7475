using System.Text.Json;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Models;

/// <summary>A golden case written by test/reference/make_golden.py (PyTorch, float64).</summary>
internal sealed class Golden
{
    private readonly JsonElement _root;

    private Golden(JsonElement root) => _root = root;

    public static Golden Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "golden", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return new Golden(doc.RootElement.Clone());
    }

    public JsonElement Config => _root.GetProperty("config");

    public double Loss => _root.GetProperty("loss").GetDouble();

    public int ParameterCount => _root.GetProperty("parameter_count").GetInt32();

    public bool Has(string key) => _root.TryGetProperty(key, out _);

    public (int[] Shape, double[] Data) Tensor(string key) => ReadTensor(_root.GetProperty(key));

    public (int[] Shape, double[] Data) Tensor(string section, string key) =>
        ReadTensor(_root.GetProperty(section).GetProperty(key));

    public IEnumerable<string> Keys(string section) => _root.GetProperty(section).EnumerateObject().Select(p => p.Name);

    private static (int[], double[]) ReadTensor(JsonElement t) =>
        (t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
         t.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray());

    public R2dnOptions R2dnOptions() => new()
    {
        InputSize = Config.GetProperty("nu").GetInt32(),
        StateSize = Config.GetProperty("nx").GetInt32(),
        NonlinearWidth = Config.GetProperty("nv").GetInt32(),
        OutputSize = Config.GetProperty("ny").GetInt32(),
        HiddenSizes = Config.GetProperty("hidden").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        Activation = ParseActivation(),
        NetworkOutputLayer = ParseOutputLayer(),
        ContractionRate = Config.TryGetProperty("abar", out var abar) ? abar.GetDouble() : 1.0,
    };

    public string Model => _root.GetProperty("model").GetString()!;

    public double Gamma => Config.GetProperty("gamma").GetDouble();

    public RenOptions RenOptions() => new()
    {
        InputSize = Config.GetProperty("nu").GetInt32(),
        StateSize = Config.GetProperty("nx").GetInt32(),
        NonlinearWidth = Config.GetProperty("nv").GetInt32(),
        OutputSize = Config.GetProperty("ny").GetInt32(),
        Activation = ParseActivation(),
        ContractionRate = Config.GetProperty("abar").GetDouble(),
        D22Zero = Config.TryGetProperty("d22_zero", out var z) && z.GetBoolean(),
    };

    private Microsoft.ML.R2DN.Engine.LinearAlgebra.Matrix ConfigMatrix(string key)
    {
        var rows = Config.GetProperty(key).EnumerateArray().Select(r => r.EnumerateArray().Select(e =>
            e.GetDouble()).ToArray()).ToArray();
        return new Microsoft.ML.R2DN.Engine.LinearAlgebra.Matrix(rows.Length, rows[0].Length,
                                                                 rows.SelectMany(r => r).ToArray());
    }

    /// <summary>The REN variant the golden file describes, with fresh parameters.</summary>
    public Ren CreateRen() => Model switch
    {
        "contracting_ren" => new ContractingRen(RenOptions()),
        "lipschitz_ren" => new LipschitzRen(RenOptions(), Gamma),
        "general_ren" => new GeneralRen(RenOptions(), ConfigMatrix("Q"), ConfigMatrix("S"), ConfigMatrix("R")),
        _ => throw new InvalidOperationException($"Not a REN golden file: {Model}."),
    };

    /// <summary>The R2DN variant the golden file describes, with fresh parameters.</summary>
    public R2dn CreateR2dn() => Model switch
    {
        "r2dn" => new ContractingR2dn(R2dnOptions()),
        "lipschitz_r2dn" => new LipschitzR2dn(R2dnOptions(), Gamma),
        _ => throw new InvalidOperationException($"Not an R2DN golden file: {Model}."),
    };

    public LbdnOptions LbdnOptions() => new()
    {
        InputSize = Config.GetProperty("input_size").GetInt32(),
        OutputSize = Config.GetProperty("output_size").GetInt32(),
        HiddenSizes = Config.GetProperty("hidden").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        Gamma = Config.GetProperty("gamma").GetDouble(),
        Activation = ParseActivation(),
        OutputLayer = ParseOutputLayer(),
    };

    private Activation ParseActivation() => Config.GetProperty("activation").GetString() == "tanh"
        ? Activation.Tanh : Activation.ReLU;

    private LbdnOutputLayer ParseOutputLayer() =>
        Config.GetProperty("output_layer").GetString() == "linear" ? LbdnOutputLayer.Linear : LbdnOutputLayer.Nonlinear;

    /// <summary>Copies the golden parameters into a model's flat array by name, checking every shape.</summary>
    public void LoadParameters(ParameterLayout layout, double[] parameters)
    {
        var names = Keys("params").ToList();
        Assert.Equal(layout.Groups.Count, names.Count);
        foreach (var name in names)
        {
            var (shape, data) = Tensor("params", name);
            var g = layout[name];
            Assert.Equal(g.Length, data.Length);
            Assert.Equal(shape.Aggregate(1, (a, b) => a * b), g.Length);
            data.CopyTo(g.Slice(parameters));
        }
    }
}

internal static class AssertClose
{
    /// <summary>Asserts |a − e| ≤ atol + rtol·|e| element-wise, naming the first offender.</summary>
    public static void All(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol, double atol,
                           string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = atol + rtol * Math.Abs(expected[i]);
            if (!(Math.Abs(actual[i] - expected[i]) <= tol))
                Assert.Fail($"{label}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tol:G3}).");
        }
    }
}
