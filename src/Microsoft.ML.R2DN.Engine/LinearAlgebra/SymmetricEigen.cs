namespace Microsoft.ML.R2DN.Engine.LinearAlgebra;

/// <summary>Eigenvalues of symmetric matrices, for the sampling-free certificate checks (MODELS.md
/// section 5).</summary>
/// <remarks>Delegates to Math.NET Numerics' symmetric eigensolver; the input is symmetrised first.</remarks>
public static class SymmetricEigen
{
    /// <summary>The eigenvalues of ½(A + Aᵀ), in ascending order.</summary>
    public static double[] Eigenvalues(Matrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var s = a.SymmetricPart();
        var m = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.Create(s.Rows, s.Columns, (i, j) => s[i, j]);
        var evd = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(z => z.Real).ToArray();
        Array.Sort(values);
        return values;
    }

    /// <summary>The largest eigenvalue of ½(A + Aᵀ).</summary>
    public static double MaxEigenvalue(Matrix a) => Eigenvalues(a)[^1];

    /// <summary>The smallest eigenvalue of ½(A + Aᵀ).</summary>
    public static double MinEigenvalue(Matrix a) => Eigenvalues(a)[0];
}
