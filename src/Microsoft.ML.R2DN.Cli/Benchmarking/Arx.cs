using Microsoft.ML.R2DN.Engine.LinearAlgebra;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// A linear ARX model in standardised units, y_t = Σ_{i=1..na} A_i y_{t−i} + Σ_{j=0..na} B_j u_{t−j} + c (na = nb),
/// fitted by least squares with a tiny ridge penalty and simulated freely (its own outputs fed back) from a zero past.
/// </summary>
internal sealed class Arx
{
    // Predictions beyond this many standard deviations are clipped: an unstable fit then scores badly but finitely.
    private const double Clip = 1e6;

    private readonly Scaling _scaling;
    private readonly int _nu, _ny;
    private readonly double[] _theta;   // p × ny, row-major

    private Arx(int order, Scaling scaling, int nu, int ny, double[] theta)
    {
        Order = order; _scaling = scaling; _nu = nu; _ny = ny; _theta = theta;
    }

    /// <summary>na = nb.</summary>
    public int Order { get; }

    /// <summary>The number of regressors: ny·na past outputs, nu·(na + 1) inputs and the constant.</summary>
    private static int Regressors(int order, int nu, int ny) => ny * order + nu * (order + 1) + 1;

    /// <summary>Chooses na = nb among <see cref="SimulationBenchmark.ArxOrders"/>: each is fitted on the first 80% of
    /// every estimation record and simulated over the whole record from a zero past, scored (NRMSE) on the last 20%;
    /// the best is refitted on all the estimation data.</summary>
    public static (Arx Model, SortedDictionary<int, double> OrderErrors) FitWithOrderSearch(
        SimulationDataSet data, Scaling scaling, CancellationToken cancellation)
    {
        var z = data.Estimation.Select(r => Standardise(r, scaling, data.Inputs, data.Outputs)).ToArray();
        var fitEnds = z.Select(r => r.Length - (int)(r.Length * SimulationBenchmark.ArxValidationFraction)).ToArray();
        var errors = new SortedDictionary<int, double>();
        int best = -1;
        foreach (int order in SimulationBenchmark.ArxOrders)
        {
            cancellation.ThrowIfCancellationRequested();
            if (fitEnds.Any(end => end <= order + Regressors(order, data.Inputs, data.Outputs))) continue;
            var model = Fit(z, fitEnds, order, scaling, data.Inputs, data.Outputs);
            double error = model.ValidationNrmse(z, fitEnds);
            errors[order] = error;
            if (double.IsFinite(error) && (best < 0 || error < errors[best])) best = order;
        }
        if (best < 0) best = errors.Count > 0 ? errors.Keys.First() : SimulationBenchmark.ArxOrders[0];
        var final = Fit(z, z.Select(r => r.Length).ToArray(), best, scaling, data.Inputs, data.Outputs);
        return (final, errors);
    }

    // The NRMSE of a free run over every standardised record, scored on the rows from fitEnds on (not fitted).
    private double ValidationNrmse(IoSeries[] z, int[] fitEnds)
    {
        double num = 0, den = 0;
        for (int s = 0; s < z.Length; s++)
        {
            var yHat = SimulateStandardised(z[s].U, z[s].Length);
            for (int k = fitEnds[s] * _ny; k < yHat.Length; k++)
            {
                double d = yHat[k] - z[s].Y[k];
                num += d * d;
                den += z[s].Y[k] * z[s].Y[k];
            }
        }
        return den > 0 ? Math.Sqrt(num / den) : double.NaN;
    }

    /// <summary>Simulates the model over a record's inputs (data units in and out).</summary>
    public double[] Simulate(IoSeries record)
    {
        var z = Standardise(record, _scaling, _nu, _ny);
        var yHat = SimulateStandardised(z.U, record.Length);
        for (int k = 0; k < yHat.Length; k++) yHat[k] = yHat[k] * _scaling.YStd[k % _ny] + _scaling.YMean[k % _ny];
        return yHat;
    }

    private double[] SimulateStandardised(double[] u, int length)
    {
        int p = Regressors(Order, _nu, _ny);
        var phi = new double[p];
        var yHat = new double[length * _ny];
        for (int t = 0; t < length; t++)
        {
            FillRegressors(phi, yHat, u, t, Order, _nu, _ny);
            for (int c = 0; c < _ny; c++)
            {
                double v = 0;
                for (int i = 0; i < p; i++) v += phi[i] * _theta[i * _ny + c];
                yHat[t * _ny + c] = double.IsNaN(v) ? Clip : Math.Clamp(v, -Clip, Clip);
            }
        }
        return yHat;
    }

    // φ_t = [y_{t−1} … y_{t−na}, u_t … u_{t−na}, 1]; values before the first row are 0 (the estimation mean).
    private static void FillRegressors(double[] phi, double[] y, double[] u, int t, int order, int nu, int ny)
    {
        int k = 0;
        for (int i = 1; i <= order; i++)
            for (int c = 0; c < ny; c++)
                phi[k++] = t - i >= 0 ? y[(t - i) * ny + c] : 0;
        for (int j = 0; j <= order; j++)
            for (int c = 0; c < nu; c++)
                phi[k++] = t - j >= 0 ? u[(t - j) * nu + c] : 0;
        phi[k] = 1;
    }

    // Least squares over rows [order, fitEnd) of every record: (ΦᵀΦ + λI)Θ = ΦᵀY, λ = 1e-8 · trace(ΦᵀΦ)/p, Cholesky.
    private static Arx Fit(IoSeries[] z, int[] fitEnds, int order, Scaling scaling, int nu, int ny)
    {
        const int Block = 2048;
        int p = Regressors(order, nu, ny);
        var gram = new Matrix(p, p);
        var cross = new Matrix(p, ny);
        var x = new Matrix(Block, p);
        var yb = new Matrix(Block, ny);
        var phi = new double[p];
        int rows = 0;
        void Flush()
        {
            if (rows == 0) return;
            if (rows < Block)
            {
                Array.Clear(x.Data, rows * p, (Block - rows) * p);   // zero rows add nothing
                Array.Clear(yb.Data, rows * ny, (Block - rows) * ny);
            }
            gram.AddScaled(Matrix.TransposeMultiply(x, x));
            cross.AddScaled(Matrix.TransposeMultiply(x, yb));
            rows = 0;
        }
        for (int s = 0; s < z.Length; s++)
            for (int t = order; t < fitEnds[s]; t++)
            {
                FillRegressors(phi, z[s].Y, z[s].U, t, order, nu, ny);
                phi.CopyTo(x.Data, rows * p);
                Array.Copy(z[s].Y, t * ny, yb.Data, rows * ny, ny);
                if (++rows == Block) Flush();
            }
        Flush();
        double trace = 0;
        for (int i = 0; i < p; i++) trace += gram[i, i];
        double ridge = 1e-8 * Math.Max(trace / p, 1e-12);
        for (int i = 0; i < p; i++) gram[i, i] += ridge;
        var theta = new CholeskyDecomposition(gram).Solve(cross);
        return new Arx(order, scaling, nu, ny, theta.Data);
    }

    private static IoSeries Standardise(IoSeries r, Scaling scaling, int nu, int ny)
    {
        var u = new double[r.U.Length];
        var y = new double[r.Y.Length];
        for (int k = 0; k < u.Length; k++) u[k] = (r.U[k] - scaling.UMean[k % nu]) / scaling.UStd[k % nu];
        for (int k = 0; k < y.Length; k++) y[k] = (r.Y[k] - scaling.YMean[k % ny]) / scaling.YStd[k % ny];
        return new IoSeries(r.Name, r.Length, u, y);
    }
}
