using Microsoft.ML.R2DN.Engine.Models;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// Finite-difference checks (float64) of every parameter group of the γ-Lipschitz R2DN (MODELS.md 2.8): the two
/// Cayley contractions D12 = √γ·N12 (nv×nu) and D21 = √γ·N21 (ny×nv) in both their tall and wide forms, T·R⁻¹·Tᵀ, the
/// implicit B1 and B2, ᾱ, and the network with either output layer, at perturbed parameters.
/// </summary>
public class LipschitzR2dnGradientCheckTests
{
    private readonly ITestOutputHelper _log;

    public LipschitzR2dnGradientCheckTests(ITestOutputHelper log) => _log = log;

    // (nu, nv, ny): N12 is nv×nu (tall when nv ≥ nu, Z12 (nv−nu)×nu; wide when nv < nu, Z12 (nu−nv)×nv) and
    // N21 is ny×nv (tall when ny ≥ nv, wide when ny < nv); every d = min(·,·) is at least 2 so that dY has
    // off-diagonal entries (a 1×1 Y − Yᵀ is identically zero).
    [Theory]
    [InlineData(2, 4, 5, 0.5, 1.0, LbdnOutputLayer.Nonlinear, Initialization.Random, 201)]     // N12 tall, N21 tall
    [InlineData(2, 4, 3, 3.0, 0.8, LbdnOutputLayer.Linear, Initialization.LongMemory, 202)]    // N12 tall, N21 wide
    [InlineData(4, 3, 5, 3.0, 1.0, LbdnOutputLayer.Linear, Initialization.Random, 203)]        // N12 wide, N21 tall
    [InlineData(4, 3, 2, 0.5, 0.8, LbdnOutputLayer.Nonlinear, Initialization.LongMemory, 204)] // N12 wide, N21 wide
    [InlineData(3, 3, 3, 3.0, 0.8, LbdnOutputLayer.Nonlinear, Initialization.Random, 205)]     // square: Z12, Z21 empty
    [InlineData(2, 4, 5, 3.0, 0.8, LbdnOutputLayer.Linear, Initialization.Random, 206)]
    [InlineData(4, 3, 2, 0.5, 1.0, LbdnOutputLayer.Linear, Initialization.Random, 207)]
    public void LipschitzR2dnTanh_EveryGroupMatchesFiniteDifferences(int nu, int nv, int ny, double gamma, double rate,
                                                                     LbdnOutputLayer output, Initialization init,
                                                                         int seed)
    {
        var options = new R2dnOptions
        {
            InputSize = nu, StateSize = 3, NonlinearWidth = nv, OutputSize = ny, HiddenSizes = [5, 4],
            Activation = Activation.Tanh, NetworkOutputLayer = output, Initialization = init, ContractionRate = rate,
        };
        var model = new LipschitzR2dn(options, gamma, seed);
        var layout = model.Layout;
        Assert.Equal(new[] { Math.Abs(nv - nu), Math.Min(nv, nu) }, layout["Z12"].Shape);
        Assert.Equal(new[] { Math.Abs(ny - nv), Math.Min(ny, nv) }, layout["Z21"].Shape);
        var problem = FiniteDifferenceCheck.Make(model, seed);

        var ex = model.GetExplicit();
        Assert.Equal((nv, nu), (ex.D12.Rows, ex.D12.Columns));
        Assert.Equal((ny, nv), (ex.D21.Rows, ex.D21.Columns));
        Assert.Equal(0.0, ex.D22.MaxAbs());
        Assert.True(ex.D12.MaxAbs() > 1e-3 && ex.D21.MaxAbs() > 1e-3 && ex.B1.MaxAbs() > 1e-3 && ex.C1.MaxAbs() > 1e-3);
        // ‖D12‖₂, ‖D21‖₂ < √γ (the Cayley contractions), so the certificate's R is positive definite.
        Assert.True(PropertyHelpers.SpectralNorm(ex.D12) < Math.Sqrt(gamma)
                    && PropertyHelpers.SpectralNorm(ex.D21) < Math.Sqrt(gamma));

        var gradient = problem.Gradient();
        int lastLayer = options.HiddenSizes.Length;
        var (n, summary) = FiniteDifferenceCheck.CheckGroups(
            $"Lipschitz R2DN γ={gamma} ᾱ={rate} (nu, nv, ny)=({nu}, {nv}, {ny}) {output} {init}", layout,
            model.Parameters, gradient,
            problem.Loss, new Random(seed + 100), int.MaxValue,
            mustBeZero: g => output == LbdnOutputLayer.Linear && g.Name == $"network/layers_{lastLayer}/d");
        _log.WriteLine(summary);
        Assert.Equal(model.ParameterCount, n);
    }

    [Fact]
    public void LipschitzR2dn_GradientDoesNotDependOnThreads()
    {
        // The map's network and LTI adjoints run side by side when Threads > 1; the result must be the same numbers.
        var model = new LipschitzR2dn(new R2dnOptions
        {
            InputSize = 2, StateSize = 3, NonlinearWidth = 4, OutputSize = 3, HiddenSizes = [5, 4],
            Activation = Activation.Tanh,
        }, 3.0, 211);
        var problem = FiniteDifferenceCheck.Make(model, 211, batch: 4);
        var g1 = problem.Gradient();
        model.Threads = 4;
        var g4 = problem.Gradient();
        Assert.Equal(g1, g4);
    }
}
