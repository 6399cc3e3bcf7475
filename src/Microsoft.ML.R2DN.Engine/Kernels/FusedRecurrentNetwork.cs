using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.R2DN.Engine.Kernels;

/// <summary>
/// The runnable ("compiled") form of an R2DN-shaped model: an LTI system in feedback with a chain of activated
/// dense stages, with consecutive affine maps multiplied together once per sequence so that each time step
/// runs one matrix product per stage plus one for the output.
/// </summary>
/// <remarks>
/// With z_t = [x_t | u_t | s_{S−1,t}] (one row per sequence in the batch):
/// <code>
///   s_0     = σ([x_t | u_t]·G_0ᵀ + c_0)
///   s_k     = σ(s_{k−1}·G_kᵀ + c_k)                k = 1 … S−1
///   [x_{t+1} | y_t] = z_t·W_oᵀ + b_o
/// </code>
/// For an R2DN, G_0 = W1_0·[C1 D12] absorbs the map to v, G_k = W1_k·W2_{k−1} joins Sandwich layers, and
/// W_o = [[A, B2, B1·W2_last]; [C2, D22, D21·W2_last]] absorbs the network's output layer into the LTI part.
/// A static LBDN is the same program with no state (nx = 0) run for one step.
/// Shapes: G_k is n_k × in_k (in_0 = nx + nu, in_k = n_{k−1}); W_o is (nx + ny) × nz with nz = nx + nu + n_{S−1}.
/// </remarks>
internal sealed class FusedRecurrentNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public FusedRecurrentNetwork(int nx, int nu, int ny, Activation activation, IReadOnlyList<Matrix> g,
                                 IReadOnlyList<double[]> c, Matrix wo, double[] bo, Matrix? d11 = null)
    {
        if (g.Count == 0) throw new ArgumentException("At least one activated stage is needed.", nameof(g));
        Nx = nx; Nu = nu; Ny = ny; Activation = activation;
        Stages = g.Count;
        StageSizes = g.Select(m => m.Rows).ToArray();
        Nz = nx + nu + StageSizes[^1];
        G = new T[Stages][]; GT = new T[Stages][]; C = new T[Stages][];
        for (int k = 0; k < Stages; k++)
        {
            int expectedIn = k == 0 ? nx + nu : StageSizes[k - 1];
            if (g[k].Columns != expectedIn)
                throw new ArgumentException($"Stage {k} expects {expectedIn} inputs, got {g[k].Columns}.", nameof(g));
            G[k] = Convert(g[k].Data);
            GT[k] = Convert(g[k].Transpose().Data);
            C[k] = Convert(c[k]);
        }
        if (wo.Rows != nx + ny || wo.Columns != Nz)
            throw new ArgumentException($"W_o must be {nx + ny}x{Nz}, got {wo.Rows}x{wo.Columns}.", nameof(wo));
        if (d11 is not null)
        {
            // A REN: one stage whose neurons also feed each other through the strictly lower-triangular D11.
            if (Stages != 1 || d11.Rows != StageSizes[0] || d11.Columns != StageSizes[0])
                throw new ArgumentException("D11 needs exactly one stage of matching width.", nameof(d11));
            D11 = Convert(d11.Data);
            D11T = Convert(d11.Transpose().Data);
        }
        Wo = Convert(wo.Data);
        WoT = Convert(wo.Transpose().Data);
        Bo = Convert(bo);
        long macs = (long)(nx + ny) * Nz + (d11 is null ? 0 : (long)StageSizes[0] * (StageSizes[0] - 1) / 2);
        for (int k = 0; k < Stages; k++) macs += (long)StageSizes[k] * (k == 0 ? nx + nu : StageSizes[k - 1]);
        MultiplyAddsPerStep = macs;
    }

    public int Nx { get; }
    public int Nu { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Stages { get; }
    public int[] StageSizes { get; }
    public Activation Activation { get; }
    public T[][] G { get; }
    public T[][] GT { get; }
    public T[][] C { get; }
    public T[] Wo { get; }

    /// <summary>The equilibrium feedback D11 (strictly lower triangular, nv × nv) and its transpose, or null.</summary>
    public T[]? D11 { get; }

    /// <summary>D11ᵀ, for the backward substitution.</summary>
    public T[]? D11T { get; }
    public T[] WoT { get; }
    public T[] Bo { get; }

    /// <summary>Multiply-adds per time step per sequence of this fused program.</summary>
    public long MultiplyAddsPerStep { get; }

    public int StageInputs(int k) => k == 0 ? Nx + Nu : StageSizes[k - 1];

    private static T[] Convert(ReadOnlySpan<double> values)
    {
        var r = new T[values.Length];
        for (int i = 0; i < r.Length; i++) r[i] = T.CreateChecked(values[i]);
        return r;
    }
}

/// <summary>Gradients of a loss with respect to the weights of a <see cref="FusedRecurrentNetwork{T}"/>, in
/// float64.</summary>
internal sealed class FusedGradients
{
    public required Matrix[] G { get; init; }
    public required double[][] C { get; init; }
    public required Matrix Wo { get; init; }
    public required double[] Bo { get; init; }
    public Matrix? D11 { get; init; }
}

/// <summary>
/// Buffers and the time loops (forward and backpropagation through time) for a <see cref="FusedRecurrentNetwork{T}"/>.
/// </summary>
/// <remarks>
/// All buffers are allocated when the shape first grows, so a time step allocates nothing. Sequences in the batch
/// are independent, so the batch is split into contiguous parts, one per thread, each running the whole time
/// loop with no synchronisation per step. Weight gradients are formed once per sequence as large products over
/// all T·B rows (forward saves every stage activation for this), split by output rows across threads.
/// Every dot product has a fixed summation order, so results do not depend on the thread count.
/// </remarks>
internal sealed class RolloutWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private int _capacityRows = -1;   // T·B the buffers were sized for
    private int _batch;
    private FusedRecurrentNetwork<T>? _shapeOf;

    // Forward: z rows [x | u | s_last] for t = 0..T (row T holds x_T); s_k for k < S−1; y.
    private T[] _z = [];
    private T[][] _s = [];
    private T[] _y = [];
    // Backward: [dx_{t+1} | dy_t] rows, d(pre_k) rows, per-thread scratch.
    private T[] _dOut = [];
    private T[][] _dPre = [];
    private T[] _dy = [];
    private T[] _dx0 = [];
    private T[][] _scratch = [];

    public int TimeSteps { get; private set; }
    public int Batch => _batch;

    /// <summary>Predicted outputs of the last forward pass, [T, B, ny].</summary>
    public Span<T> Outputs => _y.AsSpan(0, TimeSteps * _batch * (_shapeOf?.Ny ?? 0));

    /// <summary>Where the caller writes dLoss/dy before <see cref="Backward"/>, [T, B, ny].</summary>
    public Span<T> OutputGradient => _dy.AsSpan(0, TimeSteps * _batch * (_shapeOf?.Ny ?? 0));

    /// <summary>x_T after the last forward pass, [B, nx] rows with stride nz.</summary>
    public void CopyFinalState(Span<T> destination)
    {
        var net = _shapeOf!;
        for (int b = 0; b < _batch; b++)
            _z.AsSpan((TimeSteps * _batch + b) * net.Nz, net.Nx).CopyTo(destination.Slice(b * net.Nx, net.Nx));
    }

    private void Ensure(FusedRecurrentNetwork<T> net, int timeSteps, int batch, int threads)
    {
        int rows = timeSteps * batch;
        bool sameShape = _shapeOf is not null && _shapeOf.Nz == net.Nz && _shapeOf.Nx == net.Nx && _shapeOf.Ny == net.Ny
                         && _shapeOf.StageSizes.AsSpan().SequenceEqual(net.StageSizes);
        if (!sameShape || rows > _capacityRows || batch != _batch || _scratch.Length != 4 * threads)
        {
            int cap = Math.Max(rows, sameShape ? _capacityRows : 0);
            _z = new T[(cap + batch) * net.Nz];
            _s = new T[net.Stages][];
            _dPre = new T[net.Stages][];
            for (int k = 0; k < net.Stages; k++)
            {
                _s[k] = k < net.Stages - 1 ? new T[cap * net.StageSizes[k]] : [];
                _dPre[k] = new T[cap * net.StageSizes[k]];
            }
            _y = new T[cap * net.Ny];
            _dy = new T[cap * net.Ny];
            _dOut = new T[cap * (net.Nx + net.Ny)];
            _dx0 = new T[batch * net.Nx];
            int widest = Math.Max(net.Nz, net.StageSizes.Max());
            int part = (batch + threads - 1) / threads;
            _scratch = new T[4 * threads][];
            for (int i = 0; i < _scratch.Length; i++) _scratch[i] = new T[part * widest];
            _capacityRows = cap;
        }
        _shapeOf = net; _batch = batch; TimeSteps = timeSteps;
    }

    /// <summary>Runs the model over T steps. Inputs: x0 [B, nx], u [T, B, nu].</summary>
    public void Forward(FusedRecurrentNetwork<T> net, ReadOnlySpan<T> x0, ReadOnlySpan<T> u, int timeSteps, int batch,
                        int threads)
    {
        threads = Math.Clamp(threads, 1, batch);
        Ensure(net, timeSteps, batch, threads);
        int nz = net.Nz, nx = net.Nx, nu = net.Nu;
        for (int b = 0; b < batch; b++) x0.Slice(b * nx, nx).CopyTo(_z.AsSpan(b * nz, nx));
        for (int r = 0; r < timeSteps * batch; r++) u.Slice(r * nu, nu).CopyTo(_z.AsSpan(r * nz + nx, nu));
        if (threads == 1) ForwardPart(net, 0, batch);
        else ForwardParallel(net, batch, threads);
    }

    // Kept apart so that the closure is allocated only when the work is split across threads.
    private void ForwardParallel(FusedRecurrentNetwork<T> net, int batch, int threads) =>
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                     p => ForwardPart(net, p * batch / threads, (p + 1) * batch / threads));

    private void ForwardPart(FusedRecurrentNetwork<T> net, int b0, int b1)
    {
        int m = b1 - b0, nz = net.Nz, nx = net.Nx, nu = net.Nu, ny = net.Ny, last = net.Stages - 1;
        int B = _batch;
        for (int t = 0; t < TimeSteps; t++)
        {
            int r0 = t * B + b0;
            for (int k = 0; k <= last; k++)
            {
                int n = net.StageSizes[k], kin = net.StageInputs(k);
                ReadOnlySpan<T> input; int ldIn;
                if (k == 0) { input = _z.AsSpan(r0 * nz); ldIn = nz; }
                else { input = _s[k - 1].AsSpan(r0 * kin); ldIn = kin; }
                Span<T> output; int ldOut;
                if (k == last) { output = _z.AsSpan(r0 * nz + nx + nu); ldOut = nz; }
                else { output = _s[k].AsSpan(r0 * n); ldOut = n; }
                Gemm.Multiply<T>(m, n, kin, input, ldIn, net.GT[k], n, output, ldOut);
                if (net.D11 is null)
                    for (int i = 0; i < m; i++) Activate(net.Activation, output.Slice(i * ldOut, n), net.C[k]);
                else
                    SolveEquilibrium(net.Activation, net.D11, output, m, ldOut, n, net.C[k]);
            }
            // [x_{t+1} | y_t] = z_t·W_oᵀ + b_o, written straight into the next z row and into y.
            var zt = _z.AsSpan(r0 * nz);
            var next = _z.AsSpan((r0 + B) * nz);
            Gemm.Multiply<T>(m, nx, nz, zt, nz, net.WoT, nx + ny, next, nz);
            Gemm.MultiplyTransposed<T>(m, ny, nz, zt, nz, net.Wo.AsSpan(nx * nz), nz, _y.AsSpan(r0 * ny), ny);
            for (int i = 0; i < m; i++)
            {
                var xr = next.Slice(i * nz, nx);
                TensorPrimitives.Add<T>(xr, net.Bo.AsSpan(0, nx), xr);
                var yr = _y.AsSpan((r0 + i) * ny, ny);
                TensorPrimitives.Add<T>(yr, net.Bo.AsSpan(nx, ny), yr);
            }
        }
    }

    private static void Activate(Activation activation, Span<T> row, ReadOnlySpan<T> bias)
    {
        TensorPrimitives.Add<T>(row, bias, row);
        if (activation == Activation.ReLU) TensorPrimitives.Max<T>(row, T.Zero, row);
        else TensorPrimitives.Tanh<T>(row, row);
    }

    // The equilibrium w = σ(D11·w + b) with D11 strictly lower triangular, solved exactly by forward substitution
    // (MODELS.md 2.5): w_i = σ(b_i + Σ_{j<i} D11_ij·w_j). On entry each of the m rows (stride ld) holds the input part
    // of b; on exit, w. Neuron i is done for every row before neuron i + 1, so the rows' independent dependency
    // chains overlap in the pipeline.
    private static void SolveEquilibrium(Activation activation, T[] d11, Span<T> rows, int m, int ld, int n,
                                         ReadOnlySpan<T> bias)
    {
        for (int i = 0; i < n; i++)
        {
            var d = d11.AsSpan(i * n, i);
            for (int r = 0; r < m; r++)
            {
                var row = rows.Slice(r * ld, n);
                T v = row[i] + bias[i] + TensorPrimitives.Dot<T>(d, row.Slice(0, i));
                row[i] = activation == Activation.ReLU ? T.Max(v, T.Zero) : T.Tanh(v);
            }
        }
    }

    // Adjoint of the equilibrium by the implicit function theorem: with J = diag(σ'(v)), the adjoint of v is
    // g_v = J·(I − D11ᵀJ)⁻¹… written as a back substitution, g_v,i = σ'_i·(g_i + Σ_{k>i} D11_ki·g_v,k).
    // Rows as in SolveEquilibrium: w and dw rows with strides ldw and lddw, dPre rows contiguous (stride n).
    private static void EquilibriumBackward(Activation activation, T[] d11T, ReadOnlySpan<T> w, int ldw,
                                            ReadOnlySpan<T> dw, int lddw, Span<T> dPre, int m, int n)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            var d = d11T.AsSpan(i * n + i + 1, n - i - 1);
            for (int r = 0; r < m; r++)
            {
                var row = dPre.Slice(r * n, n);
                T wi = w[r * ldw + i];
                T g = dw[r * lddw + i] + TensorPrimitives.Dot<T>(d, row.Slice(i + 1));
                T slope = activation == Activation.ReLU ? (wi > T.Zero ? T.One : T.Zero) : T.One - wi * wi;
                row[i] = slope * g;
            }
        }
    }

    // d(pre) = d(post)·σ'(pre), with σ' written in terms of the stored post-activation s:
    // ReLU: σ' = [s > 0]; tanh: σ' = 1 − s².
    private static void ActivationBackward(Activation activation, ReadOnlySpan<T> s, ReadOnlySpan<T> dPost,
                                           Span<T> dPre)
    {
        int n = s.Length, w = Vector<T>.Count, i = 0;
        if (activation == Activation.ReLU)
        {
            for (; i + w <= n; i += w)
            {
                var vs = new Vector<T>(s.Slice(i));
                var active = Vector.GreaterThan(vs, Vector<T>.Zero);
                Vector.ConditionalSelect(active, new Vector<T>(dPost.Slice(i)), Vector<T>.Zero).CopyTo(dPre.Slice(i));
            }
            for (; i < n; i++) dPre[i] = s[i] > T.Zero ? dPost[i] : T.Zero;
        }
        else
        {
            for (; i + w <= n; i += w)
            {
                var vs = new Vector<T>(s.Slice(i));
                (new Vector<T>(dPost.Slice(i)) * (Vector<T>.One - vs * vs)).CopyTo(dPre.Slice(i));
            }
            for (; i < n; i++) dPre[i] = dPost[i] * (T.One - s[i] * s[i]);
        }
    }

    /// <summary>dLoss/dx_0 of the last <see cref="Backward"/>, [B, nx]: what an encoder of the initial state is
    /// trained through.</summary>
    public void CopyInitialStateGradient(Span<T> destination) =>
        _dx0.AsSpan(0, _batch * _shapeOf!.Nx).CopyTo(destination);

    /// <summary>
    /// Backpropagates <see cref="OutputGradient"/> through the last forward pass and returns the weight gradients;
    /// the gradient with respect to the initial state is kept for <see cref="CopyInitialStateGradient"/>.
    /// </summary>
    public FusedGradients Backward(FusedRecurrentNetwork<T> net, int threads)
    {
        if (!ReferenceEquals(net, _shapeOf))
            throw new InvalidOperationException("Backward must follow Forward on the same network.");
        int batch = _batch;
        threads = Math.Clamp(threads, 1, batch);
        if (_scratch.Length < 4 * threads) threads = _scratch.Length / 4;
        if (threads == 1) BackwardPart(net, 0, batch, 0);
        else BackwardParallel(net, batch, threads);
        return WeightGradients(net, threads);
    }

    private void BackwardParallel(FusedRecurrentNetwork<T> net, int batch, int threads) =>
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                     p => BackwardPart(net, p * batch / threads, (p + 1) * batch / threads, p));

    private void BackwardPart(FusedRecurrentNetwork<T> net, int b0, int b1, int part)
    {
        int m = b1 - b0, nz = net.Nz, nx = net.Nx, nu = net.Nu, ny = net.Ny, no = nx + ny, last = net.Stages - 1;
        int B = _batch;
        var dz = _scratch[4 * part];         // m × nz
        var ds = _scratch[4 * part + 1];     // m × widest
        var dxu = _scratch[4 * part + 2];    // m × nx
        var dxNext = _scratch[4 * part + 3]; // m × nx
        dxNext.AsSpan().Clear();
        for (int t = TimeSteps - 1; t >= 0; t--)
        {
            int r0 = t * B + b0;
            for (int i = 0; i < m; i++)
            {
                var row = _dOut.AsSpan((r0 + i) * no, no);
                dxNext.AsSpan(i * nx, nx).CopyTo(row);
                _dy.AsSpan((r0 + i) * ny, ny).CopyTo(row.Slice(nx));
            }
            // dz = [dx_{t+1} | dy_t]·W_o
            Gemm.Multiply<T>(m, nz, no, _dOut.AsSpan(r0 * no), no, net.Wo, nz, dz, nz);
            int nLast = net.StageSizes[last];
            if (net.D11T is null)
                for (int i = 0; i < m; i++)
                    ActivationBackward(net.Activation, _z.AsSpan((r0 + i) * nz + nx + nu, nLast),
                                       dz.AsSpan(i * nz + nx + nu, nLast), _dPre[last].AsSpan((r0 + i) * nLast, nLast));
            else
                EquilibriumBackward(net.Activation, net.D11T, _z.AsSpan(r0 * nz + nx + nu), nz, dz.AsSpan(nx + nu), nz,
                                    _dPre[last].AsSpan(r0 * nLast), m, nLast);
            for (int k = last; k >= 1; k--)
            {
                int n = net.StageSizes[k], nin = net.StageSizes[k - 1];
                Gemm.Multiply<T>(m, nin, n, _dPre[k].AsSpan(r0 * n), n, net.G[k], nin, ds, nin);
                for (int i = 0; i < m; i++)
                    ActivationBackward(net.Activation, _s[k - 1].AsSpan((r0 + i) * nin, nin), ds.AsSpan(i * nin, nin),
                                       _dPre[k - 1].AsSpan((r0 + i) * nin, nin));
            }
            // dx_t = dz[:, :nx] + (d pre_0 · G_0)[:, :nx]; the first nx columns of G_0 are the x columns.
            int n0 = net.StageSizes[0];
            Gemm.Multiply<T>(m, nx, n0, _dPre[0].AsSpan(r0 * n0), n0, net.G[0], nx + nu, dxu, nx);
            for (int i = 0; i < m; i++)
                TensorPrimitives.Add<T>(dz.AsSpan(i * nz, nx), dxu.AsSpan(i * nx, nx), dxNext.AsSpan(i * nx, nx));
        }
        dxNext.AsSpan(0, m * nx).CopyTo(_dx0.AsSpan(b0 * nx, m * nx));
    }

    private FusedGradients WeightGradients(FusedRecurrentNetwork<T> net, int threads)
    {
        int rows = TimeSteps * _batch, nz = net.Nz, no = net.Nx + net.Ny;
        var g = new Matrix[net.Stages];
        var c = new double[net.Stages][];
        // dW_o = Σ_rows [dx_{t+1} | dy_t]ᵀ·z_t and db_o = Σ_rows [dx_{t+1} | dy_t].
        var wo = SumOfOuterProducts(_dOut, no, _z, 0, nz, nz, rows, threads);
        var bo = ColumnSums(_dOut, no, rows);
        // dG_0 = Σ d pre_0ᵀ·[x | u] (a prefix of each z row); dG_k = Σ d pre_kᵀ·s_{k−1}.
        for (int k = 0; k < net.Stages; k++)
        {
            int n = net.StageSizes[k], kin = net.StageInputs(k);
            g[k] = k == 0 ? SumOfOuterProducts(_dPre[0], n, _z, 0, nz, kin, rows, threads)
                          : SumOfOuterProducts(_dPre[k], n, _s[k - 1], 0, kin, kin, rows, threads);
            c[k] = ColumnSums(_dPre[k], n, rows);
        }
        // dD11 = Σ d preᵀ·w; only its strictly lower triangle is a gradient (the map reads nothing else).
        Matrix? d11 = null;
        if (net.D11 is not null)
        {
            int n = net.StageSizes[0];
            d11 = SumOfOuterProducts(_dPre[0], n, _z, net.Nx + net.Nu, nz, n, rows, threads);
            for (int i = 0; i < n; i++) for (int j = i; j < n; j++) d11[i, j] = 0;
        }
        return new FusedGradients { G = g, C = c, Wo = wo, Bo = bo, D11 = d11 };
    }

    // Σ_r a[r, :]ᵀ·b[r, :n] (m × n) over all rows, split by output rows (multiples of 4) across threads. The rows
    // are walked in chunks that keep both operands' slices in the L2 cache; the order is fixed, so the result does
    // not depend on the thread count.
    private static Matrix SumOfOuterProducts(T[] a, int m, T[] b, int bOffset, int ldb, int n, int rows, int threads)
    {
        var result = new T[m * n];
        void Block(int i0, int i1)
        {
            if (i1 <= i0) return;
            for (int r0 = 0; r0 < rows; r0 += ChunkRows)
            {
                int kc = Math.Min(ChunkRows, rows - r0);
                Gemm.MultiplyTransposeA<T>(i1 - i0, n, kc, a.AsSpan(r0 * m + i0), m, b.AsSpan(bOffset + r0 * ldb), ldb,
                                           result.AsSpan(i0 * n), n);
            }
        }
        if (threads == 1 || m < 8 * threads) Block(0, m);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                          p => Block(p * m / threads / 4 * 4, p == threads - 1 ? m : (p + 1) * m / threads / 4 * 4));
        var mat = new Matrix(m, n);
        for (int i = 0; i < result.Length; i++) mat.Data[i] = double.CreateChecked(result[i]);
        return mat;
    }

    private const int ChunkRows = 128;

    private static double[] ColumnSums(T[] a, int m, int rows)
    {
        var acc = new T[m];
        for (int r = 0; r < rows; r++) TensorPrimitives.Add<T>(acc, a.AsSpan(r * m, m), acc);
        var s = new double[m];
        for (int i = 0; i < m; i++) s[i] = double.CreateChecked(acc[i]);
        return s;
    }
}
