"""Benchmark: naive vs im2col convolution on the CS231n layer, against numpy's GEMM speed.

Run: .venv/bin/python benchmarks/conv.py   (one run, about half a minute; prints, asserts nothing)

Targets (DESIGN.md): the fast forward pass is >= 50x faster than the naive loops and runs at
>= 50% of the GEMM rate that numpy reaches on the same matrix multiply; backward <= 3x forward.
All times are the best of k runs (time.perf_counter). The GEMM reference is timed in the same
rounds as the convolution, so that a busy machine slows both alike.
"""

import os
import time

import numpy as np

from cs231n_utils import fast_layers
from cs231n_utils.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    conv_forward_naive,
    conv_output_size,
)
from cs231n_utils.gradcheck import rel_error

NAIVE_BUDGET = 60.0  # seconds; beyond it, time fewer images and scale linearly
ROUNDS = 50


def best_of(k, f):
    """Shortest of k timed calls of f, in seconds."""
    times = []
    for _ in range(k):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def best_of_interleaved(k, functions):
    """Best of k rounds for each of several functions, timed round-robin."""
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(k):
        for name, f in functions.items():
            best[name] = min(best[name], best_of(1, f))
    return best


def blas_name():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except (TypeError, KeyError):  # numpy < 1.26 has no mode="dicts"
        return "unknown"


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    rng = np.random.default_rng(0)
    N, C, H, W = 50, 3, 32, 32
    F, HH, WW = 32, 7, 7
    conv_param = {"stride": 1, "pad": 3}
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, HH, WW))
    b = rng.standard_normal(F)
    H_out = conv_output_size(H, HH, 1, 3)
    W_out = conv_output_size(W, WW, 1, 3)
    K, M = C * HH * WW, N * H_out * W_out  # the im2col matmul: (F, K) @ (K, M)
    flops = 2 * N * F * H_out * W_out * C * HH * WW
    chunk = min(N, fast_layers._images_per_chunk(C, HH, WW, H_out, W_out, x.itemsize))
    m_chunk, n_chunks = chunk * H_out * W_out, -(-N // chunk)

    print(f"Convolution benchmark: x {x.shape}, w {w.shape}, stride 1, pad 3, float64 "
          f"-> out {(N, F, H_out, W_out)}")
    print(f"numpy {np.__version__}, BLAS {blas_name()}, {os.cpu_count()} CPUs, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"im2col matmul: ({F}, {K}) x ({K}, {M}) for the whole batch, done in chunks of "
          f"{chunk} images: ({F}, {K}) x ({K}, {m_chunk})")
    print(f"work per forward pass: {flops / 1e9:.3f} GFLOP")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before the run: {load:.2f} (other processes make the timings noisier)\n")

    # Naive: estimate from one image first, so that a slow machine is not stuck for minutes.
    probe = best_of(1, lambda: conv_forward_naive(x[:1], w, b, conv_param))
    if probe * N <= NAIVE_BUDGET:
        n_naive, k_naive = N, 2 if 2 * probe * N <= NAIVE_BUDGET else 1
    else:
        n_naive, k_naive = max(1, int(NAIVE_BUDGET / (3 * probe))), 3
    x_naive = x[:n_naive]
    t_naive = best_of(k_naive, lambda: conv_forward_naive(x_naive, w, b, conv_param)) * N / n_naive
    out_naive, _ = conv_forward_naive(x_naive, w, b, conv_param)
    if n_naive == N:
        naive_note = f"N={N}, best of {k_naive}"
    else:
        naive_note = (f"timed at N={n_naive}, best of {k_naive}, scaled x{N / n_naive:.1f} to "
                      f"N={N}: the full batch would take more than {NAIVE_BUDGET:.0f} s")

    out_fast, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.standard_normal(out_fast.shape)
    A = rng.standard_normal((F, K))
    B = rng.standard_normal((K, M))
    B_chunk = B[:, :m_chunk].copy()

    def gemm_chunks():  # the chunked matmuls with their operand in cache, as the fast layer has it
        for _ in range(n_chunks):
            A @ B_chunk

    t = best_of_interleaved(ROUNDS, {
        "forward": lambda: conv_forward_fast(x, w, b, conv_param),
        "backward": lambda: conv_backward_fast(dout, cache),
        "gemm": lambda: A @ B,
        "gemm_chunks": gemm_chunks,
    })
    rate = flops / t["forward"] / 1e9
    gemm_rate = 2 * F * K * M / t["gemm"] / 1e9
    gemm_chunk_rate = 2 * F * K * m_chunk * n_chunks / t["gemm_chunks"] / 1e9
    best_gemm_rate = max(gemm_rate, gemm_chunk_rate)

    print(f"naive forward     {t_naive:9.3f} s    ({naive_note})")
    print(f"fast forward      {t['forward'] * 1e3:9.2f} ms   {rate:6.1f} GFLOP/s  "
          f"(best of {ROUNDS})")
    print(f"fast backward     {t['backward'] * 1e3:9.2f} ms   (dx, dw, db; best of {ROUNDS})")
    print(f"numpy GEMM ({F}, {K}) x ({K}, {M}):  {t['gemm'] * 1e3:6.2f} ms  "
          f"{gemm_rate:6.1f} GFLOP/s")
    print(f"numpy GEMM ({F}, {K}) x ({K}, {m_chunk}), {n_chunks} times: "
          f"{t['gemm_chunks'] * 1e3:6.2f} ms  {gemm_chunk_rate:6.1f} GFLOP/s")
    try:
        import torch
        import torch.nn.functional as tf
    except ImportError:
        print("torch             not installed: reference skipped")
    else:
        xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
        t_torch = best_of(ROUNDS, lambda: tf.conv2d(xt, wt, bt, stride=1, padding=3))
        err = rel_error(tf.conv2d(xt, wt, bt, stride=1, padding=3).numpy(), out_fast)
        print(f"torch conv2d      {t_torch * 1e3:9.2f} ms   {flops / t_torch / 1e9:6.1f} GFLOP/s  "
              f"(torch {torch.__version__}, {torch.get_num_threads()} threads; "
              f"rel. error vs fast {err:.1e})")

    speedup = t_naive / t["forward"]
    share = rate / best_gemm_rate
    ratio = t["backward"] / t["forward"]
    print()
    print(f"fast vs naive forward:   {speedup:8.0f}x   target >= 50x    {verdict(speedup >= 50)}")
    print(f"fast forward / GEMM:     {share:8.0%}    target >= 50%    {verdict(share >= 0.5)}"
          f"   (of the faster GEMM above; {rate / gemm_rate:.0%} of the whole-batch one)")
    print(f"backward / forward:      {ratio:8.2f}    target <= 3      {verdict(ratio <= 3)}")
    out_fast = out_fast[:n_naive]
    max_diff = np.max(np.abs(out_fast - out_naive))
    print(f"fast vs naive forward (N={n_naive}): relative error "
          f"{rel_error(out_fast, out_naive):.1e} (elementwise, largest on outputs near 0); "
          f"max |difference| {max_diff:.1e} on outputs up to {np.max(np.abs(out_naive)):.0f}")


if __name__ == "__main__":
    main()
