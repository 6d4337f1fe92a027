"""Tests for cs231n_utils.viz: each plot is drawn for real (Agg) and must not warn or print."""

import io
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cs231n_utils import viz  # noqa: E402

# plotting must not warn; but objects other tests leave behind (e.g. the event loops of
# notebook clients) may be garbage-collected during these tests, and that is not plotting's doing
pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

# The lecture's f = (x + y) z at x = -2, y = 5, z = -4: q = x + y = 3, f = q z = -12.
LECTURE_NODES = [
    dict(id="x", value=-2.0, grad=-4.0),
    dict(id="y", value=5.0, grad=-4.0),
    dict(id="z", value=-4.0, grad=3.0),
    dict(id="q", label="+", value=3.0, grad=-4.0),
    dict(id="f", label="*", value=-12.0, grad=1.0),
]
LECTURE_EDGES = [("x", "q"), ("y", "q"), ("q", "f"), ("z", "f")]


@pytest.fixture(autouse=True)
def quiet_and_closed(capfd):
    """Every test: nothing on stdout/stderr (graded cells score 0 on stderr), no figures left."""
    yield
    plt.close("all")
    out, err = capfd.readouterr()
    assert err == "" and out == ""


def render(fig):
    """Draw the figure to PNG, so that draw-time problems (layout warnings) show up too."""
    assert isinstance(fig, Figure)
    fig.savefig(io.BytesIO(), format="png", dpi=50)
    return fig


def texts_by_gid(ax):
    groups = {}
    for t in ax.texts:
        groups.setdefault(t.get_gid(), []).append(t)
    return groups


def assert_no_overlapping_texts(fig):
    boxes = [t.get_window_extent() for t in fig.axes[0].texts if t.get_text()]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


class Value:
    """The smallest micrograd-style scalar: only what draw_value_graph reads."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad = data, 0.0
        self._prev, self._op, self.label = set(_children), _op, label

    def __add__(self, other):
        return Value(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), "*")


def test_draw_graph_lecture_example():
    fig = render(viz.draw_graph(LECTURE_NODES, LECTURE_EDGES, title="f = (x + y) z"))
    ax = fig.axes[0]
    groups = texts_by_gid(ax)
    assert set(groups) == {"x", "y", "z", "q", "f"}
    texts = [t.get_text() for t in ax.texts]
    assert "-12" in texts and "-4" in texts
    assert [t.get_text() for t in groups["f"]] == ["*", "-12", "1"]
    assert [t.get_text() for t in groups["z"]] == ["z", "-4", "3"]
    assert [t.get_text() for t in groups["x"]] == ["x", "-2", "-4"]
    label, value, grad = groups["q"]
    assert value.get_position()[1] > label.get_position()[1] > grad.get_position()[1]
    assert value.get_color() == viz.VALUE_COLOR and grad.get_color() == viz.GRAD_COLOR
    assert ax.get_title() == "f = (x + y) z"
    assert_no_overlapping_texts(fig)


def test_draw_graph_auto_layout_goes_left_to_right():
    fig = render(viz.draw_graph(LECTURE_NODES, LECTURE_EDGES))
    x_of = {gid: ts[0].get_position()[0] for gid, ts in texts_by_gid(fig.axes[0]).items()}
    for src, dst in LECTURE_EDGES:
        assert x_of[src] < x_of[dst]
    assert len(fig.axes[0].patches) == 5 + 4  # one shape per node, one arrow per edge


def test_draw_graph_auto_layout_separates_siblings():
    nodes = [dict(id="a", value=1.0, grad=2.0)] + [
        dict(id=k, label="relu", value=1.0, grad=1.0) for k in "bcd"
    ]
    fig = render(viz.draw_graph(nodes, [("a", "b"), ("a", "c"), ("a", "d")]))
    groups = texts_by_gid(fig.axes[0])
    rows = sorted(groups[k][0].get_position()[1] for k in "bcd")
    assert min(np.diff(rows)) >= 1.0
    assert_no_overlapping_texts(fig)


def test_draw_graph_uses_given_positions_and_optional_numbers():
    nodes = [dict(id="a", pos=(0, 0), value=1.5), dict(id="b", label="relu", pos=(3, 1))]
    fig = render(viz.draw_graph(nodes, [("a", "b")]))
    groups = texts_by_gid(fig.axes[0])
    assert [t.get_text() for t in groups["a"]] == ["a", "1.5"]
    assert [t.get_text() for t in groups["b"]] == ["relu"]
    assert groups["b"][0].get_position() == (3, 1)


def test_draw_graph_into_given_axes_and_negative_zero():
    fig = Figure()
    ax = fig.add_subplot()
    out = viz.draw_graph([dict(id="a", value=-0.0, grad=0.0)], [], ax=ax)
    assert out is fig
    assert [t.get_text() for t in ax.texts] == ["a", "0", "0"]
    render(fig)


@pytest.mark.parametrize(
    "nodes, edges, match",
    [
        ([dict(id="a"), dict(id="a")], [], "unique"),
        ([dict(id="a")], [("a", "b")], "not nodes"),
        ([dict(id="a"), dict(id="b")], [("a", "b"), ("b", "a")], "cycle"),
    ],
)
def test_draw_graph_rejects_bad_graphs(nodes, edges, match):
    with pytest.raises(ValueError, match=match):
        viz.draw_graph(nodes, edges)


def test_draw_value_graph_walks_a_micrograd_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = c + a  # a is used twice: drawn once, with two outgoing edges
    a.grad, b.grad, c.grad, d.grad = -2.0, 2.0, 1.0, 1.0
    fig = render(viz.draw_value_graph(d, title="d = a b + a"))
    groups = texts_by_gid(fig.axes[0])
    assert set(groups) == {str(id(v)) for v in (a, b, c, d)}
    assert [t.get_text() for t in groups[str(id(c))]] == ["*", "-6", "1"]
    assert [t.get_text() for t in groups[str(id(a))]] == ["a", "2", "-2"]
    assert len(fig.axes[0].patches) == 4 + 4  # 4 nodes, 4 edges
    x_of = {gid: ts[0].get_position()[0] for gid, ts in groups.items()}
    assert x_of[str(id(a))] < x_of[str(id(c))] < x_of[str(id(d))]  # inputs on the left
    assert_no_overlapping_texts(fig)


def test_draw_value_graph_larger_graph_is_legible():
    xs = [Value(float(k), label=f"x{k}") for k in range(6)]
    out = xs[0]
    for k, x in enumerate(xs[1:]):
        out = out * x if k % 2 else out + x
    fig = render(viz.draw_value_graph(out))
    assert len(texts_by_gid(fig.axes[0])) == 6 + 5
    assert_no_overlapping_texts(fig)


def test_figures_are_not_kept_by_pyplot():
    for _ in range(25):  # more than pyplot's "too many open figures" limit of 20
        viz.draw_graph(LECTURE_NODES, LECTURE_EDGES)
    assert plt.get_fignums() == []


def test_plot_loss_history():
    loss = np.exp(-np.linspace(0, 3, 200)) + 0.05
    fig = render(viz.plot_loss_history(loss))
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    fig = render(viz.plot_loss_history(loss, train_acc=[0.3, 0.6, 0.8], val_acc=[0.3, 0.5, 0.7]))
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 2
    np.testing.assert_array_equal(fig.axes[1].lines[1].get_ydata(), [0.3, 0.5, 0.7])
    epochs = fig.axes[1].get_xticks()
    assert np.array_equal(epochs, np.round(epochs)), epochs  # whole epochs, not 0.25, 0.5, ...


@pytest.mark.parametrize("scores", [False, True])
def test_plot_decision_boundary(scores):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)

    def predict(P):
        labels = (P[:, 0] > 0).astype(int) + (P[:, 1] > 0)
        return np.eye(3)[labels] if scores else labels

    fig = render(viz.plot_decision_boundary(predict, X, y, resolution=50))
    (ax,) = fig.axes
    (image,) = ax.images
    Z = np.asarray(image.get_array())
    assert Z.shape == (50, 50) and set(np.unique(Z)) == {0, 1, 2}
    assert Z[0, 0] == 0 and Z[-1, -1] == 2
    assert image.origin == "lower"  # row 0 of Z (smallest y) at the bottom of the plot
    assert len(ax.collections) == 1  # the scatter of the data


def test_plot_decision_boundary_constant_predictor_does_not_warn():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    fig = render(viz.plot_decision_boundary(lambda P: np.zeros(len(P), int), X, np.array([0, 1])))
    assert len(fig.axes[0].images) == 1


def test_show_weight_templates():
    W = np.random.default_rng(0).standard_normal((784, 10))
    fig = render(viz.show_weight_templates(W))
    assert len(fig.axes) == 10
    assert [ax.get_title() for ax in fig.axes] == [str(k) for k in range(10)]
    for k, ax in enumerate(fig.axes):
        img = np.asarray(ax.images[0].get_array())
        assert img.shape == (28, 28) and img.min() == 0.0 and img.max() == 1.0
        lo, hi = W[:, k].min(), W[:, k].max()
        np.testing.assert_allclose(img.ravel(), (W[:, k] - lo) / (hi - lo))
    fig = render(viz.show_weight_templates(np.ones((3 * 8 * 8, 3)), (3, 8, 8), titles="abc"))
    assert len(fig.axes) == 3 and np.asarray(fig.axes[0].images[0].get_array()).shape == (8, 8, 3)
    with pytest.raises(ValueError, match="784"):
        viz.show_weight_templates(np.ones((10, 784)))


@pytest.mark.parametrize("shape, num_axes, image_shape", [
    ((6, 1, 5, 5), 6, (5, 5)),
    ((4, 3, 5, 5), 4, (5, 5, 3)),
    ((2, 4, 3, 3), 8, (3, 3)),
])
def test_show_filters(shape, num_axes, image_shape):
    w = np.random.default_rng(0).standard_normal(shape)
    fig = render(viz.show_filters(w))
    assert len(fig.axes) == num_axes
    assert all(len(ax.images) == 1 for ax in fig.axes)
    assert np.asarray(fig.axes[0].images[0].get_array()).shape == image_shape


def test_plot_activation_histograms():
    rng = np.random.default_rng(0)
    layers = [np.tanh(rng.standard_normal((100, 50)) * s) for s in (0.01, 1.0, 100.0)]
    layers.append(np.zeros((100, 50)))  # dead layer: must not warn
    fig = render(viz.plot_activation_histograms(layers))
    assert len(fig.axes) == 4
    assert all(len(ax.patches) == 50 for ax in fig.axes)
    assert fig.axes[0].get_title().startswith("layer 1\nmean")
    fig = render(viz.plot_activation_histograms(layers[:2], titles=["tanh 1", "tanh 2"], bins=10))
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["tanh 1", "tanh 2"]


def test_plot_trajectories():
    def f(x, y):
        return x**2 + 10 * y**2

    paths = {"sgd": np.array([[-4.0, 2.0], [-3.0, -1.0], [-2.0, 0.5]]),
             "momentum": np.array([[-4.0, 2.0], [-2.0, 0.0]])}
    fig = render(viz.plot_trajectories(f, paths, xlim=(-5, 5), ylim=(-3, 3)))
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["sgd", "momentum"]
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), paths["sgd"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "momentum"]
    assert ax.get_xlim() == (-5, 5)
