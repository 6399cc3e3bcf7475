"""PyTorch reference implementation of the Sandwich layer, the LBDN, the R2DN and the REN.

Models: the LBDN; the contracting R2DN (rate abar); the gamma-Lipschitz R2DN (D22 = 0); the equilibrium
layer; the contracting, gamma-Lipschitz and general (Q,S,R) RENs. Written from the formulas in
docs/MODELS.md (sections 1.1-1.3, 2.1-2.8, 3 and 5). It is used to
produce the golden JSON files consumed by the C# tests (make_golden.py, float64) and as the speed peer
of the C# `r2dn bench` command (time_reference.py, float32).

Conventions
-----------
* Every model is a plain function over a dict of tensors ("direct" parameters). Nothing here is an
  nn.Module, so the parameter names and the flat layout are explicit and match the C# side.
* Batches are stored as rows (x has shape [B, nx]), so matrices are applied as ``x @ A.T``.
* ``EPS`` = float32 machine epsilon = 2**-23 is used everywhere (l2_norm, H0, the loss).
* The dtype follows the parameters; the helpers that create tensors take a ``dtype`` argument.

Parameter names
---------------
LBDN (input m -> hidden... -> output):  ``layers_{k}/XY``, ``layers_{k}/a``, ``layers_{k}/d``, ``layers_{k}/b``.
Contracting R2DN: ``X, p, Y, B1, C1, B2, D12, C2, D21, D22, bx, bv, by`` followed by the network
parameters with the prefix ``network/`` (``network/layers_{k}/XY`` ...).
gamma-Lipschitz R2DN: ``X, p, Y, B1, C1, B2, C2, bx, bv, by, X12, Y12, Z12, X21, Y21, Z21`` + network.
REN (all three kinds): ``X, p, Y1, B2, D12, C2, D21, D22, bx, bv, by, X3, Y3, Z3``.
With ``identity_output`` (contracting REN / R2DN only) C2, D21, D22 and by are not parameters.
"""

import math

import torch

EPS = 2.0 ** -23
SQRT2 = math.sqrt(2.0)

ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "identity": lambda z: z,
}


def activation_fn(name):
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError("unknown activation %r (expected one of %s)" % (name, sorted(ACTIVATIONS)))


# ---------------------------------------------------------------------------------------------------
# Shared helpers (MODELS.md 2.1)
# ---------------------------------------------------------------------------------------------------

def l2_norm(X, eps=EPS):
    """sqrt(sum X^2 + eps): the Frobenius norm with eps inside the root."""
    return torch.sqrt(torch.sum(X * X) + eps)


def cayley(W):
    """Cayley transform of W = [U; V] with U n x n and V m x n.

    Returns (A_T, B_T) with A_T n x n and B_T m x n, such that A_T^T A_T + B_T^T B_T = I_n.
    Z = U - U^T + V^T V;  A_T = (I+Z)^-1 (I-Z);  B_T = -2 V (I+Z)^-1 (both by linear solves).
    """
    n = W.shape[1]
    if W.shape[0] < n:
        raise ValueError("cayley expects a tall W ((n+m) x n), got %s" % (tuple(W.shape),))
    U = W[:n, :]
    V = W[n:, :]
    I = torch.eye(n, dtype=W.dtype, device=W.device)
    Z = U - U.T + V.T @ V
    IpZ = I + Z
    A_T = torch.linalg.solve(IpZ, I - Z)
    B_T = -2.0 * torch.linalg.solve(IpZ.T, V.T).T
    return A_T, B_T


# ---------------------------------------------------------------------------------------------------
# Sandwich layers and the LBDN (MODELS.md 1.3, 2.6)
# ---------------------------------------------------------------------------------------------------

def layer_sizes(input_size, hidden_sizes, output_size):
    """[(m, n), ...] for the Sandwich layers input -> hidden... -> output."""
    dims = [int(input_size)] + [int(h) for h in hidden_sizes] + [int(output_size)]
    return [(dims[k], dims[k + 1]) for k in range(len(dims) - 1)]


def sandwich_explicit(params, prefix):
    """Direct (XY, a, d, b) of one Sandwich layer -> the matrices used to run it.

    Returns a dict with
      A_T, B (n x m) from the Cayley transform,
      psi = exp(clip(d, -20, 20)),
      Win  = sqrt2 * Psi^-1 B       (n x m; pre = h @ Win.T + b),
      Wout = sqrt2 * A_T Psi        (n x n; out = sigma(pre) @ Wout.T),
      b.
    """
    XY = params[prefix + "XY"]
    a = params[prefix + "a"]
    d = params[prefix + "d"]
    b = params[prefix + "b"]
    W = (a / l2_norm(XY)) * XY
    A_T, B_T = cayley(W)
    B = B_T.T
    psi = torch.exp(torch.clamp(d, -20.0, 20.0))
    Win = SQRT2 * B / psi[:, None]
    Wout = SQRT2 * A_T * psi[None, :]
    return {"A_T": A_T, "B_T": B_T, "B": B, "psi": psi, "Win": Win, "Wout": Wout, "b": b}


def lbdn_explicit(params, n_layers, prefix=""):
    """Explicit matrices of every layer of an LBDN (computed once, reused for every call)."""
    return [sandwich_explicit(params, "%slayers_%d/" % (prefix, k)) for k in range(n_layers)]


def sandwich_apply(layer, h, sigma):
    """h+ = sqrt2 A_T Psi sigma(sqrt2 Psi^-1 B h + b), with batch rows."""
    pre = h @ layer["Win"].T + layer["b"]
    return sigma(pre) @ layer["Wout"].T


def lbdn_apply(layers, u, gamma=1.0, activation="relu", output_layer="nonlinear"):
    """Apply an LBDN given the explicit layers.

    nonlinear (paper-code quirk, default): f(u) = sqrt(g) * S_L o ... o S_0 (sqrt(g) u).
    linear (ICML paper / Julia):           f(u) = sqrt(g) * (h_L @ B_L^T) + b_L,
                                           h_L = S_{L-1} o ... o S_0 (sqrt(g) u).
    """
    sigma = activation_fn(activation)
    sg = math.sqrt(float(gamma))
    h = sg * u if sg != 1.0 else u
    if output_layer == "nonlinear":
        for layer in layers:
            h = sandwich_apply(layer, h, sigma)
        return sg * h if sg != 1.0 else h
    if output_layer == "linear":
        for layer in layers[:-1]:
            h = sandwich_apply(layer, h, sigma)
        last = layers[-1]
        out = h @ last["B"].T
        if sg != 1.0:
            out = sg * out
        return out + last["b"]
    raise ValueError("output_layer must be 'nonlinear' or 'linear', got %r" % (output_layer,))


def lbdn_forward(params, u, input_size, hidden_sizes, output_size, gamma=1.0,
                 activation="relu", output_layer="nonlinear", prefix=""):
    n_layers = len(hidden_sizes) + 1
    layers = lbdn_explicit(params, n_layers, prefix)
    return lbdn_apply(layers, u, gamma, activation, output_layer)


def lbdn_param_shapes(input_size, hidden_sizes, output_size, prefix=""):
    """Ordered dict name -> shape of the LBDN direct parameters."""
    shapes = {}
    for k, (m, n) in enumerate(layer_sizes(input_size, hidden_sizes, output_size)):
        p = "%slayers_%d/" % (prefix, k)
        shapes[p + "XY"] = (m + n, n)
        shapes[p + "a"] = (1,)
        shapes[p + "d"] = (n,)
        shapes[p + "b"] = (n,)
    return shapes


# ---------------------------------------------------------------------------------------------------
# Contracting R2DN (MODELS.md 1.2, 2.7)
# ---------------------------------------------------------------------------------------------------

R2DN_BASE_NAMES = ["X", "p", "Y", "B1", "C1", "B2", "D12", "C2", "D21", "D22", "bx", "bv", "by"]


def r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes, identity_output=False):
    """Ordered dict name -> shape of the contracting-R2DN direct parameters (network included).

    identity_output: C2 = I, D21 = 0, D22 = 0, by = 0 are constants, not parameters (ny must be nx).
    """
    shapes = {
        "X": (2 * nx, 2 * nx),
        "p": (1,),
        "Y": (nx, nx),
        "B1": (nx, nv),
        "C1": (nv, nx),
        "B2": (nx, nu),
        "D12": (nv, nu),
        "C2": (ny, nx),
        "D21": (ny, nv),
        "D22": (ny, nu),
        "bx": (nx,),
        "bv": (nv,),
        "by": (ny,),
    }
    if identity_output:
        _check_identity_output(nx, ny)
        for k in OUTPUT_NAMES:
            del shapes[k]
    shapes.update(lbdn_param_shapes(nv, hidden_sizes, nv, prefix="network/"))
    return shapes


OUTPUT_NAMES = ("C2", "D21", "D22", "by")


def _check_identity_output(nx, ny):
    if nx != ny:
        raise ValueError("identity_output needs ny == nx (got nx %d, ny %d)" % (nx, ny))


def identity_output_terms(nu, nx, nv, dtype, device=None):
    """Constant C2 = I, D21 = 0, D22 = 0, by = 0 of an identity-output model (y = x)."""
    return {
        "C2": torch.eye(nx, dtype=dtype, device=device),
        "D21": torch.zeros(nx, nv, dtype=dtype, device=device),
        "D22": torch.zeros(nx, nu, dtype=dtype, device=device),
        "by": torch.zeros(nx, dtype=dtype, device=device),
    }


def count_params(shapes):
    return sum(math.prod(s) for s in shapes.values())


def r2dn_param_count(nu, nx, nv, ny, hidden_sizes, identity_output=False):
    return count_params(r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes, identity_output))


def lbdn_param_count(input_size, hidden_sizes, output_size):
    return count_params(lbdn_param_shapes(input_size, hidden_sizes, output_size))


def polar_h0(X, p, eps=EPS):
    """H0 = p^2 / l2_norm(X)^2 * X^T X + eps I."""
    n = X.shape[0]
    nrm = l2_norm(X, eps)
    I = torch.eye(n, dtype=X.dtype, device=X.device)
    return (p * p) / (nrm * nrm) * (X.T @ X) + eps * I


def r2dn_explicit(params, nx, abar=1.0):
    """Direct -> explicit map of the contracting R2DN (the LTI part; the network is separate).

    H = H0(X, p) + blkdiag(C1^T C1, B1 B1^T); E = (H11 + H22/abar^2 + Y - Y^T)/2; A = E^-1 H21;
    B1 = E^-1 B1. abar = 1 (the default) is the paper's model; abar < 1 is [3P]'s rate-abar version.
    Returns the explicit dict (A, B1, B2, C1, C2, D12, D21, D22, bx, bv, by) plus E, P (= H22) and H.
    If the params have no C2 (identity_output), C2 = I, D21 = 0, D22 = 0, by = 0 are filled in.
    """
    X, p, Y = params["X"], params["p"], params["Y"]
    B1, C1 = params["B1"], params["C1"]
    H = polar_h0(X, p)
    Z = torch.zeros(nx, nx, dtype=X.dtype, device=X.device)
    G = torch.cat([torch.cat([C1.T @ C1, Z], dim=1), torch.cat([Z, B1 @ B1.T], dim=1)], dim=0)
    H = H + G
    H11 = H[:nx, :nx]
    H21 = H[nx:, :nx]
    H22 = H[nx:, nx:]
    if abar != 1.0:
        E = 0.5 * (H11 + H22 / (abar * abar) + Y - Y.T)
    else:
        E = 0.5 * (H11 + H22 + Y - Y.T)
    # One LU factorisation for both right-hand sides.
    sol = torch.linalg.solve(E, torch.cat([H21, B1], dim=1))
    A = sol[:, :nx]
    B1e = sol[:, nx:]
    out = _output_terms(params, params["D12"].shape[1], nx, C1.shape[0])
    return {
        "A": A, "B1": B1e, "B2": params["B2"], "C1": C1, "C2": out["C2"],
        "D12": params["D12"], "D21": out["D21"], "D22": out["D22"],
        "bx": params["bx"], "bv": params["bv"], "by": out["by"],
        "E": E, "P": H22, "H": H,
    }


def _output_terms(params, nu, nx, nv):
    if "C2" in params:
        return {k: params[k] for k in OUTPUT_NAMES}
    X = params["X"]
    return identity_output_terms(nu, nx, nv, X.dtype, X.device)


def r2dn_rollout_reference(exp, layers, x0, u, activation="relu", output_layer="nonlinear"):
    """Literal per-step rollout (batch rows). u: [T, B, nu], x0: [B, nx] -> (y [T, B, ny], x_T)."""
    x = x0
    ys = []
    for t in range(u.shape[0]):
        ut = u[t]
        v = x @ exp["C1"].T + ut @ exp["D12"].T + exp["bv"]
        w = lbdn_apply(layers, v, 1.0, activation, output_layer)
        ys.append(x @ exp["C2"].T + w @ exp["D21"].T + ut @ exp["D22"].T + exp["by"])
        x = x @ exp["A"].T + w @ exp["B1"].T + ut @ exp["B2"].T + exp["bx"]
    return torch.stack(ys, dim=0), x


def r2dn_rollout(exp, layers, x0, u, activation="relu", output_layer="nonlinear"):
    """Same rollout, with every input-only term and the output map done as one batched GEMM.

    Mathematically identical to r2dn_rollout_reference; the sequential loop keeps only
    v = x C1^T + (u D12^T + bv), w = phi(v), x+ = x A^T + w B1^T + (u B2^T + bx).
    """
    T, Bsz, _ = u.shape
    nx = x0.shape[1]
    uv = u @ exp["D12"].T + exp["bv"]          # [T, B, nv]
    ux = u @ exp["B2"].T + exp["bx"]           # [T, B, nx]
    # Fuse the two per-step products with x: x @ [C1; A]^T.
    CA = torch.cat([exp["C1"], exp["A"]], dim=0).T  # [nx, nv + nx]
    nv = exp["C1"].shape[0]
    B1T = exp["B1"].T
    x = x0
    xs, ws = [], []
    for t in range(T):
        xs.append(x)
        xc = x @ CA
        w = lbdn_apply(layers, xc[:, :nv] + uv[t], 1.0, activation, output_layer)
        ws.append(w)
        x = xc[:, nv:] + w @ B1T + ux[t]
    Xs = torch.stack(xs, dim=0)
    Ws = torch.stack(ws, dim=0)
    y = Xs @ exp["C2"].T + Ws @ exp["D21"].T + u @ exp["D22"].T + exp["by"]
    return y, x


def r2dn_forward(params, x0, u, nx, n_hidden, activation="relu", output_layer="nonlinear",
                 reference=True, abar=1.0):
    """Map + rollout. Returns (y, x_T, explicit dict)."""
    exp = r2dn_explicit(params, nx, abar)
    layers = lbdn_explicit(params, n_hidden + 1, prefix="network/")
    roll = r2dn_rollout_reference if reference else r2dn_rollout
    y, xT = roll(exp, layers, x0, u, activation, output_layer)
    return y, xT, exp


def r2dn_loss(y, target, eps=EPS):
    """(1/T) sum_t ( sum_{b,c} (y - target)^2 + eps ): the paper's F16 loss."""
    err = (y - target) ** 2
    per_t = err.reshape(err.shape[0], -1).sum(dim=1) + eps
    return per_t.mean()


def lbdn_loss(y, target):
    return ((y - target) ** 2).sum()


# ---------------------------------------------------------------------------------------------------
# Initialisation (MODELS.md 3); seeded with a torch.Generator
# ---------------------------------------------------------------------------------------------------

_TRUNC_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


def lecun_normal(shape, generator, dtype=torch.float32):
    """Truncated normal on [-2, 2] std, scaled so that the variance is 1/fan_in, fan_in = shape[-2]."""
    fan_in = shape[-2] if len(shape) >= 2 else shape[0]
    std = math.sqrt(1.0 / fan_in) / _TRUNC_STD
    # Inverse-CDF sampling of the standard normal truncated to [-2, 2].
    lo = 0.5 * (1.0 + math.erf(-2.0 / SQRT2))
    hi = 0.5 * (1.0 + math.erf(2.0 / SQRT2))
    uu = torch.rand(shape, generator=generator, dtype=torch.float64)
    uu = lo + (hi - lo) * uu
    z = SQRT2 * torch.erfinv(2.0 * uu - 1.0)
    z = torch.clamp(z, -2.0, 2.0)
    return (std * z).to(dtype)


def init_lbdn(input_size, hidden_sizes, output_size, generator, dtype=torch.float32, prefix=""):
    """JAX LBDN init: XY lecun_normal, a = l2_norm(XY), d = 0, b = 0."""
    params = {}
    for k, (m, n) in enumerate(layer_sizes(input_size, hidden_sizes, output_size)):
        p = "%slayers_%d/" % (prefix, k)
        XY = lecun_normal((m + n, n), generator, dtype)
        params[p + "XY"] = XY
        params[p + "a"] = l2_norm(XY).reshape(1).to(dtype)
        params[p + "d"] = torch.zeros(n, dtype=dtype)
        params[p + "b"] = torch.zeros(n, dtype=dtype)
    return params


def init_r2dn(nu, nx, nv, ny, hidden_sizes, generator, init="long_memory", dtype=torch.float32,
              init_output_zero=False, identity_output=False):
    """Contracting-R2DN init, 'random' or 'long_memory' (MODELS.md 3.1, 3.2)."""
    g = generator
    params = {}
    if init == "random":
        X = lecun_normal((2 * nx, 2 * nx), g, dtype)
        Y = lecun_normal((nx, nx), g, dtype)
        B1 = lecun_normal((nx, nv), g, dtype)
        C1 = lecun_normal((nv, nx), g, dtype)
    elif init == "long_memory":
        eigs = 0.05 * torch.rand(nx, generator=g, dtype=torch.float64)
        Adiag = torch.diag(1.0 - eigs)
        I = torch.eye(nx, dtype=torch.float64)
        H = torch.cat([torch.cat([I, Adiag], dim=1), torch.cat([Adiag, I], dim=1)], dim=0)
        # Upper Cholesky factor (H = X^T X); no +eps I before the factorisation (as in the JAX code).
        X = torch.linalg.cholesky(H).T.contiguous().to(dtype)
        Y = torch.eye(nx, dtype=dtype)
        B1 = torch.zeros(nx, nv, dtype=dtype)
        C1 = torch.zeros(nv, nx, dtype=dtype)
    else:
        raise ValueError("init must be 'random' or 'long_memory', got %r" % (init,))
    params["X"] = X
    params["p"] = l2_norm(X).reshape(1).to(dtype)
    params["Y"] = Y
    params["B1"] = B1
    params["C1"] = C1
    params["B2"] = lecun_normal((nx, nu), g, dtype)
    params["D12"] = lecun_normal((nv, nu), g, dtype)
    if not identity_output:
        params["C2"] = lecun_normal((ny, nx), g, dtype)
        params["D21"] = lecun_normal((ny, nv), g, dtype)
        params["D22"] = torch.zeros(ny, nu, dtype=dtype)
        params["by"] = torch.zeros(ny, dtype=dtype)
    params["bx"] = torch.zeros(nx, dtype=dtype)
    params["bv"] = torch.zeros(nv, dtype=dtype)
    if init_output_zero and not identity_output:
        params["C2"] = torch.zeros(ny, nx, dtype=dtype)
        params["D21"] = torch.zeros(ny, nv, dtype=dtype)
    params.update(init_lbdn(nv, hidden_sizes, nv, g, dtype, prefix="network/"))
    # Keep the canonical order.
    order = list(r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes, identity_output))
    return {k: params[k] for k in order}


# ---------------------------------------------------------------------------------------------------
# Cayley contraction N(X, Y, Z) with ||N||_2 < 1 (MODELS.md 2.3; used for D22, D12, D21)
# ---------------------------------------------------------------------------------------------------

def contraction_shapes(rows, cols):
    """Shapes of the free (X, Y, Z) triple of a rows x cols contraction: d = min(rows, cols)."""
    d = min(rows, cols)
    return (d, d), (d, d), (abs(rows - cols), d)


def cayley_contraction(Xc, Yc, Zc, rows, cols, eps=EPS):
    """rows x cols matrix N with ||N||_2 < 1 from free Xc (d x d), Yc (d x d), Zc (|rows-cols| x d).

    M = Xc^T Xc + Yc - Yc^T + Zc^T Zc + eps I_d   (identity of size d = min(rows, cols); this is the
    correct size, not the JAX code's identity(ny), MODELS.md 6.7).
    rows >= cols: N = [(I-M)(I+M)^-1; -2 Zc (I+M)^-1];  rows < cols: N = [(I+M)^-1(I-M), -2 (I+M)^-1 Zc^T].
    """
    d = min(rows, cols)
    I = torch.eye(d, dtype=Xc.dtype, device=Xc.device)
    M = Xc.T @ Xc + Yc - Yc.T + eps * I
    if Zc.shape[0] > 0:
        M = M + Zc.T @ Zc
    IpM = I + M
    ImM = I - M
    if rows >= cols:
        top = torch.linalg.solve(IpM.T, ImM.T).T          # (I-M)(I+M)^-1
        if rows == cols:
            return top
        bot = -2.0 * torch.linalg.solve(IpM.T, Zc.T).T    # -2 Z (I+M)^-1
        return torch.cat([top, bot], dim=0)
    left = torch.linalg.solve(IpM, ImM)                   # (I+M)^-1 (I-M)
    right = -2.0 * torch.linalg.solve(IpM, Zc.T)          # -2 (I+M)^-1 Z^T
    return torch.cat([left, right], dim=1)


def _chol_solve(R, B):
    """R^-1 B for SPD R (Cholesky)."""
    return torch.cholesky_solve(B, torch.linalg.cholesky(R))


# ---------------------------------------------------------------------------------------------------
# gamma-Lipschitz R2DN, D22 = 0 (MODELS.md 2.8)
# ---------------------------------------------------------------------------------------------------

def lipschitz_r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes):
    """Ordered dict name -> shape of the gamma-Lipschitz R2DN direct parameters (network included)."""
    X12, Y12, Z12 = contraction_shapes(nv, nu)   # D12 is nv x nu
    X21, Y21, Z21 = contraction_shapes(ny, nv)   # D21 is ny x nv
    shapes = {
        "X": (2 * nx, 2 * nx),
        "p": (1,),
        "Y": (nx, nx),
        "B1": (nx, nv),
        "C1": (nv, nx),
        "B2": (nx, nu),
        "C2": (ny, nx),
        "bx": (nx,),
        "bv": (nv,),
        "by": (ny,),
        "X12": X12, "Y12": Y12, "Z12": Z12,
        "X21": X21, "Y21": Y21, "Z21": Z21,
    }
    shapes.update(lbdn_param_shapes(nv, hidden_sizes, nv, prefix="network/"))
    return shapes


def lipschitz_r2dn_explicit(params, nu, nx, nv, ny, gamma, abar=1.0):
    """Direct -> explicit map of the gamma-Lipschitz R2DN with D22 = 0.

    D12 = sqrt(g) N(X12, Y12, Z12), D21 = sqrt(g) N(X21, Y21, Z21);
    T = [[-C2^T D21/g, -C1^T D12], [B1, B2]];  R = blkdiag(I - D21^T D21/g, g I - D12^T D12);
    G = blkdiag(C1^T C1 + C2^T C2/g, 0);  H = H0 + T R^-1 T^T + G;
    E = (H11 + H22/abar^2 + Y - Y^T)/2;  A = E^-1 H21, B1 = E^-1 B1, B2 = E^-1 B2.
    """
    g = float(gamma)
    X, p, Y = params["X"], params["p"], params["Y"]
    B1, C1, B2, C2 = params["B1"], params["C1"], params["B2"], params["C2"]
    dt, dev = X.dtype, X.device
    sg = math.sqrt(g)
    D12 = sg * cayley_contraction(params["X12"], params["Y12"], params["Z12"], nv, nu)
    D21 = sg * cayley_contraction(params["X21"], params["Y21"], params["Z21"], ny, nv)
    T = torch.cat([torch.cat([-(C2.T @ D21) / g, -(C1.T @ D12)], dim=1),
                   torch.cat([B1, B2], dim=1)], dim=0)                      # 2nx x (nv + nu)
    Rw = torch.eye(nv, dtype=dt, device=dev) - (D21.T @ D21) / g
    Ru = g * torch.eye(nu, dtype=dt, device=dev) - D12.T @ D12
    R = torch.block_diag(Rw, Ru)
    G11 = C1.T @ C1 + (C2.T @ C2) / g
    Z = torch.zeros(nx, nx, dtype=dt, device=dev)
    G = torch.cat([torch.cat([G11, Z], dim=1), torch.cat([Z, Z], dim=1)], dim=0)
    H = polar_h0(X, p) + T @ _chol_solve(R, T.T) + G
    H11 = H[:nx, :nx]
    H21 = H[nx:, :nx]
    H22 = H[nx:, nx:]
    E = 0.5 * (H11 + H22 / (abar * abar) + Y - Y.T) if abar != 1.0 else 0.5 * (H11 + H22 + Y - Y.T)
    sol = torch.linalg.solve(E, torch.cat([H21, B1, B2], dim=1))
    return {
        "A": sol[:, :nx], "B1": sol[:, nx:nx + nv], "B2": sol[:, nx + nv:], "C1": C1, "C2": C2,
        "D12": D12, "D21": D21, "D22": torch.zeros(ny, nu, dtype=dt, device=dev),
        "bx": params["bx"], "bv": params["bv"], "by": params["by"],
        "E": E, "P": H22, "H": H, "R": R,
    }


def lipschitz_r2dn_forward(params, x0, u, nu, nx, nv, ny, n_hidden, gamma, abar=1.0,
                           activation="relu", output_layer="nonlinear", reference=True):
    """Map + rollout of the gamma-Lipschitz R2DN. Returns (y, x_T, explicit dict)."""
    exp = lipschitz_r2dn_explicit(params, nu, nx, nv, ny, gamma, abar)
    layers = lbdn_explicit(params, n_hidden + 1, prefix="network/")
    roll = r2dn_rollout_reference if reference else r2dn_rollout
    y, xT = roll(exp, layers, x0, u, activation, output_layer)
    return y, xT, exp


def init_lipschitz_r2dn(nu, nx, nv, ny, hidden_sizes, generator, init="long_memory",
                        dtype=torch.float32):
    """No reference init exists (2.8 is not in any reference code). This one is the contracting R2DN's
    (X, p, Y, B1, C1 per 'long_memory'/'random'; B2, C2 lecun_normal; biases 0; network as the LBDN),
    with every (X, Y, Z) contraction triple set like the REN's X3/Y3/Z3: X = I, Y = 0, Z = 0."""
    base = init_r2dn(nu, nx, nv, ny, hidden_sizes, generator, init=init, dtype=dtype)
    shapes = lipschitz_r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes)
    params = {}
    for k, s in shapes.items():
        if k in base:
            params[k] = base[k]
        elif k in ("X12", "X21"):
            params[k] = torch.eye(s[0], dtype=dtype)
        else:
            params[k] = torch.zeros(s, dtype=dtype)
    return params


# ---------------------------------------------------------------------------------------------------
# Equilibrium layer (MODELS.md 2.5)
# ---------------------------------------------------------------------------------------------------

def equilibrium_reference(D11, b, sigma):
    """Literal forward substitution, batch rows: w_i = sigma(b_i + sum_{j<i} D11_ij w_j).

    Only the strict lower triangle of D11 is read. b: [B, nv] -> w: [B, nv]. Differentiated by plain
    autograd through the loop (as the JAX reference; no implicit-function theorem).
    """
    nv = b.shape[1]
    ws = []
    for i in range(nv):
        s = b[:, i]
        if i > 0:
            s = s + torch.stack(ws, dim=1) @ D11[i, :i]
        ws.append(sigma(s))
    return torch.stack(ws, dim=1)


def equilibrium(D11, b, sigma):
    """Same solve, column-oriented (fewer ops per neuron; used by the batched rollout and for timing).

    z holds the pending pre-activations of neurons i..nv-1; after w_i = sigma(z_i) the column
    D11[i+1:, i] w_i is added to the later ones. Mathematically identical to equilibrium_reference
    (the same strict lower triangle is read, and the sums are accumulated in the same order j = 0..i-1).
    """
    nv = b.shape[1]
    ws = []
    z = b
    for i in range(nv):
        wi = sigma(z[:, 0])
        ws.append(wi)
        if i + 1 < nv:
            z = torch.addcmul(z[:, 1:], wi[:, None], D11[i + 1:, i])
    if not ws:
        return b
    return torch.stack(ws, dim=1)


def equilibrium_ift_grads(D11, b, w, g, activation):
    """Implicit-function-theorem gradients of <g, w> (MODELS.md 2.5, the Julia pullback).

    v = D11 w + b, J = sigma'(v); lambda = (I - J D11)^-T g (unit upper-triangular solve per batch row);
    g_b = J lambda; g_D11 = strict_lower(sum_b g_v w^T). Used to check the autograd gradients.
    """
    v = w @ D11.T + b
    if activation == "relu":
        J = (v > 0).to(v.dtype)
    elif activation == "tanh":
        J = 1.0 - torch.tanh(v) ** 2
    elif activation == "sigmoid":
        sv = torch.sigmoid(v)
        J = sv * (1.0 - sv)
    elif activation == "identity":
        J = torch.ones_like(v)
    else:
        raise ValueError(activation)
    nv = b.shape[1]
    I = torch.eye(nv, dtype=b.dtype, device=b.device)
    L = I - J[:, :, None] * torch.tril(D11, -1)[None]                      # [B, nv, nv], unit lower
    lam = torch.linalg.solve_triangular(L.transpose(1, 2), g[:, :, None], upper=True)[:, :, 0]
    gv = J * lam
    gD11 = torch.tril(gv.T @ w, -1)
    return gv, gD11


# ---------------------------------------------------------------------------------------------------
# RENs: contracting (2.2), gamma-Lipschitz (2.3) and general (Q,S,R) (2.4)
# ---------------------------------------------------------------------------------------------------

def ren_param_shapes(nu, nx, nv, ny, identity_output=False):
    """Ordered dict name -> shape of the REN direct parameters (the same for all three kinds).

    X3/Y3/Z3 (d = min(nu, ny)) are created and counted for every kind, even where unused (contracting,
    d22_zero). The direct D22 is a parameter of every kind; only the contracting REN uses it.
    identity_output (contracting REN): C2, D21, D22 and by are not parameters; X3/Y3/Z3 stay.
    """
    X3, Y3, Z3 = contraction_shapes(ny, nu)
    n = 2 * nx + nv
    shapes = {
        "X": (n, n),
        "p": (1,),
        "Y1": (nx, nx),
        "B2": (nx, nu),
        "D12": (nv, nu),
        "C2": (ny, nx),
        "D21": (ny, nv),
        "D22": (ny, nu),
        "bx": (nx,),
        "bv": (nv,),
        "by": (ny,),
        "X3": X3, "Y3": Y3, "Z3": Z3,
    }
    if identity_output:
        _check_identity_output(nx, ny)
        for k in OUTPUT_NAMES:
            del shapes[k]
    return shapes


def ren_param_count(nu, nx, nv, ny, identity_output=False):
    return count_params(ren_param_shapes(nu, nx, nv, ny, identity_output))


def ren_hmatrix_to_explicit(H, Y1, B2, D12, out, bx, bv, nx, nv, abar=1.0):
    """H ((2nx+nv)^2, blocks nx | nv | nx) -> explicit REN matrices (MODELS.md 2.2 step 2-3).

    P = H33, F = H31, E = (H11 + P/abar^2 + Y1 - Y1^T)/2, B1imp = H32, C1imp = -H21,
    D11imp = -tril(H22, -1), Lambda = diag(H22)/2; A, B1, B2 = E^-1 (F, B1imp, B2) (one LU);
    C1, D11, D12 = Lambda^-1 (C1imp, D11imp, D12) (row scaling). out: C2, D21, D22, by (explicit).
    """
    i1, i2 = nx, nx + nv
    H11 = H[:i1, :i1]
    H21 = H[i1:i2, :i1]
    H22 = H[i1:i2, i1:i2]
    H31 = H[i2:, :i1]
    H32 = H[i2:, i1:i2]
    P = H[i2:, i2:]
    if abar != 1.0:
        E = 0.5 * (H11 + P / (abar * abar) + Y1 - Y1.T)
    else:
        E = 0.5 * (H11 + P + Y1 - Y1.T)
    Lam = 0.5 * torch.diagonal(H22)
    sol = torch.linalg.solve(E, torch.cat([H31, H32, B2], dim=1))
    C1 = -H21 / Lam[:, None]
    D11 = -torch.tril(H22, -1) / Lam[:, None]
    return {
        "A": sol[:, :nx], "B1": sol[:, nx:nx + nv], "B2": sol[:, nx + nv:],
        "C1": C1, "C2": out["C2"], "D11": D11, "D12": D12 / Lam[:, None],
        "D21": out["D21"], "D22": out["D22"],
        "bx": bx, "bv": bv, "by": out["by"],
        "E": E, "P": P, "H": H, "Lambda": Lam,
    }


def ren_contracting_explicit(params, nu, nx, nv, ny, abar=1.0):
    """Contracting REN (2.2): H = H0(X, p). Identity output if the params have no C2."""
    H = polar_h0(params["X"], params["p"])
    out = _output_terms(params, nu, nx, nv)
    return ren_hmatrix_to_explicit(H, params["Y1"], params["B2"], params["D12"], out,
                                   params["bx"], params["bv"], nx, nv, abar)


def ren_d22_contraction(params, nu, ny):
    return cayley_contraction(params["X3"], params["Y3"], params["Z3"], ny, nu)


def ren_lipschitz_explicit(params, nu, nx, nv, ny, gamma, abar=1.0, d22_zero=False):
    """gamma-Lipschitz REN (2.3): D22 = gamma N(X3, Y3, Z3) (or 0), H = H0 + Gamma_R - Gamma_Q."""
    g = float(gamma)
    X, C2, D21, D12, B2 = params["X"], params["C2"], params["D21"], params["D12"], params["B2"]
    dt, dev = X.dtype, X.device
    if d22_zero:
        D22 = torch.zeros(ny, nu, dtype=dt, device=dev)
    else:
        D22 = g * ren_d22_contraction(params, nu, ny)
    C2imp = -(D22.T @ C2) / g
    D21imp = -(D22.T @ D21) / g - D12.T
    R = g * (torch.eye(nu, dtype=dt, device=dev) - (D22.T @ D22) / (g * g))
    MQ = torch.cat([C2, D21, torch.zeros(ny, nx, dtype=dt, device=dev)], dim=1)
    MR = torch.cat([C2imp, D21imp, B2.T], dim=1)
    GQ = -(1.0 / g) * (MQ.T @ MQ)
    GR = MR.T @ _chol_solve(R, MR)
    H = polar_h0(X, params["p"]) + GR - GQ
    out = {"C2": C2, "D21": D21, "D22": D22, "by": params["by"]}
    return ren_hmatrix_to_explicit(H, params["Y1"], B2, D12, out, params["bx"], params["bv"],
                                   nx, nv, abar)


def check_valid_qsr(Q, S, R):
    """Q < 0 and R - S Q^-1 S^T > 0 (the JAX check_valid_qsr)."""
    ok_q = torch.linalg.eigvalsh(0.5 * (Q + Q.T)).max().item() < 0
    W = R - S @ torch.linalg.solve(Q, S.T)
    ok_r = torch.linalg.eigvalsh(0.5 * (W + W.T)).min().item() > 0
    return ok_q and ok_r


def ren_general_explicit(params, nu, nx, nv, ny, Q, S, R, abar=1.0, d22_zero=False, eps=EPS):
    """General (Q,S,R) REN (2.4). Q (ny x ny) < 0, S (nu x ny), R (nu x nu) are constants.

    R1 = L_R^T (I - N^T N) L_R > 0 always; with d22_zero, R1 = R, which must then be positive definite.
    """
    X, C2, D21, D12, B2 = params["X"], params["C2"], params["D21"], params["D12"], params["B2"]
    dt, dev = X.dtype, X.device
    Q = Q.to(dt) - eps * torch.eye(ny, dtype=dt, device=dev)
    R = R.to(dt) + eps * torch.eye(nu, dtype=dt, device=dev)
    S = S.to(dt)
    QinvSt = torch.linalg.solve(Q, S.T)                                     # ny x nu
    if d22_zero:
        D22 = torch.zeros(ny, nu, dtype=dt, device=dev)
    else:
        LQ = torch.linalg.cholesky(-Q).T                                    # upper, LQ^T LQ = -Q
        LR = torch.linalg.cholesky(R - S @ QinvSt).T                        # upper
        N = ren_d22_contraction(params, nu, ny)
        D22 = -QinvSt + torch.linalg.solve_triangular(LQ, N @ LR, upper=True)
    DQS = D22.T @ Q + S                                                     # nu x ny
    C2imp = DQS @ C2
    D21imp = DQS @ D21 - D12.T
    R1 = R + S @ D22 + D22.T @ S.T + D22.T @ Q @ D22
    MQ = torch.cat([C2, D21, torch.zeros(ny, nx, dtype=dt, device=dev)], dim=1)
    MR = torch.cat([C2imp, D21imp, B2.T], dim=1)
    GQ = MQ.T @ Q @ MQ
    GR = MR.T @ _chol_solve(R1, MR)
    H = polar_h0(X, params["p"]) + GR - GQ
    out = {"C2": C2, "D21": D21, "D22": D22, "by": params["by"]}
    return ren_hmatrix_to_explicit(H, params["Y1"], B2, D12, out, params["bx"], params["bv"],
                                   nx, nv, abar)


def ren_explicit(kind, params, nu, nx, nv, ny, abar=1.0, gamma=1.0, Q=None, S=None, R=None,
                 d22_zero=False):
    """kind: 'contracting' | 'lipschitz' | 'general'."""
    if kind == "contracting":
        return ren_contracting_explicit(params, nu, nx, nv, ny, abar)
    if kind == "lipschitz":
        return ren_lipschitz_explicit(params, nu, nx, nv, ny, gamma, abar, d22_zero)
    if kind == "general":
        return ren_general_explicit(params, nu, nx, nv, ny, Q, S, R, abar, d22_zero)
    raise ValueError("unknown REN kind %r" % (kind,))


def ren_rollout_reference(exp, x0, u, activation="relu"):
    """Literal per-step REN rollout (batch rows). u: [T, B, nu], x0: [B, nx] -> (y [T, B, ny], x_T).

    b = x C1^T + u D12^T + bv; w = equilibrium(D11, b); x+ = x A^T + w B1^T + u B2^T + bx;
    y = x C2^T + w D21^T + u D22^T + by.
    """
    sigma = activation_fn(activation)
    x = x0
    ys = []
    for t in range(u.shape[0]):
        ut = u[t]
        b = x @ exp["C1"].T + ut @ exp["D12"].T + exp["bv"]
        w = equilibrium_reference(exp["D11"], b, sigma)
        ys.append(x @ exp["C2"].T + w @ exp["D21"].T + ut @ exp["D22"].T + exp["by"])
        x = x @ exp["A"].T + w @ exp["B1"].T + ut @ exp["B2"].T + exp["bx"]
    return torch.stack(ys, dim=0), x


def ren_rollout(exp, x0, u, activation="relu"):
    """Same rollout with the input-only terms and the output map batched (as r2dn_rollout) and the
    column-oriented equilibrium solve."""
    sigma = activation_fn(activation)
    T = u.shape[0]
    nv = exp["C1"].shape[0]
    uv = u @ exp["D12"].T + exp["bv"]
    ux = u @ exp["B2"].T + exp["bx"]
    CA = torch.cat([exp["C1"], exp["A"]], dim=0).T
    B1T = exp["B1"].T
    D11 = exp["D11"]
    x = x0
    xs, ws = [], []
    for t in range(T):
        xs.append(x)
        xc = x @ CA
        w = equilibrium(D11, xc[:, :nv] + uv[t], sigma)
        ws.append(w)
        x = xc[:, nv:] + w @ B1T + ux[t]
    Xs = torch.stack(xs, dim=0)
    Ws = torch.stack(ws, dim=0)
    y = Xs @ exp["C2"].T + Ws @ exp["D21"].T + u @ exp["D22"].T + exp["by"]
    return y, x


def ren_forward(kind, params, x0, u, nu, nx, nv, ny, activation="relu", reference=True, **kw):
    """Map + rollout of a REN. Returns (y, x_T, explicit dict). kw: abar, gamma, Q, S, R, d22_zero."""
    exp = ren_explicit(kind, params, nu, nx, nv, ny, **kw)
    roll = ren_rollout_reference if reference else ren_rollout
    y, xT = roll(exp, x0, u, activation)
    return y, xT, exp


def init_ren(nu, nx, nv, ny, generator, init="long_memory", dtype=torch.float32,
             identity_output=False, init_output_zero=False):
    """REN init (MODELS.md 3, 3.1, 3.2). X3 = I, Y3 = 0, Z3 = 0, D22 = 0, biases 0, p = l2_norm(X).

    long_memory: eigs = 0.05 U(0,1)^nx; E = I, F = I - diag(eigs), P = I, B1 = C1 = 0;
    D11 ~ lecun_normal (nv x nv), m = max eig(D11 + D11^T), Lambda = (m/2 + 1e-4) I,
    H22 = 2 Lambda - D11 - D11^T; H = [[E+E^T-P, -C1^T, F^T], [-C1, H22, B1^T], [F, B1, P]] + eps I;
    X = upper Cholesky factor of H; Y1 = I.
    """
    g = generator
    n = 2 * nx + nv
    params = {}
    if init == "random":
        X = lecun_normal((n, n), g, dtype)
        Y1 = lecun_normal((nx, nx), g, dtype)
    elif init == "long_memory":
        f64 = torch.float64
        eigs = 0.05 * torch.rand(nx, generator=g, dtype=f64)
        I = torch.eye(nx, dtype=f64)
        E = I
        F = torch.diag(1.0 - eigs)
        P = I
        D11 = lecun_normal((nv, nv), g, f64)
        m = torch.linalg.eigvalsh(D11 + D11.T).max()
        Lam = (m / 2 + 1e-4) * torch.eye(nv, dtype=f64)
        H22 = 2 * Lam - D11 - D11.T
        Zxv = torch.zeros(nx, nv, dtype=f64)
        H = torch.cat([
            torch.cat([E + E.T - P, Zxv, F.T], dim=1),
            torch.cat([Zxv.T, H22, Zxv.T], dim=1),
            torch.cat([F, Zxv, P], dim=1),
        ], dim=0) + EPS * torch.eye(n, dtype=f64)
        X = torch.linalg.cholesky(H).T.contiguous().to(dtype)
        Y1 = torch.eye(nx, dtype=dtype)
    else:
        raise ValueError("init must be 'random' or 'long_memory', got %r" % (init,))
    params["X"] = X
    params["p"] = l2_norm(X).reshape(1).to(dtype)
    params["Y1"] = Y1
    params["B2"] = lecun_normal((nx, nu), g, dtype)
    params["D12"] = lecun_normal((nv, nu), g, dtype)
    if not identity_output:
        params["C2"] = lecun_normal((ny, nx), g, dtype)
        params["D21"] = lecun_normal((ny, nv), g, dtype)
        if init_output_zero:
            params["C2"] = torch.zeros(ny, nx, dtype=dtype)
            params["D21"] = torch.zeros(ny, nv, dtype=dtype)
        params["D22"] = torch.zeros(ny, nu, dtype=dtype)
        params["by"] = torch.zeros(ny, dtype=dtype)
    params["bx"] = torch.zeros(nx, dtype=dtype)
    params["bv"] = torch.zeros(nv, dtype=dtype)
    shapes = ren_param_shapes(nu, nx, nv, ny, identity_output)
    params["X3"] = torch.eye(shapes["X3"][0], dtype=dtype)
    params["Y3"] = torch.zeros(shapes["Y3"], dtype=dtype)
    params["Z3"] = torch.zeros(shapes["Z3"], dtype=dtype)
    return {k: params[k] for k in shapes}


# ---------------------------------------------------------------------------------------------------
# Certificates (MODELS.md 5): quadratic forms that must be negative semidefinite
# ---------------------------------------------------------------------------------------------------

def _sym(A):
    return 0.5 * (A + A.T)


def _lyap_m(exp):
    """M = E^T P^-1 E (V(dx) = dx^T M dx)."""
    E = exp["E"]
    return _sym(E.T @ torch.linalg.solve(exp["P"], E))


def _form_result(terms):
    """(lambda_max of the summed symmetric form, scale = max over the terms of max|entry|)."""
    F = _sym(sum(terms))
    scale = max(float(t.abs().max()) for t in terms)
    return float(torch.linalg.eigvalsh(F).max()), max(scale, 1.0)


def ren_contraction_form(exp, abar=1.0):
    """MODELS.md 5 item 4, over (dx, dw) with the same input:
    [A B1]^T M [A B1] - abar^2 blkdiag(M, 0) + [[0, C1^T L], [L C1, L D11 + D11^T L - 2 L]]."""
    A, B1, C1, D11 = exp["A"], exp["B1"], exp["C1"], exp["D11"]
    L = torch.diag(exp["Lambda"])
    nx, nv = A.shape[0], B1.shape[1]
    M = _lyap_m(exp)
    AB = torch.cat([A, B1], dim=1)
    Zvv = torch.zeros(nv, nv, dtype=A.dtype)
    t1 = AB.T @ M @ AB
    t2 = -(abar * abar) * torch.block_diag(M, Zvv)
    t3 = torch.cat([torch.cat([torch.zeros(nx, nx, dtype=A.dtype), C1.T @ L], dim=1),
                    torch.cat([L @ C1, L @ D11 + D11.T @ L - 2 * L], dim=1)], dim=0)
    return _form_result([t1, t2, t3])


def ren_dissipation_form(exp, Q, S, R, abar=1.0):
    """(Q,S,R) dissipation over z = (dx, dw, du) (MODELS.md 5 items 6, 7), sector term from item 4:

      [A B1 B2]^T M [A B1 B2] - abar^2 blkdiag(M, 0, 0) - [C2 D21 D22; 0 0 I]^T [[Q, S^T], [S, R]] [..]
      + sector, sector = 2 dw^T L (dv - dw), dv = C1 dx + D11 dw + D12 du.

    For the gamma-Lipschitz REN, (Q, S, R) = (-I/g, 0, g I). Q, S, R as given by the user (no eps)."""
    A, B1, B2, C1, D11, D12 = exp["A"], exp["B1"], exp["B2"], exp["C1"], exp["D11"], exp["D12"]
    C2, D21, D22 = exp["C2"], exp["D21"], exp["D22"]
    dt = A.dtype
    L = torch.diag(exp["Lambda"])
    nx, nv, nu, ny = A.shape[0], B1.shape[1], B2.shape[1], C2.shape[0]
    M = _lyap_m(exp)
    ABB = torch.cat([A, B1, B2], dim=1)
    t1 = ABB.T @ M @ ABB
    t2 = -(abar * abar) * torch.block_diag(M, torch.zeros(nv + nu, nv + nu, dtype=dt))
    K = torch.cat([torch.cat([C2, D21, D22], dim=1),
                   torch.cat([torch.zeros(nu, nx + nv, dtype=dt), torch.eye(nu, dtype=dt)], dim=1)],
                  dim=0)
    Wsup = torch.cat([torch.cat([Q, S.T], dim=1), torch.cat([S, R], dim=1)], dim=0).to(dt)
    t3 = -(K.T @ Wsup @ K)
    Sct = torch.zeros(nx + nv + nu, nx + nv + nu, dtype=dt)
    Sct[nx:nx + nv, :nx] = L @ C1
    Sct[nx:nx + nv, nx:nx + nv] = L @ D11 + D11.T @ L - 2 * L
    Sct[nx:nx + nv, nx + nv:] = L @ D12
    Sct = Sct + Sct.T - torch.block_diag(torch.zeros(nx, nx, dtype=dt),
                                         L @ D11 + D11.T @ L - 2 * L,
                                         torch.zeros(nu, nu, dtype=dt))
    return _form_result([t1, t2, t3, Sct])


def r2dn_contraction_form(exp, abar=1.0):
    """MODELS.md 5 item 5 with rate abar, over (dx, dw) for any dw:
    [A B1]^T M [A B1] - abar^2 blkdiag(M, 0) + [C1 0]^T [C1 0] - blkdiag(0, I)."""
    A, B1, C1 = exp["A"], exp["B1"], exp["C1"]
    dt = A.dtype
    nx, nv = A.shape[0], B1.shape[1]
    M = _lyap_m(exp)
    AB = torch.cat([A, B1], dim=1)
    C = torch.cat([C1, torch.zeros(nv, nv, dtype=dt)], dim=1)
    t1 = AB.T @ M @ AB
    t2 = -(abar * abar) * torch.block_diag(M, torch.zeros(nv, nv, dtype=dt))
    t3 = C.T @ C
    t4 = -torch.block_diag(torch.zeros(nx, nx, dtype=dt), torch.eye(nv, dtype=dt))
    return _form_result([t1, t2, t3, t4])


def lipschitz_r2dn_form(exp, gamma, abar=1.0):
    """MODELS.md 5 item 8 over (dx, dw, du):
    [A B1 B2]^T M [..] - abar^2 blkdiag(M,0,0) + K^T K/g - g blkdiag(0,0,I) + C^T C - blkdiag(0,I,0),
    K = [C2 D21 0], C = [C1 0 D12]."""
    g = float(gamma)
    A, B1, B2, C1, C2 = exp["A"], exp["B1"], exp["B2"], exp["C1"], exp["C2"]
    D12, D21 = exp["D12"], exp["D21"]
    dt = A.dtype
    nx, nv, nu, ny = A.shape[0], B1.shape[1], B2.shape[1], C2.shape[0]
    M = _lyap_m(exp)
    ABB = torch.cat([A, B1, B2], dim=1)
    K = torch.cat([C2, D21, torch.zeros(ny, nu, dtype=dt)], dim=1)
    C = torch.cat([C1, torch.zeros(nv, nv, dtype=dt), D12], dim=1)
    t1 = ABB.T @ M @ ABB
    t2 = -(abar * abar) * torch.block_diag(M, torch.zeros(nv + nu, nv + nu, dtype=dt))
    t3 = (K.T @ K) / g
    t4 = -g * torch.block_diag(torch.zeros(nx + nv, nx + nv, dtype=dt), torch.eye(nu, dtype=dt))
    t5 = C.T @ C
    t6 = -torch.block_diag(torch.zeros(nx, nx, dtype=dt), torch.eye(nv, dtype=dt),
                           torch.zeros(nu, nu, dtype=dt))
    return _form_result([t1, t2, t3, t4, t5, t6])


# ---------------------------------------------------------------------------------------------------
# Parameter counts of the paper's models (MODELS.md 4)
# ---------------------------------------------------------------------------------------------------
#
# Convention (reproduces every number of MODELS.md 4.1-4.4): every direct parameter that the model
# creates is counted, including the REN's X3/Y3/Z3 (d = min(nu, ny), Z3 |ny - nu| x d) and its direct
# D22, whether or not the kind uses them. identity_output removes exactly C2, D21, D22 and by (they
# become the constants I, 0, 0, 0) and nothing else: X3/Y3/Z3 stay, sized with the nominal ny (= nx).

PAPER_PARAMETER_COUNTS = [
    # (model, config, expected count, notes)
    ("ren", dict(nu=2, nx=75, nv=150, ny=3, identity_output=False), 96995,
     "F16 REN (MODELS.md 4.1); includes X3 2x2, Y3 2x2, Z3 1x2 and the direct D22"),
    ("r2dn", dict(nu=2, nx=75, nv=75, ny=3, hidden=[87, 87, 87], identity_output=False), 97481,
     "F16 R2DN (MODELS.md 4.1); 4 Sandwich layers"),
    ("ren", dict(nu=2, nx=51, nv=200, ny=51, identity_output=True), 94665,
     "PDE-observer REN (MODELS.md 4.2); identity output drops C2, D21, D22, by; "
     "X3 2x2, Y3 2x2, Z3 49x2 are still counted"),
    ("r2dn", dict(nu=2, nx=51, nv=50, ny=51, hidden=[96] * 4, identity_output=True), 95894,
     "PDE-observer R2DN (MODELS.md 4.2); identity output drops C2, D21, D22, by; 5 Sandwich layers"),
    ("ren", dict(nu=1, nx=10, nv=400, ny=1, identity_output=False), 177735,
     "Youla REN (MODELS.md 4.3); X3 1x1, Y3 1x1, Z3 0x1"),
    ("r2dn", dict(nu=1, nx=10, nv=100, ny=1, hidden=[140] * 4, identity_output=False), 179358,
     "Youla R2DN (MODELS.md 4.3)"),
] + [
    ("ren", dict(nu=1, nx=1, nv=nv, ny=1, identity_output=True), c,
     "expressivity REN (MODELS.md 4.4), identity output")
    for nv, c in zip([20, 30, 40, 60, 80, 100, 128, 200],
                     [530, 1090, 1850, 3970, 6890, 10610, 17162, 41210])
] + [
    ("r2dn", dict(nu=1, nx=1, nv=16, ny=1, hidden=[nh] * 6, identity_output=True), c,
     "expressivity R2DN (MODELS.md 4.4), identity output, 6 hidden layers of width %d" % nh)
    for nh, c in zip([8, 16, 24, 32, 48, 64, 80, 96],
                     [1423, 3887, 7759, 13039, 27823, 48239, 74287, 105967])
]


def model_param_count(model, config):
    """Parameter count of 'ren' (any kind), 'r2dn' (contracting) or 'lipschitz_r2dn'."""
    c = dict(config)
    io = c.get("identity_output", False)
    if model == "ren":
        return ren_param_count(c["nu"], c["nx"], c["nv"], c["ny"], io)
    if model == "r2dn":
        return r2dn_param_count(c["nu"], c["nx"], c["nv"], c["ny"], c["hidden"], io)
    if model == "lipschitz_r2dn":
        return count_params(lipschitz_r2dn_param_shapes(c["nu"], c["nx"], c["nv"], c["ny"],
                                                        c["hidden"]))
    raise ValueError(model)


# ---------------------------------------------------------------------------------------------------
# Cost model
# ---------------------------------------------------------------------------------------------------

def r2dn_macs_per_step(nu, nx, nv, ny, hidden_sizes):
    """Multiply-accumulates per sequence per time step of the unfused explicit model."""
    macs = nx * (nx + nv + nu) + ny * (nx + nv + nu) + nv * (nx + nu)
    for m, n in layer_sizes(nv, hidden_sizes, nv):
        macs += n * m + n * n
    return macs


def ren_macs_per_step(nu, nx, nv, ny):
    """REN MACs per sequence per time step: the same linear maps as the R2DN plus the strictly lower
    triangular D11 w of the equilibrium solve (nv (nv - 1) / 2)."""
    return nx * (nx + nv + nu) + ny * (nx + nv + nu) + nv * (nx + nu) + nv * (nv - 1) // 2


if __name__ == "__main__":
    n = r2dn_param_count(2, 75, 75, 3, (87, 87, 87))
    print("F16 R2DN parameter count:", n)
    assert n == 97481, n
    for model, config, expected, notes in PAPER_PARAMETER_COUNTS:
        got = model_param_count(model, config)
        assert got == expected, (model, config, got, expected)
    print("paper parameter counts (%d models): ok" % len(PAPER_PARAMETER_COUNTS))
