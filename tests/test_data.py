"""Tests for cs231n_utils.data: shipped files, deterministic splits, the CIFAR-10 downloader."""

import gzip
import io
import pickle
import shutil
import tarfile
import time
from collections import Counter

import numpy as np
import pytest

from cs231n_utils import data

MNIST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# ---------------------------------------------------------------- MNIST


def test_mnist_raw_matches_published_facts():
    with gzip.open(data.MNIST_DIR / "t10k-images-idx3-ubyte.gz") as f:
        assert len(f.read()) == 7_840_016  # 16-byte header + 10,000 * 784 pixels
    images, labels = data._load_mnist_raw()
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,)
    assert np.bincount(labels).tolist() == MNIST_LABEL_COUNTS


def test_mnist_raw_is_cached_and_read_only():
    images, labels = data._load_mnist_raw()
    assert data._load_mnist_raw()[0] is images
    assert not images.flags.writeable and not labels.flags.writeable


def test_load_mnist_is_fast_from_cold():
    data._load_mnist_raw.cache_clear()
    start = time.perf_counter()
    data.load_mnist()
    assert time.perf_counter() - start < 1.0


def test_load_mnist_shapes_and_types():
    d = data.load_mnist()
    for part, n in [("train", 8000), ("val", 1000), ("test", 1000)]:
        X, y = d[f"X_{part}"], d[f"y_{part}"]
        assert X.shape == (n, 784) and X.dtype == np.float64
        assert y.shape == (n,) and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() == 1.0
        assert set(np.unique(y)) == set(range(10))
    d = data.load_mnist(100, 20, 30, flatten=False, normalize=False)
    assert d["X_train"].shape == (100, 1, 28, 28) and d["X_train"].dtype == np.uint8
    assert d["X_val"].shape == (20, 1, 28, 28) and d["X_test"].shape == (30, 1, 28, 28)


def test_load_mnist_parts_are_a_partition():
    d = data.load_mnist(8000, 1000, 1000, normalize=False)
    images, labels = data._load_mnist_raw()
    drawn = Counter(
        (x.tobytes(), int(y))
        for part in ("train", "val", "test")
        for x, y in zip(d[f"X_{part}"], d[f"y_{part}"], strict=True)
    )
    shipped = Counter((x.tobytes(), int(y)) for x, y in zip(images, labels, strict=True))
    assert drawn == shipped


def test_load_mnist_small_parts_are_disjoint():
    d = data.load_mnist(300, 200, 100, normalize=False)
    rows = [x.tobytes() for part in ("train", "val", "test") for x in d[f"X_{part}"]]
    assert len(set(rows)) == 600


def test_load_mnist_is_deterministic():
    a, b = data.load_mnist(seed=0), data.load_mnist(seed=0)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    c = data.load_mnist(seed=1)
    assert not np.array_equal(a["y_train"], c["y_train"])
    assert sorted(a["y_train"][:1000].tolist()) != a["y_train"][:1000].tolist()  # shuffled


def test_load_mnist_returns_copies():
    d = data.load_mnist(10, 0, 0, normalize=False)
    d["X_train"][:] = 255
    assert not np.array_equal(data.load_mnist(10, 0, 0, normalize=False)["X_train"], d["X_train"])


@pytest.mark.parametrize("sizes", [(9000, 1000, 1), (10_001, 0, 0), (-1, 10, 10)])
def test_load_mnist_rejects_impossible_sizes(sizes):
    with pytest.raises(ValueError, match="10,000"):
        data.load_mnist(*sizes)


def _copy_mnist(tmp_path):
    for name in data.MNIST_SHA256:
        shutil.copy(data.MNIST_DIR / name, tmp_path / name)


def test_mnist_copy_elsewhere_loads(tmp_path):
    _copy_mnist(tmp_path)
    images, labels = data._load_mnist_raw(tmp_path)
    assert np.bincount(labels).tolist() == MNIST_LABEL_COUNTS


def test_corrupted_mnist_fails_checksum_with_clear_message(tmp_path):
    _copy_mnist(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[1000] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(data.ChecksumError) as info:
        data._load_mnist_raw(tmp_path)
    message = str(info.value)
    assert str(path) in message
    assert data.MNIST_SHA256[path.name] in message
    assert data.sha256sum(path) in message
    assert "git checkout -- cs231n_utils/datasets/" in message and "re-clone" in message


def test_idx_bad_magic_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.gz"
    header = (1234).to_bytes(4, "big") + (3).to_bytes(4, "big")
    path.write_bytes(gzip.compress(header + bytes(3)))
    with pytest.raises(ValueError, match="bad IDX magic number 1234"):
        data.read_idx(path)


def test_idx_reads_a_small_file(tmp_path):
    path = tmp_path / "small.gz"
    header = b"".join(n.to_bytes(4, "big") for n in (2051, 2, 3, 4))
    path.write_bytes(gzip.compress(header + bytes(range(24))))
    np.testing.assert_array_equal(data.read_idx(path), np.arange(24).reshape(2, 3, 4))


# ---------------------------------------------------------------- tiny Shakespeare


def test_tiny_shakespeare_vocab_round_trip():
    text = data.load_tiny_shakespeare()
    assert len(text) == 1_115_394
    assert text.startswith("First Citizen:")
    vocab = data.CharVocab(text)
    assert len(vocab) == 65 and vocab.chars == sorted(vocab.chars)
    ix = vocab.encode(text)
    assert ix.shape == (len(text),) and ix.dtype == np.int64
    assert ix.min() == 0 and ix.max() == 64
    assert vocab.decode(ix) == text
    assert vocab.char_to_ix["a"] == vocab.chars.index("a")
    assert vocab.ix_to_char[vocab.char_to_ix["Z"]] == "Z"


def test_char_vocab_small_and_unknown():
    vocab = data.CharVocab("hello")
    assert vocab.chars == ["e", "h", "l", "o"]
    assert vocab.encode("hole").tolist() == [1, 3, 2, 0]
    assert vocab.decode(np.array([1, 0, 2, 2, 3])) == "hello"
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        vocab.encode("hz")


def test_corrupted_tiny_shakespeare_fails_checksum(tmp_path):
    path = tmp_path / "input.txt"
    path.write_text(data.SHAKESPEARE_PATH.read_text(encoding="utf-8").replace("Romeo", "Romeu"))
    with pytest.raises(data.ChecksumError, match=data.SHAKESPEARE_SHA256):
        data.load_tiny_shakespeare(path)


# ---------------------------------------------------------------- spiral


def test_spiral_shapes_and_balance():
    X, y = data.make_spiral()
    assert X.shape == (300, 2) and y.shape == (300,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.all(np.linalg.norm(X, axis=1) <= 1.0 + 1e-12)
    X2, y2 = data.make_spiral(num_per_class=50, num_classes=5, seed=3)
    assert X2.shape == (250, 2) and np.bincount(y2).tolist() == [50] * 5


def test_spiral_is_deterministic_and_noisy():
    np.testing.assert_array_equal(data.make_spiral()[0], data.make_spiral()[0])
    assert not np.array_equal(data.make_spiral(seed=0)[0], data.make_spiral(seed=1)[0])
    np.testing.assert_array_equal(data.make_spiral(noise=0, seed=0)[0],
                                  data.make_spiral(noise=0, seed=1)[0])


# ---------------------------------------------------------------- CIFAR-10 (never downloaded)


def _pickled(obj):
    info = tarfile.TarInfo()
    payload = pickle.dumps(obj)
    info.size = len(payload)
    return info, io.BytesIO(payload)


def make_fake_cifar(path, per_batch=4):
    """A CIFAR-10-format tar.gz with tiny batches; returns the arrays it holds."""
    rng = np.random.default_rng(0)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        X = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        batches[name] = {b"data": X, b"labels": rng.integers(0, 10, per_batch).tolist()}
    meta = {b"label_names": [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog",
                             b"frog", b"horse", b"ship", b"truck"]}
    with tarfile.open(path, "w:gz") as tar:
        for name, obj in {**batches, "batches.meta": meta}.items():
            info, payload = _pickled(obj)
            info.name = f"cifar-10-batches-py/{name}"
            tar.addfile(info, payload)
    return batches


@pytest.fixture
def fake_cifar(tmp_path):
    archive = tmp_path / "served" / "cifar-10-python.tar.gz"
    archive.parent.mkdir()
    batches = make_fake_cifar(archive)
    return archive, data.sha256sum(archive), batches


def test_cifar10_download_extract_load(fake_cifar, tmp_path):
    archive, sha256, batches = fake_cifar
    cache = tmp_path / "cache"
    d = data.load_cifar10(cache_dir=cache, url=archive.as_uri(), sha256=sha256)
    assert d["X_train"].shape == (20, 3, 32, 32) and d["X_train"].dtype == np.uint8
    assert d["X_test"].shape == (4, 3, 32, 32) and d["y_test"].dtype == np.int64
    first = batches["data_batch_1"][b"data"]
    np.testing.assert_array_equal(d["X_train"][:4].reshape(4, 3072), first)
    np.testing.assert_array_equal(d["y_train"][-4:], batches["data_batch_5"][b"labels"])
    np.testing.assert_array_equal(d["y_test"], batches["test_batch"][b"labels"])
    assert d["class_names"][0] == "airplane" and len(d["class_names"]) == 10
    assert (cache / "cifar-10-python.tar.gz").exists()
    archive.unlink()  # a second load must use the cache, not the URL
    again = data.load_cifar10(cache_dir=cache, url=archive.as_uri(), sha256=sha256)
    np.testing.assert_array_equal(again["X_train"], d["X_train"])


def test_cifar10_cache_dir_from_environment(fake_cifar, tmp_path, monkeypatch):
    archive, sha256, _ = fake_cifar
    monkeypatch.setenv("CS231N_DATA_DIR", str(tmp_path / "env_cache"))
    folder = data.download_cifar10(url=archive.as_uri(), sha256=sha256)
    assert folder == tmp_path / "env_cache" / "cifar-10-batches-py"
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.CIFAR10_FILES)
    monkeypatch.delenv("CS231N_DATA_DIR")
    assert data.cifar10_dir() == data.Path.home() / ".cache" / "cs231n_utils"


def test_cifar10_wrong_checksum(fake_cifar, tmp_path):
    archive, _, _ = fake_cifar
    cache = tmp_path / "cache"
    with pytest.raises(data.ChecksumError) as info:
        data.download_cifar10(cache_dir=cache, url=archive.as_uri(), sha256="0" * 64)
    message = str(info.value)
    assert "0" * 64 in message and data.sha256sum(archive) in message
    assert "optional" in message
    assert not (cache / "cifar-10-python.tar.gz").exists()  # a bad download is not kept
    assert not (cache / "cifar-10-batches-py").exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/cifar-10-python.tar.gz", "missing"])
def test_cifar10_offline_fails_fast_and_clearly(url, tmp_path):
    if url == "missing":
        url = (tmp_path / "nowhere.tar.gz").as_uri()
    start = time.perf_counter()
    with pytest.raises(RuntimeError) as info:
        data.load_cifar10(cache_dir=tmp_path / "cache", url=url, timeout=5)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert url in message and data.CIFAR10_SHA256 in message
    assert "CIFAR-10 is optional: the course never needs it" in message
    assert str(tmp_path / "cache" / "cifar-10-python.tar.gz") in message
    assert not list((tmp_path / "cache").iterdir())  # no partial file left behind


def test_cifar10_interrupted_download_leaves_no_partial_file(fake_cifar, tmp_path, monkeypatch):
    archive, sha256, _ = fake_cifar

    def interrupted(src, dst):
        dst.write(src.read(100))
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(data.shutil, "copyfileobj", interrupted)
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="connection reset by peer"):
        data.download_cifar10(cache_dir=cache, url=archive.as_uri(), sha256=sha256)
    assert not list(cache.iterdir())
