"""Generate the golden JSON files used by the C# tests (float64).

Usage:  /usr/bin/python3 test/reference/make_golden.py [--out DIR]

Each file holds a model config, arbitrary random direct parameters, inputs and targets, the outputs,
the loss and the gradients of the loss with respect to every direct parameter. See README.md for the
format. The script also asserts a few sanity properties (Cayley identity, reference vs batched
rollout, torch.autograd.gradcheck on tiny cases, the certificates of MODELS.md section 5 as eigenvalue
tests, the equilibrium-layer IFT gradients, the paper's parameter counts) and writes
golden/parameter_counts.json.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import r2dn_reference as ref  # noqa: E402

DTYPE = torch.float64
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------------------------------
# Serialisation
# ---------------------------------------------------------------------------------------------------

def tensor_json(t):
    t = t.detach().to(torch.float64).contiguous()
    data = [float(v) for v in t.reshape(-1).tolist()]
    for v in data:
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("non-finite value in golden tensor")
    return {"shape": list(t.shape), "data": data}


def dict_json(d, keys=None):
    keys = list(d) if keys is None else keys
    return {k: tensor_json(d[k]) for k in keys}


def write_json(obj, path):
    # json uses float.__repr__, the shortest string that round-trips the float64 exactly.
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    return os.path.getsize(path)


# ---------------------------------------------------------------------------------------------------
# Random golden parameters: N(0, 0.5^2); p and a: |N(0, 0.5^2)| + 0.5; d: N(0, 0.3^2)
# ---------------------------------------------------------------------------------------------------

def random_params(shapes, gen):
    params = {}
    for name, shape in shapes.items():
        leaf = name.rsplit("/", 1)[-1]
        if leaf == "d":
            v = 0.3 * torch.randn(shape, generator=gen, dtype=DTYPE)
        else:
            v = 0.5 * torch.randn(shape, generator=gen, dtype=DTYPE)
            if leaf in ("p", "a"):
                v = v.abs() + 0.5
        params[name] = v
    return params


def grads_of(loss, params):
    names = list(params)
    gs = torch.autograd.grad(loss, [params[k] for k in names], allow_unused=True)
    out = {}
    for k, g in zip(names, gs):
        out[k] = torch.zeros_like(params[k]) if g is None else g
    return out


def check_cayley(layers, tol=1e-10):
    for k, L in enumerate(layers):
        A_T, B_T = L["A_T"], L["B_T"]
        n = A_T.shape[0]
        err = (A_T.T @ A_T + B_T.T @ B_T - torch.eye(n, dtype=A_T.dtype)).abs().max().item()
        assert err < tol, "Cayley identity violated in layer %d: %g" % (k, err)


class PreactivationMargin:
    """Records min |pre-activation| of every relu call inside the block (golden relu cases must stay
    away from the kink so that finite differences in the C# tests do not cross it)."""

    MIN_MARGIN = 1e-3

    def __init__(self, activation):
        self.activation = activation
        self.margin = float("inf")

    def __enter__(self):
        if self.activation == "relu":
            self._orig = ref.ACTIVATIONS["relu"]

            def recording_relu(z):
                if z.numel():
                    self.margin = min(self.margin, float(z.detach().abs().min()))
                return self._orig(z)

            ref.ACTIVATIONS["relu"] = recording_relu
        return self

    def __exit__(self, *exc):
        if self.activation == "relu":
            ref.ACTIVATIONS["relu"] = self._orig
        return False

    def check(self, name):
        if self.activation == "relu":
            assert self.margin >= self.MIN_MARGIN, \
                "%s: a relu pre-activation is %.3g from the kink (pick another seed)" % (name, self.margin)


def assert_nsd(what, form, rel_tol=1e-9):
    """form = (lambda_max, scale) from the r2dn_reference *_form helpers: lambda_max <= rel_tol*scale."""
    lam, scale = form
    assert lam <= rel_tol * scale, "%s: lambda_max = %.3e > %.1e * %.3e" % (what, lam, rel_tol, scale)
    return lam, scale


# ---------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------

def r2dn_case(name, seed, nu, nx, nv, ny, hidden, T, B, activation, output_layer, abar=None):
    """Contracting R2DN case. abar=None: the original cases (no "abar" in the config, no "P")."""
    gen = torch.Generator().manual_seed(seed)
    shapes = ref.r2dn_param_shapes(nu, nx, nv, ny, hidden)
    params = random_params(shapes, gen)
    x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
    u = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
    target = torch.randn(T, B, ny, generator=gen, dtype=DTYPE)

    for v in params.values():
        v.requires_grad_(True)
    rate = 1.0 if abar is None else abar
    with PreactivationMargin(activation) as margin:
        y, xT, exp = ref.r2dn_forward(params, x0, u, nx, len(hidden), activation, output_layer,
                                      reference=True, abar=rate)
    if abar is not None:
        margin.check(name)
    loss = ref.r2dn_loss(y, target)
    grads = grads_of(loss, params)

    # Sanity: Cayley identity, E invertible, batched rollout == literal rollout.
    layers = ref.lbdn_explicit(params, len(hidden) + 1, prefix="network/")
    check_cayley(layers)
    y2, xT2, _ = ref.r2dn_forward(params, x0, u, nx, len(hidden), activation, output_layer,
                                  reference=False, abar=rate)
    assert torch.allclose(y, y2, rtol=1e-12, atol=1e-12), "batched rollout differs (y)"
    assert torch.allclose(xT, xT2, rtol=1e-12, atol=1e-12), "batched rollout differs (xT)"
    resid = (exp["E"] @ exp["A"] - exp["H"][nx:, :nx]).abs().max().item()
    assert resid < 1e-10, resid

    config = {"nu": nu, "nx": nx, "nv": nv, "ny": ny, "hidden": list(hidden),
              "activation": activation, "output_layer": output_layer, "gamma": 1.0}
    explicit_keys = ["A", "B1", "B2", "C1", "C2", "D12", "D21", "D22", "bx", "bv", "by", "E", "H"]
    if abar is not None:
        config["abar"] = float(abar)
        explicit_keys = explicit_keys[:-1] + ["P", "H"]
        assert_nsd("r2dn contraction (%s)" % name, ref.r2dn_contraction_form(exp, rate))
    return {
        "case": name,
        "model": "r2dn",
        "config": config,
        "parameter_count": ref.count_params(shapes),
        "params": dict_json(params),
        "explicit": dict_json(exp, explicit_keys),
        "x0": tensor_json(x0),
        "u": tensor_json(u),
        "target": tensor_json(target),
        "y": tensor_json(y),
        "xT": tensor_json(xT),
        "loss": float(loss.item()),
        "grads": dict_json(grads, list(params)),
    }


def lbdn_case(name, seed, input_size, hidden, output_size, gamma, activation, output_layer, B):
    gen = torch.Generator().manual_seed(seed)
    shapes = ref.lbdn_param_shapes(input_size, hidden, output_size)
    params = random_params(shapes, gen)
    u = torch.randn(B, input_size, generator=gen, dtype=DTYPE)
    target = torch.randn(B, output_size, generator=gen, dtype=DTYPE)

    for v in params.values():
        v.requires_grad_(True)
    y = ref.lbdn_forward(params, u, input_size, hidden, output_size, gamma, activation, output_layer)
    loss = ref.lbdn_loss(y, target)
    grads = grads_of(loss, params)
    check_cayley(ref.lbdn_explicit(params, len(hidden) + 1))

    config = {"input_size": input_size, "hidden": list(hidden), "output_size": output_size,
              "activation": activation, "output_layer": output_layer, "gamma": float(gamma)}
    return {
        "case": name,
        "model": "lbdn",
        "config": config,
        "parameter_count": ref.count_params(shapes),
        "params": dict_json(params),
        "u": tensor_json(u),
        "target": tensor_json(target),
        "y": tensor_json(y),
        "loss": float(loss.item()),
        "grads": dict_json(grads, list(params)),
    }


REN_MODEL = {"contracting": "contracting_ren", "lipschitz": "lipschitz_ren", "general": "general_ren"}
REN_EXPLICIT_KEYS = ["A", "B1", "B2", "C1", "C2", "D11", "D12", "D21", "D22", "bx", "bv", "by",
                     "E", "P", "H", "Lambda"]


def random_qsr(gen, nu, ny):
    """Q = -Xq^T Xq - 0.1 I, S random, R = S Q^-1 S^T + Yr^T Yr + 0.1 I (Xq, S, Yr ~ N(0, 0.5^2))."""
    Xq = 0.5 * torch.randn(ny, ny, generator=gen, dtype=DTYPE)
    S = 0.5 * torch.randn(nu, ny, generator=gen, dtype=DTYPE)
    Yr = 0.5 * torch.randn(nu, nu, generator=gen, dtype=DTYPE)
    Q = -Xq.T @ Xq - 0.1 * torch.eye(ny, dtype=DTYPE)
    R = S @ torch.linalg.solve(Q, S.T) + Yr.T @ Yr + 0.1 * torch.eye(nu, dtype=DTYPE)
    R = 0.5 * (R + R.T)
    assert ref.check_valid_qsr(Q, S, R)
    return Q, S, R


def lipschitz_qsr(gamma, nu, ny):
    return (-torch.eye(ny, dtype=DTYPE) / gamma, torch.zeros(nu, ny, dtype=DTYPE),
            gamma * torch.eye(nu, dtype=DTYPE))


def check_ren_certificate(name, kind, exp, abar, gamma=1.0, qsr=None):
    nu, ny = exp["B2"].shape[1], exp["C2"].shape[0]
    if kind == "contracting":
        return assert_nsd("REN contraction (%s)" % name, ref.ren_contraction_form(exp, abar))
    Q, S, R = lipschitz_qsr(gamma, nu, ny) if kind == "lipschitz" else qsr
    return assert_nsd("REN %s dissipation (%s)" % (kind, name),
                      ref.ren_dissipation_form(exp, Q, S, R, abar))


def check_ren_structure(name, exp, nx):
    D11 = exp["D11"]
    assert torch.count_nonzero(torch.triu(D11)) == 0, "%s: D11 not strictly lower" % name
    assert bool((exp["Lambda"] > 0).all()), name
    Es = exp["E"] + exp["E"].T
    assert torch.linalg.eigvalsh(Es).min() > 0, name
    H = exp["H"]
    resid = (exp["E"] @ exp["A"] - H[nx + D11.shape[0]:, :nx]).abs().max().item()
    assert resid < 1e-10 * max(1.0, H.abs().max().item()), (name, resid)


def equilibrium_golden(name, b, c, D11_explicit, activation):
    """One batch b [B, nv], the case's explicit D11, a random c; w and the gradient of sum(c * w)."""
    b = b.clone().requires_grad_(True)
    D11 = D11_explicit.detach().clone().requires_grad_(True)
    sigma = ref.activation_fn(activation)
    with PreactivationMargin(activation) as margin:
        w = ref.equilibrium_reference(D11, b, sigma)
    margin.check(name + " (equilibrium)")
    gb, gD = torch.autograd.grad((c * w).sum(), [b, D11])
    # Checks: residual, the column-oriented solve, triu(dD11) = 0, IFT gradients (MODELS.md 2.5).
    res = (w - sigma(w @ D11.T + b)).abs().max().item()
    assert res < 1e-12, (name, res)
    w2 = ref.equilibrium(D11, b, sigma)
    assert torch.allclose(w, w2, rtol=1e-12, atol=1e-13), name
    assert torch.count_nonzero(torch.triu(gD)) == 0, name
    gv, gD_ift = ref.equilibrium_ift_grads(D11.detach(), b.detach(), w.detach(), c, activation)
    for got, want in ((gv, gb), (gD_ift, gD)):
        rel = ((got - want).norm() / want.norm().clamp_min(1e-300)).item()
        assert rel < 1e-12, (name, rel)
    return {"b": tensor_json(b), "D11": tensor_json(D11), "c": tensor_json(c), "w": tensor_json(w),
            "grad_b": tensor_json(gb), "grad_D11": tensor_json(gD)}


def ren_case(name, seed, kind, nu, nx, nv, ny, T, B, activation, abar=1.0, gamma=1.0,
             d22_zero=False):
    gen = torch.Generator().manual_seed(seed)
    shapes = ref.ren_param_shapes(nu, nx, nv, ny)
    params = random_params(shapes, gen)
    x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
    u = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
    target = torch.randn(T, B, ny, generator=gen, dtype=DTYPE)
    # Then the equilibrium sample (b, c), then the (Q,S,R) of the general case.
    b_eq = torch.randn(B, nv, generator=gen, dtype=DTYPE)
    c_eq = torch.randn(B, nv, generator=gen, dtype=DTYPE)
    Q = S = R = None
    if kind == "general":
        Q, S, R = random_qsr(gen, nu, ny)
    kw = dict(abar=abar, gamma=gamma, Q=Q, S=S, R=R, d22_zero=d22_zero)

    for v in params.values():
        v.requires_grad_(True)
    with PreactivationMargin(activation) as margin:
        y, xT, exp = ref.ren_forward(kind, params, x0, u, nu, nx, nv, ny, activation,
                                     reference=True, **kw)
    margin.check(name)
    loss = ref.r2dn_loss(y, target)
    grads = grads_of(loss, params)

    y2, xT2, _ = ref.ren_forward(kind, params, x0, u, nu, nx, nv, ny, activation, reference=False, **kw)
    assert torch.allclose(y, y2, rtol=1e-12, atol=1e-12), "batched REN rollout differs (y)"
    assert torch.allclose(xT, xT2, rtol=1e-12, atol=1e-12), "batched REN rollout differs (xT)"
    check_ren_structure(name, exp, nx)
    cert = check_ren_certificate(name, kind, exp, abar, gamma, (Q, S, R))
    if kind == "lipschitz":
        n2 = torch.linalg.matrix_norm(exp["D22"], 2).item()
        assert n2 < gamma, (name, n2)

    eq = equilibrium_golden(name, b_eq, c_eq, exp["D11"], activation)

    config = {"nu": nu, "nx": nx, "nv": nv, "ny": ny, "activation": activation,
              "abar": float(abar), "gamma": float(gamma), "d22_zero": bool(d22_zero),
              "identity_output": False}
    if kind == "general":
        config["Q"] = Q.tolist()
        config["S"] = S.tolist()
        config["R"] = R.tolist()
    return {
        "case": name,
        "model": REN_MODEL[kind],
        "config": config,
        "parameter_count": ref.count_params(shapes),
        "params": dict_json(params),
        "explicit": dict_json(exp, REN_EXPLICIT_KEYS),
        "x0": tensor_json(x0),
        "u": tensor_json(u),
        "target": tensor_json(target),
        "y": tensor_json(y),
        "xT": tensor_json(xT),
        "loss": float(loss.item()),
        "grads": dict_json(grads, list(params)),
        "equilibrium": eq,
    }, cert


def lipschitz_r2dn_case(name, seed, nu, nx, nv, ny, hidden, T, B, activation, gamma, abar=1.0,
                        output_layer="nonlinear"):
    gen = torch.Generator().manual_seed(seed)
    shapes = ref.lipschitz_r2dn_param_shapes(nu, nx, nv, ny, hidden)
    params = random_params(shapes, gen)
    x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
    u = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
    target = torch.randn(T, B, ny, generator=gen, dtype=DTYPE)

    for v in params.values():
        v.requires_grad_(True)
    args = (params, x0, u, nu, nx, nv, ny, len(hidden), gamma, abar, activation, output_layer)
    with PreactivationMargin(activation) as margin:
        y, xT, exp = ref.lipschitz_r2dn_forward(*args, reference=True)
    margin.check(name)
    loss = ref.r2dn_loss(y, target)
    grads = grads_of(loss, params)

    check_cayley(ref.lbdn_explicit(params, len(hidden) + 1, prefix="network/"))
    y2, xT2, _ = ref.lipschitz_r2dn_forward(*args, reference=False)
    assert torch.allclose(y, y2, rtol=1e-12, atol=1e-12), "batched rollout differs (y)"
    assert torch.allclose(xT, xT2, rtol=1e-12, atol=1e-12), "batched rollout differs (xT)"
    resid = (exp["E"] @ exp["A"] - exp["H"][nx:, :nx]).abs().max().item()
    assert resid < 1e-10 * max(1.0, exp["H"].abs().max().item()), resid
    check_lipschitz_r2dn_structure(name, exp, gamma)
    cert = assert_nsd("Lipschitz R2DN (%s)" % name, ref.lipschitz_r2dn_form(exp, gamma, abar))

    config = {"nu": nu, "nx": nx, "nv": nv, "ny": ny, "hidden": list(hidden),
              "activation": activation, "output_layer": output_layer, "gamma": float(gamma),
              "abar": float(abar)}
    explicit_keys = ["A", "B1", "B2", "C1", "C2", "D12", "D21", "D22", "bx", "bv", "by", "E", "P",
                     "H"]
    return {
        "case": name,
        "model": "lipschitz_r2dn",
        "config": config,
        "parameter_count": ref.count_params(shapes),
        "params": dict_json(params),
        "explicit": dict_json(exp, explicit_keys),
        "x0": tensor_json(x0),
        "u": tensor_json(u),
        "target": tensor_json(target),
        "y": tensor_json(y),
        "xT": tensor_json(xT),
        "loss": float(loss.item()),
        "grads": dict_json(grads, list(params)),
    }, cert


def check_lipschitz_r2dn_structure(name, exp, gamma):
    sg = gamma ** 0.5
    for k in ("D12", "D21"):
        n2 = torch.linalg.matrix_norm(exp[k], 2).item()
        assert n2 < sg, (name, k, n2, sg)
    assert torch.linalg.eigvalsh(exp["R"]).min() > 0, name
    assert torch.count_nonzero(exp["D22"]) == 0, name


# ---------------------------------------------------------------------------------------------------
# Certificates and gains at random, badly scaled parameters (MODELS.md 5: "for every parameter value")
# ---------------------------------------------------------------------------------------------------

def certificate_sweep():
    """lambda_max <= 1e-9 * scale for every model at random parameters, scaled by 1 and 3, with
    abar in {1, 0.7}; also the multi-step gain sum|dy|^2 <= g^2 sum|du|^2 from a common x0."""
    worst = {}
    gen = torch.Generator().manual_seed(2024)

    def note(key, res):
        lam, scale = res
        worst[key] = max(worst.get(key, -float("inf")), lam / scale)

    sizes = [(2, 3, 4, 2), (3, 2, 5, 1), (2, 3, 4, 3), (1, 2, 3, 4), (4, 2, 2, 4)]
    for nu, nx, nv, ny in sizes:
        for scale in (1.0, 3.0):
            for abar in (1.0, 0.7):
                shapes = ref.ren_param_shapes(nu, nx, nv, ny)
                p = {k: scale * v for k, v in random_params(shapes, gen).items()}
                e = ref.ren_contracting_explicit(p, nu, nx, nv, ny, abar)
                note("contracting_ren", assert_nsd("sweep contracting REN",
                                                   ref.ren_contraction_form(e, abar)))
                for gamma in (2.5, 0.3):
                    for dz in (False, True):
                        e = ref.ren_lipschitz_explicit(p, nu, nx, nv, ny, gamma, abar, dz)
                        Q, S, R = lipschitz_qsr(gamma, nu, ny)
                        note("lipschitz_ren", assert_nsd("sweep Lipschitz REN",
                                                         ref.ren_dissipation_form(e, Q, S, R, abar)))
                Q, S, R = random_qsr(gen, nu, ny)
                # d22_zero needs R > 0 (then R1 = R); the random R = S Q^-1 S^T + ... may be indefinite.
                r_pd = torch.linalg.eigvalsh(R).min().item() > 0
                for dz in ((False, True) if r_pd else (False,)):
                    e = ref.ren_general_explicit(p, nu, nx, nv, ny, Q, S, R, abar, dz)
                    note("general_ren", assert_nsd("sweep general REN",
                                                   ref.ren_dissipation_form(e, Q, S, R, abar)))
                hidden = [3, 2]
                shapes = ref.r2dn_param_shapes(nu, nx, nv, ny, hidden)
                p = {k: scale * v for k, v in random_params(shapes, gen).items()}
                e = ref.r2dn_explicit(p, nx, abar)
                note("r2dn", assert_nsd("sweep R2DN", ref.r2dn_contraction_form(e, abar)))
                shapes = ref.lipschitz_r2dn_param_shapes(nu, nx, nv, ny, hidden)
                p = {k: scale * v for k, v in random_params(shapes, gen).items()}
                for gamma in (3.0, 0.5):
                    e = ref.lipschitz_r2dn_explicit(p, nu, nx, nv, ny, gamma, abar)
                    check_lipschitz_r2dn_structure("sweep", e, gamma)
                    note("lipschitz_r2dn", assert_nsd("sweep Lipschitz R2DN",
                                                      ref.lipschitz_r2dn_form(e, gamma, abar)))

    # Multi-step incremental gain from a common initial state (random pairs of input sequences).
    gains = {}
    nu, nx, nv, ny, T, B = 2, 3, 4, 3, 20, 64
    for act in ("tanh", "relu"):
        gamma = 1.7
        shapes = ref.ren_param_shapes(nu, nx, nv, ny)
        p = random_params(shapes, gen)
        x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
        u1 = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
        u2 = u1 + 0.3 * torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
        ya, _, _ = ref.ren_forward("lipschitz", p, x0, u1, nu, nx, nv, ny, act, False, gamma=gamma)
        yb, _, _ = ref.ren_forward("lipschitz", p, x0, u2, nu, nx, nv, ny, act, False, gamma=gamma)
        r = (((ya - yb) ** 2).sum(dim=(0, 2)) / ((u1 - u2) ** 2).sum(dim=(0, 2))).sqrt().max().item()
        assert r <= gamma * (1 + 1e-9), ("Lipschitz REN gain", r)
        gains["lipschitz_ren_" + act] = r / gamma
        hidden = [5]
        shapes = ref.lipschitz_r2dn_param_shapes(nu, nx, nv, ny, hidden)
        p = random_params(shapes, gen)
        ya, _, _ = ref.lipschitz_r2dn_forward(p, x0, u1, nu, nx, nv, ny, 1, gamma, 1.0, act,
                                              reference=False)
        yb, _, _ = ref.lipschitz_r2dn_forward(p, x0, u2, nu, nx, nv, ny, 1, gamma, 1.0, act,
                                              reference=False)
        r = (((ya - yb) ** 2).sum(dim=(0, 2)) / ((u1 - u2) ** 2).sum(dim=(0, 2))).sqrt().max().item()
        assert r <= gamma * (1 + 1e-9), ("Lipschitz R2DN gain", r)
        gains["lipschitz_r2dn_" + act] = r / gamma
    return worst, gains


def parameter_counts_json():
    out = []
    for model, config, expected, notes in ref.PAPER_PARAMETER_COUNTS:
        got = ref.model_param_count(model, config)
        assert got == expected, (model, config, got, expected)
        out.append({"model": model, "config": dict(config), "parameter_count": got, "notes": notes})
    return out


# ---------------------------------------------------------------------------------------------------
# gradcheck on tiny cases
# ---------------------------------------------------------------------------------------------------

def gradcheck_r2dn(activation, output_layer, hidden, abar=1.0):
    nu, nx, nv, ny, T, B = 2, 2, 3, 2, 3, 2
    gen = torch.Generator().manual_seed(123)
    shapes = ref.r2dn_param_shapes(nu, nx, nv, ny, hidden)
    names = list(shapes)
    base = random_params(shapes, gen)
    x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
    u = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
    target = torch.randn(T, B, ny, generator=gen, dtype=DTYPE)

    def f(*tensors):
        p = dict(zip(names, tensors))
        y, _, _ = ref.r2dn_forward(p, x0, u, nx, len(hidden), activation, output_layer, abar=abar)
        return ref.r2dn_loss(y, target)

    inputs = tuple(base[k].clone().requires_grad_(True) for k in names)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)


def gradcheck_ren(kind, activation, abar=1.0, gamma=1.0, d22_zero=False, nu=2, ny=2):
    """Finite differences through direct -> explicit -> equilibrium -> rollout (autograd, float64)."""
    nx, nv, T, B = 2, 3, 3, 2
    gen = torch.Generator().manual_seed(124)
    shapes = ref.ren_param_shapes(nu, nx, nv, ny)
    names = list(shapes)
    base = random_params(shapes, gen)
    x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
    u = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
    target = torch.randn(T, B, ny, generator=gen, dtype=DTYPE)
    Q = S = R = None
    if kind == "general":
        Q, S, R = random_qsr(gen, nu, ny)

    def f(*tensors):
        p = dict(zip(names, tensors))
        y, _, _ = ref.ren_forward(kind, p, x0, u, nu, nx, nv, ny, activation, abar=abar,
                                  gamma=gamma, Q=Q, S=S, R=R, d22_zero=d22_zero)
        return ref.r2dn_loss(y, target)

    inputs = tuple(base[k].clone().requires_grad_(True) for k in names)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)


def gradcheck_lipschitz_r2dn(activation, hidden, gamma, abar=1.0, nu=2, nv=3, ny=2):
    nx, T, B = 2, 3, 2
    gen = torch.Generator().manual_seed(125)
    shapes = ref.lipschitz_r2dn_param_shapes(nu, nx, nv, ny, hidden)
    names = list(shapes)
    base = random_params(shapes, gen)
    x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
    u = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
    target = torch.randn(T, B, ny, generator=gen, dtype=DTYPE)

    def f(*tensors):
        p = dict(zip(names, tensors))
        y, _, _ = ref.lipschitz_r2dn_forward(p, x0, u, nu, nx, nv, ny, len(hidden), gamma, abar,
                                             activation)
        return ref.r2dn_loss(y, target)

    inputs = tuple(base[k].clone().requires_grad_(True) for k in names)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)


def gradcheck_lbdn(activation, output_layer):
    m, hidden, n, gamma, B = 3, [4, 2], 2, 1.7, 3
    gen = torch.Generator().manual_seed(321)
    shapes = ref.lbdn_param_shapes(m, hidden, n)
    names = list(shapes)
    base = random_params(shapes, gen)
    u = torch.randn(B, m, generator=gen, dtype=DTYPE)
    target = torch.randn(B, n, generator=gen, dtype=DTYPE)

    def f(*tensors):
        p = dict(zip(names, tensors))
        return ref.lbdn_loss(ref.lbdn_forward(p, u, m, hidden, n, gamma, activation, output_layer),
                             target)

    inputs = tuple(base[k].clone().requires_grad_(True) for k in names)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)


# ---------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "golden"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    # Parameter count of the paper's F16 R2DN.
    f16 = dict(nu=2, nx=75, nv=75, ny=3, hidden=[87, 87, 87])
    count = ref.r2dn_param_count(f16["nu"], f16["nx"], f16["nv"], f16["ny"], f16["hidden"])
    assert count == 97481, count

    # Gradient checks against finite differences.
    gradcheck_r2dn("tanh", "nonlinear", [3])
    gradcheck_r2dn("tanh", "linear", [3])
    gradcheck_r2dn("relu", "nonlinear", [])
    gradcheck_lbdn("tanh", "nonlinear")
    gradcheck_lbdn("tanh", "linear")
    gradcheck_lbdn("relu", "nonlinear")
    gradcheck_r2dn("tanh", "nonlinear", [3], abar=0.8)
    gradcheck_ren("contracting", "tanh")
    gradcheck_ren("contracting", "relu", abar=0.7)
    gradcheck_ren("lipschitz", "tanh", gamma=2.0, nu=2, ny=3)
    gradcheck_ren("lipschitz", "tanh", gamma=0.8, nu=3, ny=2, abar=0.9)
    gradcheck_ren("lipschitz", "tanh", gamma=1.3, d22_zero=True)
    gradcheck_ren("general", "tanh")
    gradcheck_ren("general", "sigmoid", abar=0.9, nu=1, ny=3)
    gradcheck_lipschitz_r2dn("tanh", [3], 2.0)
    gradcheck_lipschitz_r2dn("relu", [], 0.6, abar=0.9, nu=3, nv=2, ny=4)
    print("gradcheck: ok")

    worst, gains = certificate_sweep()
    print("certificates at random/scaled params, max lambda_max/scale: "
          + ", ".join("%s %.2e" % kv for kv in worst.items()))
    print("multi-step gain / gamma (<= 1): " + ", ".join("%s %.3f" % kv for kv in gains.items()))

    cases = [
        r2dn_case("r2dn_relu_small", 1, nu=2, nx=3, nv=4, ny=2, hidden=[5, 6], T=7, B=3,
                  activation="relu", output_layer="nonlinear"),
        r2dn_case("r2dn_tanh_linear", 2, nu=3, nx=4, nv=5, ny=2, hidden=[6], T=5, B=2,
                  activation="tanh", output_layer="linear"),
        r2dn_case("r2dn_relu_nohidden", 3, nu=1, nx=2, nv=3, ny=1, hidden=[], T=4, B=2,
                  activation="relu", output_layer="nonlinear"),
        lbdn_case("lbdn_relu", 4, input_size=4, hidden=[5, 3], output_size=2, gamma=2.5,
                  activation="relu", output_layer="nonlinear", B=6),
        lbdn_case("lbdn_tanh_linear", 5, input_size=3, hidden=[4, 4], output_size=3, gamma=0.7,
                  activation="tanh", output_layer="linear", B=5),
    ]
    cases.append({
        "case": "r2dn_f16_count",
        "model": "r2dn",
        "config": {"nu": f16["nu"], "nx": f16["nx"], "nv": f16["nv"], "ny": f16["ny"],
                   "hidden": f16["hidden"], "activation": "relu", "output_layer": "nonlinear",
                   "gamma": 1.0},
        "parameter_count": count,
    })

    T, B = 6, 3
    new_cases = [
        ren_case("ren_contracting_small", 11, "contracting", nu=2, nx=3, nv=4, ny=2, T=T, B=B,
                 activation="relu", abar=1.0),
        ren_case("ren_contracting_abar", 12, "contracting", nu=3, nx=2, nv=5, ny=1, T=T, B=B,
                 activation="tanh", abar=0.8),
        ren_case("ren_lipschitz_small", 13, "lipschitz", nu=2, nx=3, nv=4, ny=3, T=T, B=B,
                 activation="tanh", gamma=2.5),
        ren_case("ren_lipschitz_wide", 18, "lipschitz", nu=3, nx=3, nv=4, ny=2, T=T, B=B,
                 activation="relu", gamma=0.7),
        ren_case("ren_general_qsr", 15, "general", nu=2, nx=3, nv=4, ny=2, T=T, B=B,
                 activation="tanh"),
        (r2dn_case("r2dn_contracting_abar", 16, nu=2, nx=3, nv=4, ny=2, hidden=[4], T=T, B=B,
                   activation="tanh", output_layer="nonlinear", abar=0.9), None),
        lipschitz_r2dn_case("r2dn_lipschitz_small", 17, nu=2, nx=3, nv=4, ny=2, hidden=[5], T=T,
                            B=B, activation="tanh", gamma=3.0),
        lipschitz_r2dn_case("r2dn_lipschitz_relu", 30, nu=3, nx=2, nv=3, ny=4, hidden=[4, 3], T=T,
                            B=B, activation="relu", gamma=0.5),
    ]
    for c, cert in new_cases:
        cases.append(c)
        if cert is not None:
            print("%-24s certificate lambda_max = %.3e (scale %.3g)" % (c["case"], cert[0], cert[1]))

    path = os.path.join(args.out, "parameter_counts.json")
    size = write_json(parameter_counts_json(), path)
    print("%-28s %7d bytes %d models" % (os.path.relpath(path), size, len(ref.PAPER_PARAMETER_COUNTS)))

    for c in cases:
        path = os.path.join(args.out, c["case"] + ".json")
        size = write_json(c, path)
        extra = " loss=%r" % c["loss"] if "loss" in c else " parameter_count=%d" % c["parameter_count"]
        print("%-28s %7d bytes%s" % (os.path.relpath(path), size, extra))
        assert size < 300_000, "golden file too large: %s" % path


if __name__ == "__main__":
    main()
