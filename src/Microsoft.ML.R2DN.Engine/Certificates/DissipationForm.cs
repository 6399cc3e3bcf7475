namespace Microsoft.ML.R2DN.Engine.Certificates;

/// <summary>
/// Builds the quadratic form in z = [Δx; Δw; Δu] whose negative semidefiniteness proves a model's property
/// (MODELS.md section 5 items 4, 5, 6, 8):
/// <code>
///   F = [A B1 B2]ᵀ M [A B1 B2] − ᾱ²·blkdiag(M, 0, 0)          (V(Δx⁺) − ᾱ²V(Δx), M = EᵀP⁻¹E)
///     + sector term                                            (≥ 0 along trajectories, so it may be added)
///     − [Cy; Eu]ᵀ [[Q, Sᵀ], [S, R]] [Cy; Eu]                   (the supply rate, when there is one)
/// </code>
/// The sector term is 2Δwᵀ Λ (Δv − Δw) for a REN's slope-[0,1] activations (Δv = C1Δx + D11Δw + D12Δu), or
/// |Δv|² − |Δw|² for the R2DN's 1-Lipschitz network. F ⪯ 0 gives V(Δx⁺) − ᾱ²V(Δx) ≤ supply for every pair of
/// trajectories.
/// </summary>
internal static class DissipationForm
{
    /// <summary>Returns (λ_max(F), scale of the terms).</summary>
    public static (double MaxEigenvalue, double Scale) Evaluate(
        Matrix a, Matrix b1, Matrix? b2, Matrix e, Matrix p, double contractionRate,
        Matrix c1, Matrix? d11, Matrix? d12, double[]? lambda,
        Matrix? c2 = null, Matrix? d21 = null, Matrix? d22 = null, Matrix? q = null, Matrix? s = null, Matrix? r = null)
    {
        int nx = a.Rows, nv = b1.Columns, nu = b2?.Columns ?? 0, n = nx + nv + nu;
        var m = Matrix.TransposeMultiply(e, new LuDecomposition(p).Solve(e));          // EᵀP⁻¹E
        var abu = new Matrix(nx, n);
        abu.SetBlock(0, 0, a); abu.SetBlock(0, nx, b1);
        if (b2 is not null) abu.SetBlock(0, nx + nv, b2);
        var storage = Matrix.TransposeMultiply(abu, m * abu);
        var f = storage.Clone();
        f.AddBlock(0, 0, m, -contractionRate * contractionRate);
        double scale = Math.Max(storage.MaxAbs(), m.MaxAbs());

        // Δv = Cv·z.
        var cv = new Matrix(nv, n);
        cv.SetBlock(0, 0, c1);
        if (d11 is not null) cv.SetBlock(0, nx, d11);
        if (d12 is not null && nu > 0) cv.SetBlock(0, nx + nv, d12);
        var sector = new Matrix(n, n);
        if (lambda is not null)
        {
            // 2Δwᵀ Λ (Δv − Δw) = zᵀ(EwᵀΛCv + CvᵀΛEw − 2EwᵀΛEw)z.
            for (int i = 0; i < nv; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = lambda[i] * cv[i, j];
                    sector[nx + i, j] += v; sector[j, nx + i] += v;
                }
            for (int i = 0; i < nv; i++) sector[nx + i, nx + i] -= 2 * lambda[i];
        }
        else
        {
            sector.AddScaled(Matrix.TransposeMultiply(cv, cv));
            for (int i = 0; i < nv; i++) sector[nx + i, nx + i] -= 1;
        }
        f.AddScaled(sector);
        scale = Math.Max(scale, sector.MaxAbs());

        if (q is not null)
        {
            // Δy = Cy·z, Δu = Eu·z; supply = ΔyᵀQΔy + 2ΔuᵀSΔy + ΔuᵀRΔu.
            var cy = new Matrix(c2!.Rows, n);
            cy.SetBlock(0, 0, c2); cy.SetBlock(0, nx, d21!);
            if (d22 is not null && nu > 0) cy.SetBlock(0, nx + nv, d22);
            var eu = new Matrix(nu, n);
            for (int i = 0; i < nu; i++) eu[i, nx + nv + i] = 1;
            var supply = Matrix.TransposeMultiply(cy, q * cy);
            var cross = Matrix.TransposeMultiply(eu, s! * cy);
            supply.AddScaled(cross).AddScaled(cross.Transpose());
            supply.AddScaled(Matrix.TransposeMultiply(eu, r! * eu));
            f.AddScaled(supply, -1);
            scale = Math.Max(scale, supply.MaxAbs());
        }
        return (SymmetricEigen.MaxEigenvalue(f), scale);
    }
}
