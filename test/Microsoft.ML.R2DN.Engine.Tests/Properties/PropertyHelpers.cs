using Microsoft.ML.R2DN.Engine.Kernels;
using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>Seeded random draws, parameter perturbations and small float64 reference computations shared by the
/// property tests.</summary>
internal static class PropertyHelpers
{
    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(this Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double[] Normals(this Random rng, int count, double std = 1.0)
    {
        var r = new double[count];
        for (int i = 0; i < r.Length; i++) r[i] = std * rng.Normal();
        return r;
    }

    public static Matrix RandomMatrix(this Random rng, int rows, int columns, double std = 1.0) =>
        new(rows, columns, rng.Normals(rows * columns, std));

    /// <summary>Adds N(0, std²) noise to every element of the named group.</summary>
    public static void AddNoise(double[] parameters, ParameterGroup group, Random rng, double std)
    {
        var s = group.Slice(parameters);
        for (int i = 0; i < s.Length; i++) s[i] += std * rng.Normal();
    }

    /// <summary>Multiplies every element of the named group by <paramref name="factor"/>.</summary>
    public static void Scale(double[] parameters, ParameterGroup group, double factor)
    {
        var s = group.Slice(parameters);
        for (int i = 0; i < s.Length; i++) s[i] *= factor;
    }

    /// <summary>Adds N(0, std²) noise to every parameter of the model.</summary>
    public static void PerturbAll(double[] parameters, ParameterLayout layout, Random rng, double std)
    {
        foreach (var g in layout.Groups) AddNoise(parameters, g, rng, std);
    }

    public static Matrix Get(double[] parameters, ParameterLayout layout, string name)
    {
        var g = layout[name];
        return new Matrix(g.Rows, g.Columns, g.Slice(parameters));
    }

    public static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        return Math.Sqrt(s);
    }

    public static double FrobeniusNorm(Matrix m) => Math.Sqrt(m.SumOfSquares());

    /// <summary>Largest singular value, as the square root of the largest eigenvalue of JᵀJ.</summary>
    public static double SpectralNorm(Matrix j) =>
        Math.Sqrt(Math.Max(0, SymmetricEigen.MaxEigenvalue(Matrix.TransposeMultiply(j, j))));

    public static double[] MatVec(Matrix a, ReadOnlySpan<double> x)
    {
        var y = new double[a.Rows];
        for (int i = 0; i < a.Rows; i++)
        {
            double s = 0;
            for (int j = 0; j < a.Columns; j++) s += a[i, j] * x[j];
            y[i] = s;
        }
        return y;
    }

    /// <summary>
    /// Replays a compiled float64 program step by step (an independent re-implementation of the fused forward pass)
    /// and returns the outputs and the smallest |pre-activation| met on the way; the latter tells how far every
    /// ReLU is from its kink.
    /// </summary>
    public static (double[] Outputs, double MinAbsPreActivation) ReplayFused(FusedRecurrentNetwork<double> net,
                                                                             double[] x0, double[] u, int timeSteps,
                                                                             int batch)
    {
        int nx = net.Nx, nu = net.Nu, ny = net.Ny, nz = net.Nz;
        var y = new double[timeSteps * batch * ny];
        double minAbs = double.PositiveInfinity;
        for (int b = 0; b < batch; b++)
        {
            var x = x0.AsSpan(b * nx, nx).ToArray();
            for (int t = 0; t < timeSteps; t++)
            {
                var input = new double[nx + nu];
                x.CopyTo(input, 0);
                u.AsSpan((t * batch + b) * nu, nu).CopyTo(input.AsSpan(nx));
                for (int k = 0; k < net.Stages; k++)
                {
                    int n = net.StageSizes[k], kin = input.Length;
                    var s = new double[n];
                    for (int i = 0; i < n; i++)
                    {
                        double pre = net.C[k][i];
                        for (int j = 0; j < kin; j++) pre += net.G[k][i * kin + j] * input[j];
                        minAbs = Math.Min(minAbs, Math.Abs(pre));
                        s[i] = net.Activation == Activation.ReLU ? Math.Max(0, pre) : Math.Tanh(pre);
                    }
                    input = s;
                }
                var z = new double[nz];
                x.CopyTo(z, 0);
                u.AsSpan((t * batch + b) * nu, nu).CopyTo(z.AsSpan(nx));
                input.CopyTo(z, nx + nu);
                var next = new double[nx];
                for (int i = 0; i < nx + ny; i++)
                {
                    double o = net.Bo[i];
                    for (int j = 0; j < nz; j++) o += net.Wo[i * nz + j] * z[j];
                    if (i < nx) next[i] = o; else y[(t * batch + b) * ny + i - nx] = o;
                }
                x = next;
            }
        }
        return (y, minAbs);
    }
}
