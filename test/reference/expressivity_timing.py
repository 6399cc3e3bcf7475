"""PyTorch version of the expressivity timing study (MODELS.md 4.4; float32, eager mode, CPU).

  /usr/bin/python3 test/reference/expressivity_timing.py --threads 2 --repeats 20 [--json]

Models (nx = nu = ny = 1, identity output, init "random", as in the paper's scripts):
  REN  tanh, nv in {20, 30, 40, 60, 80, 100, 128, 200};
  R2DN relu, nv = 16, 6 hidden layers of width nh in {8, 16, 24, 32, 48, 64, 80, 96}.
Each configuration is built with fresh parameters; batch 64, horizon 128, random x0 and u ~ N(0, 1).
  forward  = direct -> explicit map + rollout under torch.no_grad();
  backward = gradient of mean(x_T^2) + mean(y^2) with respect to every parameter (forward included,
             as jax.grad).
After --warmup untimed calls, the mean (and the median) over --repeats calls is reported.

Besides the table, it prints the least-squares slope of log(time) against log(expressivity), using the
per-size mean expressivities read off the paper's figures (MODELS.md 4.6). The paper fits all raw
points (5 seeds), so this is only a rough comparison with its slopes (REN 0.63 / 0.61, R2DN 0.073 /
0.098 for forward / backward).
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import r2dn_reference as ref  # noqa: E402

REN_SIZES = [20, 30, 40, 60, 80, 100, 128, 200]
R2DN_WIDTHS = [8, 16, 24, 32, 48, 64, 80, 96]
R2DN_NV = 16
R2DN_DEPTH = 6

# Mean 1/NRMSE% over 5 seeds, read off the paper's figures (MODELS.md 4.6).
PAPER_EXPRESSIVITY = {
    "ren": [0.164, 0.216, 0.254, 0.461, 0.896, 1.64, 2.52, 4.04],
    "r2dn": [0.151, 0.247, 0.414, 0.664, 1.55, 1.98, 2.66, 3.13],
}


def build(model, size, gen, dtype):
    """(params, run) for one configuration; run(x0, u) -> (y, x_T)."""
    if model == "ren":
        nv = size
        params = ref.init_ren(1, 1, nv, 1, gen, init="random", dtype=dtype, identity_output=True)

        def run(x0, u):
            y, xT, _ = ref.ren_forward("contracting", params, x0, u, 1, 1, nv, 1, "tanh",
                                       reference=False)
            return y, xT
    else:
        hidden = [size] * R2DN_DEPTH
        params = ref.init_r2dn(1, 1, R2DN_NV, 1, hidden, gen, init="random", dtype=dtype,
                               identity_output=True)

        def run(x0, u):
            y, xT, _ = ref.r2dn_forward(params, x0, u, 1, len(hidden), "relu", "nonlinear",
                                        reference=False)
            return y, xT
    return params, run


def timed(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return ts


def slope(xs, ys):
    lx = [math.log(v) for v in xs]
    ly = [math.log(v) for v in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sxx


def main():
    ap = argparse.ArgumentParser(description="PyTorch expressivity timing study (MODELS.md 4.4)")
    ap.add_argument("--models", default="ren,r2dn", help="comma list of ren, r2dn")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--horizon", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON object per configuration")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    dtype = torch.float32
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in models:
        if m not in ("ren", "r2dn"):
            raise SystemExit("unknown model %r" % m)

    if not args.json:
        print("PyTorch %s expressivity timing: batch %d, horizon %d, threads %d, float32, eager, "
              "mean of %d repeats after %d warm-up"
              % (torch.__version__, args.batch, args.horizon, args.threads, args.repeats, args.warmup))
        print("%-5s %-8s %8s %12s %12s" % ("model", "size", "params", "forward s", "backward s"))

    rows = []
    for model in models:
        sizes = REN_SIZES if model == "ren" else R2DN_WIDTHS
        for k, size in enumerate(sizes):
            gen = torch.Generator().manual_seed(args.seed + k)
            params, run = build(model, size, gen, dtype)
            plist = list(params.values())
            for v in plist:
                v.requires_grad_(True)
            n_params = ref.count_params({n: tuple(v.shape) for n, v in params.items()})
            x0 = torch.randn(args.batch, 1, generator=gen, dtype=dtype)
            u = torch.randn(args.horizon, args.batch, 1, generator=gen, dtype=dtype)

            def forward():
                with torch.no_grad():
                    return run(x0, u)

            def backward():
                y, xT = run(x0, u)
                loss = (xT ** 2).mean() + (y ** 2).mean()
                return torch.autograd.grad(loss, plist, allow_unused=True)  # X3/Y3/Z3 unused

            fwd = timed(forward, args.repeats, args.warmup)
            bwd = timed(backward, args.repeats, args.warmup)
            row = {
                "implementation": "pytorch",
                "torch_version": torch.__version__,
                "model": model,
                "size_name": "nv" if model == "ren" else "nh",
                "size": size,
                "nv": size if model == "ren" else R2DN_NV,
                "hidden": [] if model == "ren" else [size] * R2DN_DEPTH,
                "activation": "tanh" if model == "ren" else "relu",
                "parameters": n_params,
                "batch": args.batch,
                "horizon": args.horizon,
                "threads": args.threads,
                "repeats": args.repeats,
                "forward_seconds_mean": statistics.fmean(fwd),
                "forward_seconds_median": statistics.median(fwd),
                "backward_seconds_mean": statistics.fmean(bwd),
                "backward_seconds_median": statistics.median(bwd),
            }
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print("%-5s %-3s %4d %8d %12.5f %12.5f"
                      % (model, row["size_name"], size, n_params, row["forward_seconds_mean"],
                         row["backward_seconds_mean"]), flush=True)

    if not args.json:
        for model in models:
            rs = [r for r in rows if r["model"] == model]
            if len(rs) < 2:
                continue
            expr = PAPER_EXPRESSIVITY[model][:len(rs)]
            print("%-5s slope of log(time) vs log(mean expressivity, MODELS.md 4.6): forward %.3f, "
                  "backward %.3f" % (model, slope(expr, [r["forward_seconds_mean"] for r in rs]),
                                     slope(expr, [r["backward_seconds_mean"] for r in rs])))


if __name__ == "__main__":
    main()
