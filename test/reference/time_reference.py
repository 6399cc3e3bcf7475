"""PyTorch speed peer of the C# `r2dn bench` command (float32, eager mode, CPU).

Example (the paper's F16 R2DN):
  /usr/bin/python3 test/reference/time_reference.py --model r2dn --nu 2 --nx 75 --nv 75 --ny 3 \
      --hidden 87,87,87 --batch 4 --seq 256 --steps 20 --threads 2 --json

Models: r2dn (contracting R2DN), ren (contracting REN; --nv is the REN's nv, --hidden is ignored),
lipschitz-r2dn (--gamma, D22 = 0), lipschitz-ren (--gamma). --abar sets the contraction rate.
The REN rollout uses the column-oriented equilibrium solve (nv dependent steps per time step).

Timed per step (time.perf_counter, median over --steps after --warmup untimed steps):
  train step = direct->explicit map + rollout over --seq steps + loss + backward + Adam (lr 1e-3);
  forward    = direct->explicit map + rollout, under torch.no_grad().
gflops = 6 * MACs_per_step * batch * seq / train_step_seconds_median / 1e9, where MACs_per_step is the
per-sequence, per-time-step multiply-accumulate count of the unfused explicit model (R2DNs:
r2dn_macs_per_step; RENs: nx(nx+nv+nu) + ny(nx+nv+nu) + nv(nx+nu) + nv(nv-1)/2).
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import r2dn_reference as ref  # noqa: E402


def parse_hidden(s):
    s = s.strip()
    if s in ("", "none", "[]"):
        return []
    return [int(v) for v in s.split(",") if v.strip()]


def main():
    ap = argparse.ArgumentParser(description="PyTorch R2DN timing reference")
    ap.add_argument("--model", default="r2dn",
                    choices=["r2dn", "ren", "lipschitz-r2dn", "lipschitz-ren"])
    ap.add_argument("--gamma", type=float, default=1.0, help="Lipschitz bound (lipschitz-* models)")
    ap.add_argument("--abar", type=float, default=1.0, help="contraction rate in (0, 1]")
    ap.add_argument("--nu", type=int, default=2)
    ap.add_argument("--nx", type=int, default=75)
    ap.add_argument("--nv", type=int, default=75)
    ap.add_argument("--ny", type=int, default=3)
    ap.add_argument("--hidden", type=parse_hidden, default=[87, 87, 87])
    ap.add_argument("--activation", default="relu", choices=sorted(ref.ACTIVATIONS))
    ap.add_argument("--output-layer", default="nonlinear", choices=["nonlinear", "linear"])
    ap.add_argument("--init", default="long_memory", choices=["long_memory", "random"])
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    dtype = torch.float32
    nu, nx, nv, ny, hidden = args.nu, args.nx, args.nv, args.ny, args.hidden
    n_hidden = len(hidden)

    gen = torch.Generator().manual_seed(args.seed)
    model = args.model
    if model == "r2dn":
        params = ref.init_r2dn(nu, nx, nv, ny, hidden, gen, init=args.init, dtype=dtype)
    elif model == "lipschitz-r2dn":
        params = ref.init_lipschitz_r2dn(nu, nx, nv, ny, hidden, gen, init=args.init, dtype=dtype)
    else:
        params = ref.init_ren(nu, nx, nv, ny, gen, init=args.init, dtype=dtype)
    for v in params.values():
        v.requires_grad_(True)
    n_params = ref.count_params({k: tuple(v.shape) for k, v in params.items()})

    x0 = torch.zeros(args.batch, nx, dtype=dtype)
    u = torch.randn(args.seq, args.batch, nu, generator=gen, dtype=dtype)
    target = torch.randn(args.seq, args.batch, ny, generator=gen, dtype=dtype)

    opt = torch.optim.Adam(list(params.values()), lr=1e-3)

    def run_model():
        """Direct -> explicit map + batched rollout; returns y."""
        if model == "r2dn":
            y, _, _ = ref.r2dn_forward(params, x0, u, nx, n_hidden, args.activation,
                                       args.output_layer, reference=False, abar=args.abar)
        elif model == "lipschitz-r2dn":
            y, _, _ = ref.lipschitz_r2dn_forward(params, x0, u, nu, nx, nv, ny, n_hidden, args.gamma,
                                                 args.abar, args.activation, args.output_layer,
                                                 reference=False)
        else:
            kind = "contracting" if model == "ren" else "lipschitz"
            y, _, _ = ref.ren_forward(kind, params, x0, u, nu, nx, nv, ny, args.activation,
                                      reference=False, abar=args.abar, gamma=args.gamma)
        return y

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = ref.r2dn_loss(run_model(), target)
        loss.backward()
        opt.step()
        return loss

    def forward():
        with torch.no_grad():
            y = run_model()
        return y

    def timed(fn, n, warmup):
        for _ in range(warmup):
            fn()
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return ts

    train_times = timed(train_step, args.steps, args.warmup)
    fwd_times = timed(forward, args.steps, args.warmup)
    train_med = statistics.median(train_times)
    fwd_med = statistics.median(fwd_times)

    if model in ("ren", "lipschitz-ren"):
        macs = ref.ren_macs_per_step(nu, nx, nv, ny)
    else:
        macs = ref.r2dn_macs_per_step(nu, nx, nv, ny, hidden)
    gflops = 6.0 * macs * args.batch * args.seq / train_med / 1e9

    result = {
        "implementation": "pytorch",
        "torch_version": torch.__version__,
        "model": args.model,
        "parameters": n_params,
        "batch": args.batch,
        "seq": args.seq,
        "threads": args.threads,
        "steps": args.steps,
        "train_step_seconds_median": train_med,
        "forward_seconds_median": fwd_med,
        "gflops": gflops,
    }
    if args.json:
        print(json.dumps(result))
    else:
        extra = "" if model in ("ren", "lipschitz-ren") else ", hidden %s" % (hidden,)
        if model.startswith("lipschitz"):
            extra += ", gamma %g" % args.gamma
        if args.abar != 1.0:
            extra += ", abar %g" % args.abar
        print("PyTorch %s reference, model %s (nu %d, nx %d, nv %d, ny %d%s, %s, %s init)"
              % (torch.__version__, args.model, nu, nx, nv, ny, extra, args.activation, args.init))
        print("  parameters            %d" % n_params)
        print("  batch x seq           %d x %d, threads %d, float32, eager"
              % (args.batch, args.seq, args.threads))
        print("  MACs / seq / step     %d" % macs)
        print("  train step (median)   %.4f s  (min %.4f, max %.4f, %d steps after %d warm-up)"
              % (train_med, min(train_times), max(train_times), args.steps, args.warmup))
        print("  forward (median)      %.4f s  (min %.4f, max %.4f)"
              % (fwd_med, min(fwd_times), max(fwd_times)))
        print("  throughput            %.3f GFLOP/s (6 x MACs x batch x seq / train step)" % gflops)


if __name__ == "__main__":
    main()
