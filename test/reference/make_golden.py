"""Generate the golden JSON files used by the C# tests (float64).

Usage:  /usr/bin/python3 test/reference/make_golden.py [--out DIR]

Each file holds a model config, arbitrary random direct parameters, inputs and targets, the outputs,
the loss and the gradients of the loss with respect to every direct parameter. See README.md for the
format. The script also asserts a few sanity properties (Cayley identity, reference vs batched
rollout, torch.autograd.gradcheck on tiny cases).
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


# ---------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------

def r2dn_case(name, seed, nu, nx, nv, ny, hidden, T, B, activation, output_layer):
    gen = torch.Generator().manual_seed(seed)
    shapes = ref.r2dn_param_shapes(nu, nx, nv, ny, hidden)
    params = random_params(shapes, gen)
    x0 = torch.randn(B, nx, generator=gen, dtype=DTYPE)
    u = torch.randn(T, B, nu, generator=gen, dtype=DTYPE)
    target = torch.randn(T, B, ny, generator=gen, dtype=DTYPE)

    for v in params.values():
        v.requires_grad_(True)
    y, xT, exp = ref.r2dn_forward(params, x0, u, nx, len(hidden), activation, output_layer,
                                  reference=True)
    loss = ref.r2dn_loss(y, target)
    grads = grads_of(loss, params)

    # Sanity: Cayley identity, E invertible, batched rollout == literal rollout.
    layers = ref.lbdn_explicit(params, len(hidden) + 1, prefix="network/")
    check_cayley(layers)
    y2, xT2, _ = ref.r2dn_forward(params, x0, u, nx, len(hidden), activation, output_layer,
                                  reference=False)
    assert torch.allclose(y, y2, rtol=1e-12, atol=1e-12), "batched rollout differs (y)"
    assert torch.allclose(xT, xT2, rtol=1e-12, atol=1e-12), "batched rollout differs (xT)"
    resid = (exp["E"] @ exp["A"] - exp["H"][nx:, :nx]).abs().max().item()
    assert resid < 1e-10, resid

    config = {"nu": nu, "nx": nx, "nv": nv, "ny": ny, "hidden": list(hidden),
              "activation": activation, "output_layer": output_layer, "gamma": 1.0}
    explicit_keys = ["A", "B1", "B2", "C1", "C2", "D12", "D21", "D22", "bx", "bv", "by", "E", "H"]
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


# ---------------------------------------------------------------------------------------------------
# gradcheck on tiny cases
# ---------------------------------------------------------------------------------------------------

def gradcheck_r2dn(activation, output_layer, hidden):
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
        y, _, _ = ref.r2dn_forward(p, x0, u, nx, len(hidden), activation, output_layer)
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
    print("gradcheck: ok")

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

    for c in cases:
        path = os.path.join(args.out, c["case"] + ".json")
        size = write_json(c, path)
        extra = " loss=%r" % c["loss"] if "loss" in c else " parameter_count=%d" % c["parameter_count"]
        print("%-28s %7d bytes%s" % (os.path.relpath(path), size, extra))
        assert size < 300_000, "golden file too large: %s" % path


if __name__ == "__main__":
    main()
