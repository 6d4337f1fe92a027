"""Plots for the notebooks: computational graphs, training curves, learned weights.

Every function returns a matplotlib Figure and shows nothing itself: in a notebook the figure
appears once when it is the value of the cell (end the cell with the call, or with `fig`);
elsewhere save it with fig.savefig(...). Pyplot does not keep these figures, so making many of
them never triggers its "too many open figures" warning.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.ticker import MaxNLocator

VALUE_COLOR = "#1b7f1b"  # forward values: green, above the node
GRAD_COLOR = "#c41e1e"  # gradients: red, below the node


def _figure(**kwargs):
    """A Figure that pyplot forgets at once: no second copy at the end of a notebook cell."""
    fig = plt.figure(layout="constrained", **kwargs)
    plt.close(fig)
    return fig


def _layout(ids, edges):
    """Left-to-right layered layout of a DAG: {id: (column, row)}.

    The column of a node is its depth (longest path from an input); an input is moved right,
    next to its first use, so constants do not send long edges across the picture. The row of an
    operation is the mean row of its inputs, then rows in a column are pushed apart.
    """
    parents = {i: [] for i in ids}
    children = {i: [] for i in ids}
    for src, dst in edges:
        parents[dst].append(src)
        children[src].append(dst)
    order, todo = [], {i: len(parents[i]) for i in ids}
    ready = [i for i in ids if todo[i] == 0]
    while ready:  # Kahn's topological sort
        i = ready.pop(0)
        order.append(i)
        for c in children[i]:
            todo[c] -= 1
            if todo[c] == 0:
                ready.append(c)
    if len(order) != len(ids):
        raise ValueError("the graph has a cycle: a computational graph must be acyclic")
    depth = {}
    for i in order:
        depth[i] = 1 + max(depth[p] for p in parents[i]) if parents[i] else 0
    for i in ids:
        if not parents[i] and children[i]:
            depth[i] = min(depth[c] for c in children[i]) - 1
    pos = {}
    for d in range(max(depth.values()) + 1):
        layer = [i for i in ids if depth[i] == d]
        want = {i: np.mean([pos[p][1] for p in parents[i]]) for i in layer if parents[i]}
        for i in (i for i in layer if not parents[i]):
            # An input goes just below the other inputs of its first use, if those have a row.
            rows = {p: pos[p][1] for p in pos} | want
            others = [rows[p] for c in children[i][:1] for p in parents[c] if p in rows]
            want[i] = min(others or [min(want.values(), default=1.0)]) - 1.0
        row = math.inf
        for i in sorted(layer, key=lambda i: -want[i]):
            row = min(want[i], row - 1.0)
            pos[i] = (d, row)
    return pos


def draw_graph(nodes, edges, title=None, ax=None, fmt=".3g"):
    """Draw a small computational graph, inputs on the left, with values and gradients.

    nodes: list of dicts, one per node:
      id     unique str, used in `edges`
      label  text in the node (default: the id), e.g. "x" for an input, "+" or "q = x + y" for
             an operation
      value  forward value, written in green above the node (optional)
      grad   gradient of the output with respect to this node, in red below it (optional)
      pos    (x, y) position (optional; if any node has none, all are laid out automatically)
    edges: list of (src_id, dst_id): src is an input of dst.
    fmt: format spec for the numbers.

    Inputs are drawn as boxes, operations as circles. Every text of a node (label, value, grad)
    has the node's id as its gid, so `{t.get_gid() for t in ax.texts}` lists the drawn nodes.
    Returns the Figure.
    """
    ids = [node["id"] for node in nodes]
    if len(set(ids)) != len(ids):
        raise ValueError(f"node ids must be unique, got {ids}")
    unknown = {i for edge in edges for i in edge} - set(ids)
    if unknown:
        raise ValueError(f"edges use ids that are not nodes: {sorted(unknown)}")
    if all("pos" in node for node in nodes):
        pos = {node["id"]: node["pos"] for node in nodes}
    else:
        pos = {i: (1.6 * col, 1.2 * row) for i, (col, row) in _layout(ids, edges).items()}
    xs, ys = np.array(list(pos.values()), dtype=float).T
    xlim, ylim = (min(xs) - 0.6, max(xs) + 0.6), (min(ys) - 0.7, max(ys) + 0.7)
    if ax is None:
        # About one inch per unit: the text sizes above are chosen for that scale.
        width, height = xlim[1] - xlim[0] + 0.4, ylim[1] - ylim[0] + 0.6 + 0.4 * bool(title)
        ax = _figure(figsize=(max(width, 3.0), height)).add_subplot()
    has_input = {dst for _, dst in edges}
    patches = {}
    for node in nodes:
        i, (x, y) = node["id"], pos[node["id"]]
        if i in has_input:
            patch = Circle((x, y), 0.28, fc="#fdf0c2", ec="0.3", zorder=2)
        else:
            patch = FancyBboxPatch(
                (x - 0.22, y - 0.22), 0.44, 0.44, boxstyle="round,pad=0.03",
                fc="#dbe9f6", ec="0.3", zorder=2,
            )
        patches[i] = ax.add_patch(patch)
        ax.text(x, y, node.get("label", i), ha="center", va="center", fontsize=11, zorder=3, gid=i)
        # `+ 0.0` turns -0.0 into 0.0, so a zero never prints as "-0".
        for key, color, dy, va in [("value", VALUE_COLOR, 0.33, "bottom"),
                                   ("grad", GRAD_COLOR, -0.33, "top")]:
            if node.get(key) is not None:
                ax.text(
                    x, y + dy, format(node[key] + 0.0, fmt), color=color, ha="center", va=va,
                    fontsize=10, fontweight="bold", zorder=3, gid=i,
                    bbox=dict(fc="white", ec="none", alpha=0.8, pad=0.5),
                )
    for src, dst in edges:
        ax.add_patch(
            FancyArrowPatch(
                pos[src], pos[dst], patchA=patches[src], patchB=patches[dst],
                arrowstyle="-|>", mutation_scale=12, color="0.45", zorder=1,
            )
        )
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.set_axis_off()
    ax.legend(
        handles=[Patch(color=VALUE_COLOR, label="value (forward)"),
                 Patch(color=GRAD_COLOR, label="gradient (backward)")],
        loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2, frameon=False, fontsize=9,
    )
    if title:
        ax.set_title(title)
    return ax.figure


def draw_value_graph(root, title=None, ax=None, fmt=".3g"):
    """Draw the graph behind a micrograd-style scalar `root` (see draw_graph for the picture).

    Works with any object with .data, .grad, ._prev (its inputs) and ._op (str, "" for a leaf);
    an optional .label names the node. Node ids are str(id(v)) for each value object v.
    Returns the Figure.
    """
    nodes, edges, seen, stack = [], [], set(), [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        name = " ".join(s for s in (getattr(v, "label", ""), v._op) if s)
        nodes.append(dict(id=str(id(v)), label=name, value=v.data, grad=v.grad))
        for child in v._prev:
            edges.append((str(id(child)), str(id(v))))
            stack.append(child)
    return draw_graph(nodes[::-1], edges, title=title, ax=ax, fmt=fmt)


def plot_loss_history(loss_history, train_acc=None, val_acc=None):
    """Loss per iteration; with accuracies (one per epoch), a second panel with both curves.

    loss_history: (T,) losses;  train_acc, val_acc: (E,) accuracies or None.
    Returns the Figure (1 or 2 axes).
    """
    show_acc = train_acc is not None or val_acc is not None
    fig = _figure(figsize=(10 if show_acc else 6, 4))
    axes = fig.subplots(1, 2 if show_acc else 1, squeeze=False)[0]
    axes[0].plot(loss_history, lw=0.8)
    axes[0].set(xlabel="iteration", ylabel="loss", title="Training loss")
    if show_acc:
        for acc, name in [(train_acc, "train"), (val_acc, "val")]:
            if acc is not None:
                axes[1].plot(acc, "o-", label=name)
        axes[1].set(xlabel="epoch", ylabel="accuracy", title="Classification accuracy")
        axes[1].xaxis.set_major_locator(MaxNLocator(integer=True))  # epoch 0: before training
        axes[1].legend()
    return fig


def plot_decision_boundary(predict_fn, X, y, ax=None, resolution=200):
    """Color the plane by the class predict_fn gives each point, with the data on top.

    predict_fn: maps points (M, 2) to labels (M,) or scores (M, K) (then the argmax is used)
    X: (N, 2) data;  y: (N,) integer labels
    Returns the Figure.
    """
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-3
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    pred = np.asarray(predict_fn(np.c_[xx.ravel(), yy.ravel()]))
    Z = (pred.argmax(axis=1) if pred.ndim == 2 else pred).reshape(xx.shape)
    num_classes = int(max(Z.max(), y.max())) + 1
    cmap = ListedColormap(plt.get_cmap("tab10").colors[:num_classes])
    if ax is None:
        ax = _figure(figsize=(5, 5)).add_subplot()
    ax.imshow(
        Z, extent=(lo[0], hi[0], lo[1], hi[1]), origin="lower", cmap=cmap, alpha=0.35,
        vmin=-0.5, vmax=num_classes - 0.5, interpolation="nearest", aspect="auto",
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=num_classes - 0.5, s=15,
               edgecolors="k", linewidths=0.4)
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), title="Decision boundary")
    return ax.figure


def _image_grid(images, ncols, titles=None):
    """One small axes per image (H, W) or (H, W, 3), each image rescaled to [0, 1]."""
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = _figure(figsize=(1.2 * ncols, 1.2 * nrows + 0.3 * (titles is not None)))
    for k, img in enumerate(images):
        lo, hi = img.min(), img.max()
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img, dtype=float)
        ax = fig.add_subplot(nrows, ncols, k + 1)
        ax.imshow(img, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    return fig


def show_weight_templates(W, image_shape=(28, 28), ncols=10, titles=None):
    """Show each column of a linear classifier's weights as an image (its class template).

    W: (D, K) weights, D = prod(image_shape); image_shape (H, W) or (C, H, W) with C = 3
    titles: K strings (default: the class index)
    Returns the Figure (K axes, one image each).
    """
    W = np.asarray(W, dtype=float)
    if W.shape[0] != math.prod(image_shape):
        raise ValueError(f"W has {W.shape[0]} rows, but image_shape {image_shape} needs "
                         f"{math.prod(image_shape)}: W should be (D, K)")
    images = W.T.reshape(-1, *image_shape)
    if len(image_shape) == 3:
        images = images.transpose(0, 2, 3, 1)  # (K, C, H, W) -> (K, H, W, C) for imshow
    titles = [str(k) for k in range(W.shape[1])] if titles is None else titles
    return _image_grid(images, ncols, titles)


def show_filters(w, ncols=8, titles=None):
    """Show conv filters as a grid of images, each rescaled to [0, 1].

    w: (F, C, HH, WW). C = 3: one color image per filter; otherwise one gray image per filter
    and channel (a row of C images per filter when C > 1).
    Returns the Figure (F axes if C is 1 or 3, else F * C).
    """
    w = np.asarray(w, dtype=float)
    F, C, HH, WW = w.shape
    if C == 3:
        return _image_grid(w.transpose(0, 2, 3, 1), ncols, titles)
    return _image_grid(w.reshape(F * C, HH, WW), ncols if C == 1 else C, titles)


def plot_activation_histograms(activations, titles=None, bins=50):
    """One histogram per layer of its activations: the classic weight-initialization figure.

    activations: list of L arrays (any shape), e.g. the hidden layers (N, H) of one forward pass
    titles: L strings (default "layer 1", ...); mean and std are added below each title
    Returns the Figure (L axes).
    """
    activations = [np.asarray(a, dtype=float).ravel() for a in activations]
    activations = [a[np.isfinite(a)] for a in activations]
    # Shared bin edges: a layer whose activations collapsed to ~0 shows up as one tall bar.
    lo = min(a.min() for a in activations)
    hi = max(max(a.max() for a in activations), lo + 1e-6)
    edges = np.linspace(lo, hi, bins + 1)
    L = len(activations)
    fig = _figure(figsize=(2.2 * L, 2.6))
    axes = fig.subplots(1, L, sharex=True, squeeze=False)[0]
    for k, (ax, a) in enumerate(zip(axes, activations, strict=True)):
        name = titles[k] if titles is not None else f"layer {k + 1}"
        ax.hist(a, bins=edges, color="C0")
        ax.set_title(f"{name}\nmean {a.mean():.2g}, std {a.std():.2g}", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.set_yticks([])
    return fig


def plot_trajectories(f, paths, xlim, ylim, levels=30, resolution=200):
    """Contour plot of a 2-D function with the paths that optimizers took over it.

    f: function f(x, y) of two arrays of the same shape, elementwise (e.g. x**2 + 10 * y**2)
    paths: dict name -> (T, 2) array of the points visited
    xlim, ylim: (low, high) ranges;  levels: number (or list) of contour levels
    Returns the Figure.
    """
    xx, yy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    fig = _figure(figsize=(6, 5))
    ax = fig.add_subplot()
    ax.contour(xx, yy, f(xx, yy), levels=levels, cmap="viridis", linewidths=0.7)
    for name, path in paths.items():
        path = np.asarray(path, dtype=float)
        ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, label=name)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$w_0$", ylabel="$w_1$")
    if paths:
        ax.legend()
    return fig
