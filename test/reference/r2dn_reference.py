"""PyTorch reference implementation of the Sandwich layer, the LBDN and the contracting R2DN.

Written from the formulas in docs/MODELS.md (sections 1.2, 1.3, 2.1, 2.6, 2.7 and 3). It is used to
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


def r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes):
    """Ordered dict name -> shape of the contracting-R2DN direct parameters (network included)."""
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
    shapes.update(lbdn_param_shapes(nv, hidden_sizes, nv, prefix="network/"))
    return shapes


def count_params(shapes):
    return sum(math.prod(s) for s in shapes.values())


def r2dn_param_count(nu, nx, nv, ny, hidden_sizes):
    return count_params(r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes))


def lbdn_param_count(input_size, hidden_sizes, output_size):
    return count_params(lbdn_param_shapes(input_size, hidden_sizes, output_size))


def polar_h0(X, p, eps=EPS):
    """H0 = p^2 / l2_norm(X)^2 * X^T X + eps I."""
    n = X.shape[0]
    nrm = l2_norm(X, eps)
    I = torch.eye(n, dtype=X.dtype, device=X.device)
    return (p * p) / (nrm * nrm) * (X.T @ X) + eps * I


def r2dn_explicit(params, nx):
    """Direct -> explicit map of the contracting R2DN (the LTI part; the network is separate).

    H = H0(X, p) + blkdiag(C1^T C1, B1 B1^T); E = (H11 + H22 + Y - Y^T)/2; A = E^-1 H21; B1 = E^-1 B1.
    Returns the explicit dict (A, B1, B2, C1, C2, D12, D21, D22, bx, bv, by) plus E and H.
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
    E = 0.5 * (H11 + H22 + Y - Y.T)
    # One LU factorisation for both right-hand sides.
    sol = torch.linalg.solve(E, torch.cat([H21, B1], dim=1))
    A = sol[:, :nx]
    B1e = sol[:, nx:]
    return {
        "A": A, "B1": B1e, "B2": params["B2"], "C1": C1, "C2": params["C2"],
        "D12": params["D12"], "D21": params["D21"], "D22": params["D22"],
        "bx": params["bx"], "bv": params["bv"], "by": params["by"],
        "E": E, "H": H,
    }


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
                 reference=True):
    """Map + rollout. Returns (y, x_T, explicit dict)."""
    exp = r2dn_explicit(params, nx)
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
              init_output_zero=False):
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
    params["C2"] = lecun_normal((ny, nx), g, dtype)
    params["D21"] = lecun_normal((ny, nv), g, dtype)
    params["D22"] = torch.zeros(ny, nu, dtype=dtype)
    params["bx"] = torch.zeros(nx, dtype=dtype)
    params["bv"] = torch.zeros(nv, dtype=dtype)
    params["by"] = torch.zeros(ny, dtype=dtype)
    if init_output_zero:
        params["C2"] = torch.zeros(ny, nx, dtype=dtype)
        params["D21"] = torch.zeros(ny, nv, dtype=dtype)
    params.update(init_lbdn(nv, hidden_sizes, nv, g, dtype, prefix="network/"))
    # Keep the canonical order.
    order = list(r2dn_param_shapes(nu, nx, nv, ny, hidden_sizes))
    return {k: params[k] for k in order}


# ---------------------------------------------------------------------------------------------------
# Cost model
# ---------------------------------------------------------------------------------------------------

def r2dn_macs_per_step(nu, nx, nv, ny, hidden_sizes):
    """Multiply-accumulates per sequence per time step of the unfused explicit model."""
    macs = nx * (nx + nv + nu) + ny * (nx + nv + nu) + nv * (nx + nu)
    for m, n in layer_sizes(nv, hidden_sizes, nv):
        macs += n * m + n * n
    return macs


if __name__ == "__main__":
    n = r2dn_param_count(2, 75, 75, 3, (87, 87, 87))
    print("F16 R2DN parameter count:", n)
    assert n == 97481, n
