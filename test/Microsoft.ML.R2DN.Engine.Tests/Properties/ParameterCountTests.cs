using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// Shape and parameter-count regression (MODELS.md 2.6, 2.7, 3.2, section 5 item 10): names, shapes and order of the
/// parameter groups, the paper's parameter counts, and the long-memory initialisation.
/// </summary>
public class ParameterCountTests
{
    private static R2dnOptions F16 =>
        new() { InputSize = 2, StateSize = 75, NonlinearWidth = 75, OutputSize = 3, HiddenSizes = [87, 87, 87] };

    /// <summary>The expected (name, shape) list of MODELS.md 2.7 and 2.6, in storage order.</summary>
    private static List<(string Name, int[] Shape)> ExpectedR2dnGroups(int nu, int nx, int nv, int ny, int[] hidden)
    {
        var groups = new List<(string, int[])>
        {
            ("X", [2 * nx, 2 * nx]), ("p", [1]), ("Y", [nx, nx]), ("B1", [nx, nv]), ("C1", [nv, nx]), ("B2", [nx, nu]),
            ("D12", [nv, nu]), ("C2", [ny, nx]), ("D21", [ny, nv]), ("D22", [ny, nu]), ("bx", [nx]), ("bv", [nv]),
            ("by", [ny]),
        };
        groups.AddRange(ExpectedLbdnGroups("network/", [nv, .. hidden, nv]));
        return groups;
    }

    private static IEnumerable<(string Name, int[] Shape)> ExpectedLbdnGroups(string prefix, int[] widths)
    {
        for (int k = 0; k + 1 < widths.Length; k++)
        {
            int m = widths[k], n = widths[k + 1];
            yield return ($"{prefix}layers_{k}/XY", [m + n, n]);
            yield return ($"{prefix}layers_{k}/a", [1]);
            yield return ($"{prefix}layers_{k}/d", [n]);
            yield return ($"{prefix}layers_{k}/b", [n]);
        }
    }

    private static void AssertLayout(ParameterLayout layout, List<(string Name, int[] Shape)> expected)
    {
        Assert.Equal(expected.Select(e => e.Name), layout.Groups.Select(g => g.Name));
        int offset = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            var g = layout.Groups[i];
            Assert.Equal(expected[i].Shape, g.Shape);
            Assert.Equal(offset, g.Offset);
            Assert.Same(g, layout[g.Name]);
            Assert.True(layout.Contains(g.Name));
            offset += g.Length;
        }
        Assert.Equal(offset, layout.Count);
    }

    [Fact]
    public void F16Configuration_Has97481Parameters_WithTheDocumentedLayout()
    {
        var model = new ContractingR2dn(F16);
        Assert.Equal(97_481, model.ParameterCount);
        Assert.Equal(97_481, model.Parameters.Length);
        Assert.Equal(97_481, ContractingR2dn.CreateLayout(F16).Count);
        AssertLayout(model.Layout, ExpectedR2dnGroups(2, 75, 75, 3, [87, 87, 87]));
        // 4 Sandwich layers: 75→87→87→87→75.
        Assert.Equal(13 + 4 * 4, model.Layout.Groups.Count);
        Assert.False(model.Layout.Contains("network/layers_4/XY"));
    }

    [Theory]
    [InlineData(2, 3, 4, 2, new[] { 5, 4 })]
    [InlineData(3, 8, 6, 2, new[] { 7, 5 })]
    [InlineData(1, 1, 1, 1, new int[0])]
    public void SmallConfigurations_HaveTheDocumentedLayout(int nu, int nx, int nv, int ny, int[] hidden)
    {
        foreach (var output in new[] { LbdnOutputLayer.Nonlinear, LbdnOutputLayer.Linear })
        {
            if (output == LbdnOutputLayer.Linear && hidden.Length == 0) continue;
            // The linear last layer keeps its (unused) d so that both variants share one layout.
            var options = new R2dnOptions
            {
                InputSize = nu, StateSize = nx, NonlinearWidth = nv, OutputSize = ny,
                HiddenSizes = hidden, NetworkOutputLayer = output
            };
            AssertLayout(new ContractingR2dn(options).Layout, ExpectedR2dnGroups(nu, nx, nv, ny, hidden));
        }
    }

    [Fact]
    public void OtherPaperConfigurations_HaveTheDocumentedCounts()
    {
        // Youla Q: nu = ny = 1, nx = 10, nv = 100, hidden (140,)×4 → 179,358 (MODELS.md 4.3).
        var youla = new ContractingR2dn(new R2dnOptions
        {
            InputSize = 1, StateSize = 10, NonlinearWidth = 100,
            OutputSize = 1, HiddenSizes = [140, 140, 140, 140],
            Activation = Activation.Tanh
        });
        Assert.Equal(179_358, youla.ParameterCount);

        // PDE observer and expressivity models use identity_output (C2 = I, D21 = 0, D22 = 0, by = 0 fixed, so not
        // trainable), which this engine does not offer: their documented counts are the count here less those four
        // groups.
        int IdentityOutputCount(ContractingR2dn m) =>
            m.ParameterCount - new[] { "C2", "D21", "D22", "by" }.Sum(n => m.Layout[n].Length);
        var pde = new ContractingR2dn(new R2dnOptions
        {
            InputSize = 2, StateSize = 51, NonlinearWidth = 50,
            OutputSize = 51, HiddenSizes = [96, 96, 96, 96]
        });
        Assert.Equal(95_894, IdentityOutputCount(pde));
        int[] widths = [8, 16, 24, 32, 48, 64, 80, 96];
        int[] counts = [1423, 3887, 7759, 13039, 27823, 48239, 74287, 105967];
        for (int i = 0; i < widths.Length; i++)
        {
            var m = new ContractingR2dn(new R2dnOptions
            {
                InputSize = 1, StateSize = 1, NonlinearWidth = 16, OutputSize = 1,
                HiddenSizes = Enumerable.Repeat(widths[i], 6).ToArray(),
                Initialization = Initialization.Random,
            });
            Assert.Equal(counts[i], IdentityOutputCount(m));
        }
    }

    [Fact]
    public void Lbdn_HasTheDocumentedLayout()
    {
        var net = new Lbdn(new LbdnOptions { InputSize = 6, OutputSize = 3, HiddenSizes = [10, 5, 20, 4] });
        AssertLayout(net.Layout, ExpectedLbdnGroups("", [6, 10, 5, 20, 4, 3]).ToList());
        Assert.Equal((6 + 10) * 10 + 21 + (10 + 5) * 5 + 11 + (5 + 20) * 20 + 41 + (20 + 4) * 4 + 9 + (4 + 3) * 3 + 7,
                     net.ParameterCount);
        // JAX initialisation: a = l2_norm(XY), d = b = 0.
        foreach (var g in net.Layout.Groups)
        {
            var v = g.Slice(net.Parameters);
            if (g.Name.EndsWith("/a", StringComparison.Ordinal))
            {
                var xy = net.Layout[g.Name[..^1] + "XY"].Slice(net.Parameters).ToArray();
                Assert.Equal(Math.Sqrt(xy.Sum(x => x * x) + Numerics.Epsilon), v[0], 1e-14);
            }
            else if (!g.Name.EndsWith("/XY", StringComparison.Ordinal))
                Assert.All(v.ToArray(), x => Assert.Equal(0.0, x));
        }
    }

    [Fact]
    public void UnknownGroup_ThrowsKeyNotFound_NamingIt()
    {
        var layout = new ContractingR2dn(F16).Layout;
        var ex = Assert.Throws<KeyNotFoundException>(() => layout["network/layers_9/XY"]);
        Assert.Contains("network/layers_9/XY", ex.Message);
    }

    public static TheoryData<int, int, int, int, int[]> LongMemorySizes() => new()
    {
        { 2, 3, 4, 2, [5, 4] },
        { 3, 8, 6, 2, [7, 5] },
        { 1, 1, 1, 1, [] },
        { 2, 75, 75, 3, [87, 87, 87] },
    };

    [Theory]
    [MemberData(nameof(LongMemorySizes))]
    public void LongMemoryInitialisation_GivesANearIdentityA_AndZeroB1C1(int nu, int nx, int nv, int ny, int[] hidden)
    {
        var allDiagonals = new List<double>();
        for (int seed = 0; seed < 3; seed++)
        {
            var model = new ContractingR2dn(new R2dnOptions
            {
                InputSize = nu, StateSize = nx, NonlinearWidth = nv,
                OutputSize = ny, HiddenSizes = hidden
            }, seed);
            Assert.Equal(Initialization.LongMemory, model.Options.Initialization);
            var ex = model.GetExplicit();
            // A = E⁻¹H21 with E = (1 + ε)I and H21 = diag(1 − eigs), eigs ∈ [0, 0.05): diagonal, entries in [0.95, 1].
            for (int i = 0; i < nx; i++)
                for (int j = 0; j < nx; j++)
                {
                    if (i == j)
                    {
                        Assert.InRange(ex.A[i, i], 0.95 - 1e-6, 1.0);
                        allDiagonals.Add(ex.A[i, i]);
                    }
                    else Assert.True(Math.Abs(ex.A[i, j]) <= 1e-12, $"A[{i},{j}] = {ex.A[i, j]:R}");
                }
            // The eigenvalues of A (a diagonal matrix up to 1e-12) are therefore in [0.95, 1] too; the symmetric part
            // agrees.
            var eigs = SymmetricEigen.Eigenvalues(ex.A);
            Assert.InRange(eigs[0], 0.95 - 1e-6, 1.0);
            Assert.InRange(eigs[^1], 0.95 - 1e-6, 1.0 + 1e-12);
            Assert.True((ex.E - Matrix.Identity(nx)).MaxAbs() <= 1e-6, "E ≈ I");
            Assert.True((ex.P - Matrix.Identity(nx)).MaxAbs() <= 1e-6, "P ≈ I");
            Assert.All(ex.B1.Data, v => Assert.Equal(0.0, v));
            Assert.All(ex.C1.Data, v => Assert.Equal(0.0, v));
            Assert.All(model.Layout["B1"].Slice(model.Parameters).ToArray(), v => Assert.Equal(0.0, v));
            // Y = I; p = l2_norm(X); D22 and the biases are zero; B2, D12, C2, D21 are random (lecun).
            var y = PropertyHelpers.Get(model.Parameters, model.Layout, "Y");
            Assert.Equal(Matrix.Identity(nx).Data, y.Data);
            var x = model.Layout["X"].Slice(model.Parameters).ToArray();
            Assert.Equal(Math.Sqrt(x.Sum(v => v * v) + Numerics.Epsilon), model.Parameters[model.Layout["p"].Offset],
                         1e-12);
            foreach (var name in new[] { "D22", "bx", "bv", "by" })
                Assert.All(model.Layout[name].Slice(model.Parameters).ToArray(), v => Assert.Equal(0.0, v));
            foreach (var name in new[] { "B2", "D12", "C2", "D21" })
                Assert.Contains(model.Layout[name].Slice(model.Parameters).ToArray(), v => v != 0);
            // X is the upper Cholesky factor of [[I, A0], [A0, I]]: upper triangular.
            var xm = PropertyHelpers.Get(model.Parameters, model.Layout, "X");
            for (int i = 0; i < 2 * nx; i++)
                for (int j = 0; j < i; j++) Assert.Equal(0.0, xm[i, j]);
        }
        if (nx >= 8)
        {
            // eigs ~ 0.05·U(0, 1): the diagonal fills the interval rather than sitting at one end.
            Assert.True(allDiagonals.Min() < 0.97 && allDiagonals.Max() > 0.98,
                        $"A's diagonal spans [{allDiagonals.Min():G4}, {allDiagonals.Max():G4}]");
        }
    }
}
