using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// Bad arguments throw argument exceptions that name the argument and say what is wrong; no bad input surfaces as a
/// NullReferenceException, IndexOutOfRangeException or other internal failure.
/// </summary>
public class ArgumentTests
{
    private static R2dnOptions Valid =>
        new() { InputSize = 2, StateSize = 3, NonlinearWidth = 4, OutputSize = 2, HiddenSizes = [5, 4] };

    private static LbdnOptions ValidLbdn => new() { InputSize = 3, OutputSize = 2, HiddenSizes = [4] };

    /// <summary>Asserts that <paramref name="action"/> throws an exception of exactly <typeparamref name="T"/> naming
    /// <paramref name="paramName"/>, whose message contains every fragment.</summary>
    private static T Throws<T>(Action action, string paramName, params string[] fragments) where T : ArgumentException
    {
        var ex = Assert.Throws<T>(action);
        Assert.Equal(paramName, ex.ParamName);
        foreach (var f in fragments) Assert.Contains(f, ex.Message, StringComparison.OrdinalIgnoreCase);
        return ex;
    }

    public static TheoryData<string, int> BadSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "InputSize", "StateSize", "NonlinearWidth", "OutputSize" })
            foreach (var value in new[] { 0, -1, int.MinValue })
                data.Add(name, value);
        return data;
    }

    private static R2dnOptions WithSize(string name, int value) => name switch
    {
        "InputSize" => Valid with { InputSize = value },
        "StateSize" => Valid with { StateSize = value },
        "NonlinearWidth" => Valid with { NonlinearWidth = value },
        _ => Valid with { OutputSize = value },
    };

    [Theory]
    [MemberData(nameof(BadSizes))]
    public void R2dnOptions_NonPositiveSize_ThrowsNamingTheOption(string name, int value)
    {
        var options = WithSize(name, value);
        var ex = Throws<ArgumentOutOfRangeException>(options.Validate, name);
        Assert.Equal(value, ex.ActualValue);
        Throws<ArgumentOutOfRangeException>(() => new ContractingR2dn(options), name);
        Throws<ArgumentOutOfRangeException>(() => ContractingR2dn.CreateLayout(options), name);
    }

    [Theory]
    [InlineData(new[] { -1 }, 0)]
    [InlineData(new[] { 5, 0 }, 1)]
    [InlineData(new[] { 5, 4, -7 }, 2)]
    public void HiddenWidth_NonPositive_ThrowsNamingHiddenSizesAndTheLayer(int[] hidden, int badLayer)
    {
        var ex = Throws<ArgumentOutOfRangeException>(() => new ContractingR2dn(Valid with { HiddenSizes = hidden }),
                                                     "HiddenSizes", $"layer {badLayer}");
        Assert.Equal(hidden[badLayer], ex.ActualValue);
        Throws<ArgumentOutOfRangeException>(() => new Lbdn(ValidLbdn with { HiddenSizes = hidden }), "HiddenSizes",
                                            $"layer {badLayer}");
    }

    [Fact]
    public void NullArguments_ThrowArgumentNull()
    {
        Throws<ArgumentNullException>(() => new ContractingR2dn(null!), "options");
        Throws<ArgumentNullException>(() => ContractingR2dn.CreateLayout(null!), "options");
        Throws<ArgumentNullException>(() => new Lbdn(null!), "options");
        Throws<ArgumentNullException>(() => new ContractingR2dn(Valid with { HiddenSizes = null! }), "HiddenSizes");
        Throws<ArgumentNullException>(() => new Lbdn(ValidLbdn with { HiddenSizes = null! }), "HiddenSizes");
        var model = new ContractingR2dn(Valid);
        Throws<ArgumentNullException>(() => model.LossAndGradient(new float[3], new float[2], new float[2], 1, 1, null!,
                                                                  new double[model.ParameterCount], new float[3]),
                                                                      "loss");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ContractionRate_OutsideZeroOne_ThrowsNamingIt(double rate)
    {
        var ex = Throws<ArgumentOutOfRangeException>(() => new ContractingR2dn(Valid with { ContractionRate = rate }),
                                                     "ContractionRate", "(0, 1]");
        Assert.Equal(rate, (double)ex.ActualValue!);
    }

    [Fact]
    public void UndefinedEnumValues_ThrowNamingTheOption()
    {
        Throws<ArgumentOutOfRangeException>(() => new ContractingR2dn(Valid with { Activation = (Activation)17 }),
                                            "Activation");
        Throws<ArgumentOutOfRangeException>(
            () => new ContractingR2dn(Valid with { Initialization = (Initialization)(-1) }), "Initialization");
        Throws<ArgumentOutOfRangeException>(
            () => new ContractingR2dn(Valid with { NetworkOutputLayer = (LbdnOutputLayer)5 }), "NetworkOutputLayer");
        Throws<ArgumentOutOfRangeException>(() => new Lbdn(ValidLbdn with { Activation = (Activation)9 }),
                                            "Activation");
        Throws<ArgumentOutOfRangeException>(() => new Lbdn(ValidLbdn with { OutputLayer = (LbdnOutputLayer)9 }),
                                            "OutputLayer");
    }

    [Fact]
    public void LinearOutputLayer_WithoutHiddenLayers_IsRejected()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ContractingR2dn(Valid with
        {
            HiddenSizes = [],
            NetworkOutputLayer = LbdnOutputLayer.Linear
        }));
        Assert.Contains("hidden layer", ex.Message, StringComparison.OrdinalIgnoreCase);
        Throws<ArgumentOutOfRangeException>(() => new Lbdn(ValidLbdn with
        {
            HiddenSizes = [],
            OutputLayer = LbdnOutputLayer.Linear
        }),
                                                                               "HiddenSizes", "hidden layer");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(-1e-300)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void LbdnGamma_NotPositiveAndFinite_ThrowsNamingGamma(double gamma)
    {
        var ex = Throws<ArgumentOutOfRangeException>(() => new Lbdn(ValidLbdn with { Gamma = gamma }), "Gamma",
                                                     "gamma");
        Assert.Equal(gamma, (double)ex.ActualValue!);
    }

    [Theory]
    [InlineData(0, 1, "InputSize")]
    [InlineData(-2, 1, "InputSize")]
    [InlineData(3, 0, "OutputSize")]
    public void LbdnSizes_NonPositive_ThrowNamingTheOption(int input, int output, string name) =>
        Throws<ArgumentOutOfRangeException>(() => new Lbdn(new LbdnOptions { InputSize = input, OutputSize = output }),
                                            name);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Threads_BelowOne_ThrowsNamingThreads(int threads)
    {
        var model = new ContractingR2dn(Valid);
        int before = model.Threads;
        var ex = Throws<ArgumentOutOfRangeException>(() => model.Threads = threads, "Threads", "at least 1");
        Assert.Equal(threads, ex.ActualValue);
        Assert.Equal(before, model.Threads);
        model.Threads = 1;
        Assert.Equal(1, model.Threads);
    }

    // ---- Simulate / LossAndGradient: nu = 2, nx = 3, ny = 2, T = 4, B = 3 ----

    private const int T = 4, B = 3;

    private static float[] Inputs() => Enumerable.Range(0, T * B * 2).Select(i => 0.1f * (i % 7) - 0.3f).ToArray();

    [Fact]
    public void Simulate_WithValidArguments_Runs()
    {
        // The baseline that every case below departs from by one argument.
        var model = new ContractingR2dn(Valid);
        var y = new float[T * B * 2];
        model.Simulate(new float[B * 3], Inputs(), T, B, y, new float[B * 3]);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(y, v => v != 0);
    }

    [Theory]
    [InlineData("initialState", B * 3 - 1)]
    [InlineData("initialState", B * 3 + 1)]
    [InlineData("initialState", 0)]
    [InlineData("inputs", T * B * 2 - 1)]
    [InlineData("inputs", T * B * 2 + 2)]
    [InlineData("outputs", T * B * 2 - 1)]
    [InlineData("outputs", T * B * 2 + 1)]
    [InlineData("finalState", B * 3 - 1)]
    [InlineData("finalState", 0)]
    public void Simulate_WrongLength_ThrowsNamingTheArgument(string argument, int length)
    {
        var model = new ContractingR2dn(Valid);
        int expected = argument switch { "initialState" or "finalState" => B * 3, _ => T * B * 2 };
        var x0 = new float[argument == "initialState" ? length : B * 3];
        var u = argument == "inputs" ? new float[length] : Inputs();
        var y = new float[argument == "outputs" ? length : T * B * 2];
        var xT = new float[argument == "finalState" ? length : B * 3];
        Throws<ArgumentException>(() => model.Simulate(x0, u, T, B, y, xT), argument, $"expected {expected}",
                                  $"got {length}");
    }

    [Theory]
    [InlineData(0, B, "timeSteps")]
    [InlineData(-1, B, "timeSteps")]
    [InlineData(T, 0, "batch")]
    [InlineData(T, -5, "batch")]
    public void Simulate_NonPositiveTimeStepsOrBatch_ThrowsNamingIt(int timeSteps, int batch, string name)
    {
        var model = new ContractingR2dn(Valid);
        var ex = Throws<ArgumentOutOfRangeException>(() => model.Simulate(new float[B * 3], Inputs(), timeSteps, batch,
                                                                          new float[T * B * 2], new float[B * 3]),
                                                                              name);
        Assert.Equal(name == "timeSteps" ? timeSteps : batch, ex.ActualValue);
        Throws<ArgumentOutOfRangeException>(() => model.LossAndGradient(new float[B * 3], Inputs(),
                                                                        new float[T * B * 2], timeSteps, batch,
            new SumSquaredErrorMeanOverTime(), new double[model.ParameterCount], new float[B * 3]), name);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Simulate_NonFiniteInput_NamesRowAndColumn(float bad)
    {
        var model = new ContractingR2dn(Valid);
        var u = Inputs();
        // Time step 2, sequence 1, channel 1: row t·B + b = 7, column 1.
        u[(2 * B + 1) * 2 + 1] = bad;
        Throws<ArgumentException>(() =>
                                  model.Simulate(new float[B * 3], u, T, B, new float[T * B * 2], new float[B * 3]),
            "inputs", "row 7", "column 1", "not finite");
        var x0 = new float[B * 3];
        x0[2 * 3 + 0] = bad;
        Throws<ArgumentException>(() => model.Simulate(x0, Inputs(), T, B, new float[T * B * 2], new float[B * 3]),
            "initialState", "row 2", "column 0", "not finite");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Simulate_NonFiniteParameter_ThrowsNamingParametersAndIndex(double bad)
    {
        var model = new ContractingR2dn(Valid);
        var y = new float[T * B * 2];
        // compiles and caches the good parameters
        model.Simulate(new float[B * 3], Inputs(), T, B, y, new float[B * 3]);
        int index = model.Layout["C2"].Offset + 3;
        model.Parameters[index] = bad;
        // The cached compilation must not hide the change.
        Throws<ArgumentException>(() => model.Simulate(new float[B * 3], Inputs(), T, B, y, new float[B * 3]),
                                  "Parameters", $"index {index}", "not finite");
        Throws<ArgumentException>(() => model.LossAndGradient(new float[B * 3], Inputs(), new float[T * B * 2], T, B,
            new SumSquaredErrorMeanOverTime(), new double[model.ParameterCount], new float[B * 3]), "Parameters",
                $"index {index}");
    }

    [Theory]
    [InlineData("targets")]
    [InlineData("gradient")]
    [InlineData("finalState")]
    public void LossAndGradient_WrongLength_ThrowsNamingTheArgument(string argument)
    {
        var model = new ContractingR2dn(Valid);
        var targets = new float[argument == "targets" ? T * B * 2 - 1 : T * B * 2];
        var gradient = new double[argument == "gradient" ? model.ParameterCount + 1 : model.ParameterCount];
        var xT = new float[argument == "finalState" ? 1 : B * 3];
        Throws<ArgumentException>(() => model.LossAndGradient(new float[B * 3], Inputs(), targets, T, B,
                                                              new SumSquaredErrorMeanOverTime(), gradient, xT),
            argument, "expected");
    }

    [Fact]
    public void LbdnEvaluate_BadArguments_ThrowNamingThem()
    {
        var net = new Lbdn(ValidLbdn);
        var ok = new double[2 * 3];
        net.Evaluate(ok, 2, new double[2 * 2]);
        Throws<ArgumentOutOfRangeException>(() => net.Evaluate(ok, 0, new double[0]), "batch");
        Throws<ArgumentOutOfRangeException>(() => net.Evaluate(ok, -1, new double[4]), "batch");
        Throws<ArgumentException>(() => net.Evaluate(new double[5], 2, new double[4]), "inputs", "expected 6", "got 5");
        Throws<ArgumentException>(() => net.Evaluate(ok, 2, new double[3]), "outputs", "expected 4", "got 3");
        var bad = new double[6];
        bad[4] = double.NaN;
        Throws<ArgumentException>(() => net.Evaluate(bad, 2, new double[4]), "inputs", "index 4", "not finite");
    }

    [Fact]
    public void NoBadInput_SurfacesAsAnInternalException()
    {
        // A sweep of every bad input above (and a few combinations): each must be an ArgumentException (or subclass),
        // never a NullReferenceException, IndexOutOfRangeException, InvalidOperationException or OverflowException.
        var model = new ContractingR2dn(Valid);
        var cases = new List<Action>
        {
            () => model.Simulate(default, default, T, B, default, default),
            () => model.Simulate(new float[B * 3], Inputs(), T, B, default, new float[B * 3]),
            () => model.Simulate(new float[B * 3], Inputs(), int.MaxValue, B, new float[T * B * 2], new float[B * 3]),
            () => model.Simulate(new float[B * 3], Inputs(), T, int.MaxValue, new float[T * B * 2], new float[B * 3]),
            () => model.Simulate(new float[B * 3], Inputs(), int.MaxValue, int.MaxValue, new float[T * B * 2],
                                 new float[B * 3]),
            () => model.Simulate(new float[B * 3], Inputs(), int.MinValue, 1, new float[T * B * 2], new float[B * 3]),
            () => model.LossAndGradient(new float[B * 3], Inputs(), default, T, B, new SumSquaredErrorMeanOverTime(),
                                        new double[model.ParameterCount], new float[B * 3]),
            () => model.LossAndGradient(new float[B * 3], Inputs(), new float[T * B * 2], T, B,
                                        new SumSquaredErrorMeanOverTime(), default, new float[B * 3]),
            () => new ContractingR2dn(Valid with { HiddenSizes = [int.MinValue] }),
            () => new ContractingR2dn(Valid with { StateSize = int.MaxValue }),
            () => new Lbdn(ValidLbdn with { HiddenSizes = [int.MaxValue] }),
            () => new Lbdn(ValidLbdn with { Gamma = double.Epsilon * -1 }),
            () => new Lbdn(ValidLbdn).Evaluate(default, 1, default),
        };
        for (int i = 0; i < cases.Count; i++)
        {
            var ex = Record.Exception(cases[i]);
            Assert.True(ex is ArgumentException,
                        $"case {i}: {(ex is null ? "no exception" : ex.GetType().Name + ": " + ex.Message)}");
            Assert.False(string.IsNullOrWhiteSpace(ex!.Message));
        }
        // The model still works after all that.
        var y = new float[T * B * 2];
        model.Simulate(new float[B * 3], Inputs(), T, B, y, new float[B * 3]);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
    }

    // ---- Engine bugs found by this suite (these fail until src is fixed) ----

    [Theory]
    [InlineData(23_171)]   // (2·nx)² = 2,147,580,964 > int.MaxValue: X alone overflows the int element count
    [InlineData(25_000)]
    [InlineData(40_000)]
    public void OversizedModel_IsRejectedAsAnArgument_NotACorruptLayout(int stateSize)
    {
        // ParameterGroup.Length and ParameterLayout.Count are unchecked int products/sums: CreateLayout(nx = 25000)
        // returns a layout with X.Length = −1,794,967,296 and a negative Count instead of throwing (likewise for
        // every nx ≥ 23171), and the constructor then fails with a bare OverflowException ("Arithmetic operation
        // resulted in an overflow.") from the array allocation, naming nothing.
        var options = Valid with { StateSize = stateSize, HiddenSizes = [] };
        ParameterLayout? layout = null;
        var layoutError = Record.Exception(() => layout = ContractingR2dn.CreateLayout(options));
        Assert.True(layoutError is ArgumentException,
            layout is null
                ? $"got {layoutError?.GetType().Name}"
                : $"CreateLayout returned a layout with Count = {layout.Count}, X.Length = {layout["X"].Length}");
        var ex = Record.Exception(() => new ContractingR2dn(options));
        Assert.True(ex is ArgumentException, $"constructor: got {ex?.GetType().Name}: {ex?.Message}");
    }

    [Fact]
    public void LbdnEvaluate_NonFiniteParameter_ThrowsNamingParameters()
    {
        // RecurrentModel.Simulate rejects non-finite parameters with ArgumentException(ParamName "Parameters");
        // Lbdn.Evaluate does not check them and fails inside the Cayley LU with InvalidOperationException "The matrix
        // is singular (pivot 0 is zero or not finite)", which points at the wrong cause.
        var net = new Lbdn(ValidLbdn);
        net.Parameters[net.Layout["layers_0/XY"].Offset] = double.NaN;
        var ex = Record.Exception(() => net.Evaluate(new double[3], 1, new double[2]));
        Assert.True(ex is ArgumentException { ParamName: "Parameters" }, $"got {ex?.GetType().Name}: {ex?.Message}");
    }
}
