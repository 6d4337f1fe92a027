"""Benchmark: the im2col convolution against the naive loops, numpy's GEMM, torch and CS231n's Cython.

Run: .venv/bin/python benchmarks/conv.py   (one run, about a minute; prints, asserts nothing)

Threads: ONE BLAS thread unless OPENBLAS_NUM_THREADS says otherwise (set below, before numpy loads
OpenBLAS), and torch gets the same number, so both sides have the same cores. One thread is also
what the tests use (Makefile) and the least noisy on a shared 2-core machine. With
OPENBLAS_NUM_THREADS=2 the comparison stays fair, but two multithreaded libraries timed in turn
disturb each other (their idle threads keep spinning), and when other processes keep the cores
busy a multithreaded BLAS can get many times slower: the numbers then say little.

References, each timed only when present:
* torch (CPU, float64): pip install torch==2.13.0 into the venv (the course never needs it).
* CS231n's Cython im2col layers (assignment 2: cs231n/fast_layers.py with im2col_cython.pyx, the
  conv_forward_im2col / conv_backward_im2col pair), built with cython<3. Point CS231N_CYTHON_DIR at
  the folder that holds their cs231n/ package.

Targets: fast forward >= 50x the naive loops, at >= 50% of the GEMM rate numpy reaches on the same
matrix multiply, backward <= 3x forward (DESIGN.md); forward and backward each >= 1.5x CS231n's Cython
layers, forward+backward >= 2x torch float64 (issue 15).
Timing: interleaved rounds (each function once per round, so that a busy machine slows all alike);
every time printed is the median over the rounds (time.perf_counter).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported: see the docstring

import importlib.util  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from cs231n_course.reference import fast_conv  # noqa: E402
from cs231n_course.reference.fast_layers import (  # noqa: E402
    conv_backward_fast,
    conv_backward_naive,
    conv_forward_fast,
    conv_forward_naive,
    conv_output_size,
)
from cs231n_utils.gradcheck import rel_error  # noqa: E402

NAIVE_BUDGET = 60.0  # seconds; beyond it, time fewer images and scale linearly
ROUNDS = 30
TORCH_VERSION = "2.13.0"


def best_of(k, f):
    """Shortest of k timed calls of f, in seconds."""
    times = []
    for _ in range(k):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def median_interleaved(k, functions):
    """Median over k rounds of each of several functions, timed round-robin; in seconds."""
    times = {name: [] for name in functions}
    for _ in range(k):
        for name, f in functions.items():
            start = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def blas_name():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except (TypeError, KeyError):  # numpy < 1.26 has no mode="dicts"
        return "unknown"


def verdict(ok):
    return "PASS" if ok else "FAIL"


def torch_layers(x, w, b, dout, stride, pad, threads):
    """(forward, backward, version) of torch's CPU convolution on the same float64 arrays, or None."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch
    import torch.nn.functional as tf

    torch.set_num_threads(threads)
    xt, wt, bt, dt = (torch.from_numpy(a) for a in (x, w, b, dout))

    def forward():
        return tf.conv2d(xt, wt, bt, stride=stride, padding=pad)

    def backward():  # the kernel autograd runs for conv2d: dx, dw and db in one call
        return torch.ops.aten.convolution_backward(
            dt, xt, wt, [w.shape[0]], [stride, stride], [pad, pad], [1, 1], False, [0, 0], 1,
            [True, True, True])

    return forward, backward, f"torch {torch.__version__}, threads: {torch.get_num_threads()}"


def cs231n_cython_layers():
    """(conv_forward_im2col, conv_backward_im2col, folder) of CS231n's Cython layers, or (None, reason)."""
    folder = os.environ.get("CS231N_CYTHON_DIR")
    if not folder:
        return None, "CS231N_CYTHON_DIR is not set"
    sys.path.insert(0, folder)
    try:
        from cs231n import im2col_cython  # noqa: F401  (the compiled extension: built or not?)
        from cs231n.fast_layers import conv_backward_im2col, conv_forward_im2col
    except ImportError as error:
        return None, f"cannot import the built cs231n package from {folder}: {error}"
    return (conv_forward_im2col, conv_backward_im2col, folder), ""


def main():
    threads = int(os.environ["OPENBLAS_NUM_THREADS"])
    rng = np.random.default_rng(0)
    N, C, H, W = 50, 3, 32, 32
    F, HH, WW = 32, 7, 7
    stride, pad = 1, 3
    conv_param = {"stride": stride, "pad": pad}
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, HH, WW))
    b = rng.standard_normal(F)
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    K, M = C * HH * WW, N * H_out * W_out  # the im2col matmul: (F, K) @ (K, M)
    flops = 2 * N * F * H_out * W_out * C * HH * WW
    chunk = min(N, fast_conv._images_per_chunk(C, HH, WW, H_out, W_out, x.itemsize))
    m_chunk, n_chunks = chunk * H_out * W_out, -(-N // chunk)

    print(f"Convolution benchmark: x {x.shape}, w {w.shape}, stride {stride}, pad {pad}, float64 "
          f"-> out {(N, F, H_out, W_out)}")
    print(f"numpy {np.__version__}, BLAS {blas_name()}, {os.cpu_count()} CPUs, "
          f"OPENBLAS_NUM_THREADS={threads} (torch gets as many), "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"im2col matmul: ({F}, {K}) x ({K}, {M}) for the whole batch, done one image at a time, "
          f"in chunks of {chunk} images that share one column buffer")
    print(f"work: forward {flops / 1e9:.3f} GFLOP; backward {2 * flops / 1e9:.3f} GFLOP "
          "(two products of the forward's size: dw and the columns' gradient)")
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
    grads_fast = conv_backward_fast(dout, cache)
    A = rng.standard_normal((F, K))
    B = rng.standard_normal((K, M))
    B_chunk = B[:, :m_chunk].copy()

    def gemm_chunks():  # the chunked matmuls with their operand in cache, as the fast layer has it
        for _ in range(n_chunks):
            A @ B_chunk

    functions = {
        "forward": lambda: conv_forward_fast(x, w, b, conv_param),
        "backward": lambda: conv_backward_fast(dout, cache),
        "gemm": lambda: A @ B,
        "gemm_chunks": gemm_chunks,
    }
    checks = []  # (what, relative error) of every reference against the fast layers

    torch_ref = torch_layers(x, w, b, dout, stride, pad, threads)
    if torch_ref is not None:
        torch_forward, torch_backward, torch_note = torch_ref
        functions["torch_forward"], functions["torch_backward"] = torch_forward, torch_backward
        checks.append(("torch forward", rel_error(torch_forward().numpy(), out_fast)))
        checks += [(f"torch {name}", rel_error(g.numpy(), g_fast))
                   for name, g, g_fast in zip(("dx", "dw", "db"), torch_backward(), grads_fast, strict=True)]

    cython_ref, cython_reason = cs231n_cython_layers()
    if cython_ref is not None:
        cython_forward, cython_backward, cython_folder = cython_ref
        out_cython, cache_cython = cython_forward(x, w, b, conv_param)
        functions["cython_forward"] = lambda: cython_forward(x, w, b, conv_param)
        functions["cython_backward"] = lambda: cython_backward(dout, cache_cython)
        checks.append(("Cython forward", rel_error(out_cython, out_fast)))
        checks += [(f"Cython {name}", rel_error(g, g_fast)) for name, g, g_fast
                   in zip(("dx", "dw", "db"), cython_backward(dout, cache_cython), grads_fast, strict=True)]

    t = median_interleaved(ROUNDS, functions)
    rate = flops / t["forward"] / 1e9
    backward_rate = 2 * flops / t["backward"] / 1e9
    gemm_rate = 2 * F * K * M / t["gemm"] / 1e9
    gemm_chunk_rate = 2 * F * K * m_chunk * n_chunks / t["gemm_chunks"] / 1e9
    best_gemm_rate = max(gemm_rate, gemm_chunk_rate)

    def line(label, seconds, gflops, note):
        print(f"{label:44s} {seconds * 1e3:8.2f} ms  {gflops:6.1f} GFLOP/s  {note}".rstrip())

    print(f"median of {ROUNDS} interleaved rounds:")
    print(f"{'naive forward':44s} {t_naive:8.3f} s   ({naive_note})")
    line("fast forward", t["forward"], rate, "")
    line("fast backward", t["backward"], backward_rate, "(dx, dw, db; twice the forward's work)")
    line(f"numpy GEMM ({F}, {K}) x ({K}, {M})", t["gemm"], gemm_rate, "")
    line(f"numpy GEMM ({F}, {K}) x ({K}, {m_chunk}), {n_chunks} times", t["gemm_chunks"],
         gemm_chunk_rate, "")
    if torch_ref is not None:
        line("torch f64 forward", t["torch_forward"], flops / t["torch_forward"] / 1e9, f"({torch_note})")
        line("torch f64 backward", t["torch_backward"], 2 * flops / t["torch_backward"] / 1e9,
             "(aten.convolution_backward: dx, dw, db)")
    else:
        print(f"{'torch':44s} not installed: pip install torch=={TORCH_VERSION} "
              "(a CPU wheel lies on this machine's disk)")
    if cython_ref is not None:
        line("CS231n Cython forward", t["cython_forward"], flops / t["cython_forward"] / 1e9,
             f"(conv_forward_im2col from {cython_folder})")
        line("CS231n Cython backward", t["cython_backward"], 2 * flops / t["cython_backward"] / 1e9,
             "(conv_backward_im2col)")
    else:
        print(f"{'CS231n Cython':44s} not compared: {cython_reason}. To build: in CS231n's "
              "assignment2/cs231n run pip install 'cython<3' setuptools && python setup.py build_ext "
              "--inplace, then set CS231N_CYTHON_DIR=<that assignment2 folder>")

    speedup = t_naive / t["forward"]
    share = rate / best_gemm_rate
    ratio = t["backward"] / t["forward"]
    print()
    print(f"fast vs naive forward:            {speedup:8.0f}x   target >= 50x    {verdict(speedup >= 50)}")
    print(f"fast forward / GEMM:              {share:8.0%}    target >= 50%    {verdict(share >= 0.5)}"
          f"   (of the faster GEMM above; {rate / gemm_rate:.0%} of the whole-batch one)")
    print(f"backward / forward:               {ratio:8.2f}    target <= 3      {verdict(ratio <= 3)}"
          f"   (backward runs at {backward_rate / rate:.0%} of the forward's GFLOP/s)")
    if cython_ref is not None:
        for name in ("forward", "backward"):
            gain = t[f"cython_{name}"] / t[name]
            print(f"{name + ' vs CS231n Cython:':34s}{gain:8.2f}x   target >= 1.5x   {verdict(gain >= 1.5)}")
    else:
        print(f"{'forward, backward vs CS231n Cython:':34s}  not measured (see above)")
    if torch_ref is None:
        print(f"{'forward+backward vs torch f64:':34s}  not measured (see above)")
    else:
        for name in ("forward", "backward"):
            gain = t[f"torch_{name}"] / t[name]
            print(f"{name + ' vs torch f64:':34s}{gain:8.2f}x   (no target of its own)")
        gain = (t["torch_forward"] + t["torch_backward"]) / (t["forward"] + t["backward"])
        print(f"{'forward+backward vs torch f64:':34s}{gain:8.2f}x   target >= 2x     {verdict(gain >= 2)}")

    out_fast = out_fast[:n_naive]
    max_diff = np.max(np.abs(out_fast - out_naive))
    print(f"\nfast vs naive forward (N={n_naive}): relative error "
          f"{rel_error(out_fast, out_naive):.1e} (elementwise, largest on outputs near 0); "
          f"max |difference| {max_diff:.1e} on outputs up to {np.max(np.abs(out_naive)):.0f}")
    n_check = 2  # the naive backward takes seconds per image
    grads_naive = conv_backward_naive(dout[:n_check], (x[:n_check], w, b, conv_param))
    grads_small = conv_backward_fast(dout[:n_check], conv_forward_fast(x[:n_check], w, b, conv_param)[1])
    checks += [(f"naive {name} (N={n_check})", rel_error(g, g_naive)) for name, g, g_naive
               in zip(("dx", "dw", "db"), grads_small, grads_naive, strict=True)]
    print("relative errors of the fast layers vs " + ", ".join(f"{what} {err:.0e}" for what, err in checks))


if __name__ == "__main__":
    main()
