"""Data sets for the notebooks.

Shipped with the package (no network needed): the 10,000 MNIST test images, split here into
train / val / test, and the tiny Shakespeare text. Every shipped file is checked against its
sha256 before use. Also a toy 2-D spiral, and an optional CIFAR-10 downloader that the course
itself never needs.
"""

import functools
import gzip
import hashlib
import os
import pickle
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

DATASETS_DIR = Path(__file__).parent / "datasets"
MNIST_DIR = DATASETS_DIR / "mnist"
MNIST_SHA256 = {
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
SHAKESPEARE_PATH = DATASETS_DIR / "tinyshakespeare" / "input.txt"
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"

# The same sha256 is used by keras.datasets.cifar10; the page https://www.cs.toronto.edu/~kriz/
# cifar.html itself publishes only the md5, c58f30108f718f92721af3b95e74349a.
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR10_FILES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"]

IDX_NDIM = {2049: 1, 2051: 3}  # IDX magic number -> number of dimensions (labels, images)


class ChecksumError(RuntimeError):
    """A data file does not have the sha256 it should have."""


def sha256sum(path):
    """Hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path, expected, fix=None):
    """Raise ChecksumError (naming the file, both hashes and `fix`) unless path's sha256 matches."""
    actual = sha256sum(path)
    if actual != expected:
        shipped = f"cs231n_utils/datasets/{Path(path).parent.name}/{Path(path).name}"
        fix = fix or (
            "The shipped file is damaged or was changed. Restore it: in the project folder run "
            f"`git checkout -- {shipped}`, or re-clone the project (or reinstall the package)."
        )
        raise ChecksumError(
            f"Checksum mismatch for {path}:\n  expected sha256 {expected}\n"
            f"  actual   sha256 {actual}\n{fix}"
        )


def read_idx(path, sha256=None):
    """Read a gzipped IDX file (the MNIST format) into a uint8 array.

    The header is a big-endian magic number (2051 for images, 2049 for labels) followed by
    one uint32 size per dimension. Returns images (N, rows, cols) or labels (N,).
    """
    if sha256 is not None:
        verify_sha256(path, sha256)
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big")
    if magic not in IDX_NDIM:
        raise ValueError(
            f"{path}: bad IDX magic number {magic}; expected 2051 (images) or 2049 (labels). "
            "Is this really an MNIST file?"
        )
    ndim = IDX_NDIM[magic]
    shape = tuple(int(n) for n in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size != np.prod(shape):
        raise ValueError(f"{path}: header says shape {shape} but the file holds {data.size} bytes")
    return data.reshape(shape)


@functools.cache
def _load_mnist_raw(directory=MNIST_DIR):
    """The shipped MNIST test split: images (10000, 28, 28) uint8, labels (10000,) uint8.

    Cached, so read-only: callers must copy before changing them.
    """
    directory = Path(directory)
    images, labels = (
        read_idx(directory / name, MNIST_SHA256[name])
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    )
    if len(images) != len(labels):
        raise ValueError(f"{directory}: {len(images)} images but {len(labels)} labels")
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def load_mnist(num_train=8000, num_val=1000, num_test=1000, flatten=True, normalize=True, seed=0):
    """MNIST digits, split deterministically into disjoint train / val / test parts.

    Only the 10,000 official test images are shipped, so the three parts together hold at most
    10,000 images. The split is a fixed random permutation drawn with `seed`.
    Returns a dict with X_train, y_train, X_val, y_val, X_test, y_test:
      X: (N, 784) if flatten else (N, 1, 28, 28); float64 in [0, 1] if normalize else uint8
      y: (N,) int64 digit labels 0..9
    """
    images, labels = _load_mnist_raw()
    sizes = {"train": num_train, "val": num_val, "test": num_test}
    if min(sizes.values()) < 0 or sum(sizes.values()) > len(images):
        raise ValueError(
            f"asked for {sizes} images, but only {len(images):,} MNIST images are shipped "
            "(the official test split): the three sizes must be >= 0 and sum to at most that."
        )
    order = np.random.default_rng(seed).permutation(len(images))
    data, start = {}, 0
    for part, size in sizes.items():
        idx = order[start : start + size]
        start += size
        X = images[idx].astype(np.float64) / 255.0 if normalize else images[idx]
        data[f"X_{part}"] = X.reshape(size, 784) if flatten else X.reshape(size, 1, 28, 28)
        data[f"y_{part}"] = labels[idx].astype(np.int64)
    return data


@functools.cache
def load_tiny_shakespeare(path=SHAKESPEARE_PATH):
    """The tiny Shakespeare corpus (char-rnn) as one str of 1,115,394 characters."""
    verify_sha256(path, SHAKESPEARE_SHA256)
    return Path(path).read_text(encoding="utf-8")


class CharVocab:
    """Character vocabulary of a text: its distinct characters, sorted.

    char_to_ix maps a character to its index, ix_to_char the other way round.
    """

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.char_to_ix = {ch: i for i, ch in enumerate(self.chars)}
        self.ix_to_char = dict(enumerate(self.chars))

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """str of length T -> (T,) int64 indices."""
        try:
            return np.array([self.char_to_ix[ch] for ch in text], dtype=np.int64)
        except KeyError as err:
            raise ValueError(f"character {err.args[0]!r} is not in the vocabulary") from None

    def decode(self, ix):
        """Sequence of indices (T,) -> str of length T."""
        return "".join(self.ix_to_char[int(i)] for i in ix)


def make_spiral(num_per_class=100, num_classes=3, noise=0.2, seed=0):
    """The CS231n spiral toy set: num_classes arms, not linearly separable.

    Returns X (N, 2) float64 and y (N,) int64 with N = num_per_class * num_classes.
    """
    rng = np.random.default_rng(seed)
    N = num_per_class * num_classes
    X = np.zeros((N, 2))
    y = np.repeat(np.arange(num_classes), num_per_class)
    for j in range(num_classes):
        ix = slice(num_per_class * j, num_per_class * (j + 1))
        r = np.linspace(0.0, 1.0, num_per_class)
        t = np.linspace(4 * j, 4 * (j + 1), num_per_class)  # angle
        t += noise * rng.standard_normal(num_per_class)
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    return X, y


def cifar10_dir(cache_dir=None):
    """Where CIFAR-10 is cached: cache_dir, else $CS231N_DATA_DIR, else ~/.cache/cs231n_utils."""
    if cache_dir is None:
        cache_dir = os.environ.get("CS231N_DATA_DIR") or Path.home() / ".cache" / "cs231n_utils"
    return Path(cache_dir)


def download_cifar10(cache_dir=None, url=CIFAR10_URL, sha256=CIFAR10_SHA256, timeout=30):
    """Download (once), check and extract CIFAR-10. Optional: no notebook needs it.

    The archive is saved as <cache_dir>/cifar-10-python.tar.gz and its batches extracted to
    <cache_dir>/cifar-10-batches-py/. Returns the path of that folder.
    """
    cache_dir = cifar10_dir(cache_dir)
    out_dir = cache_dir / "cifar-10-batches-py"
    if all((out_dir / name).exists() for name in CIFAR10_FILES):
        return out_dir
    archive = cache_dir / "cifar-10-python.tar.gz"
    manual = (
        f"CIFAR-10 is optional: the course never needs it (the notebooks use the MNIST and tiny "
        f"Shakespeare files shipped with cs231n_utils). To use it anyway, download {url} on a "
        f"machine with a network, check that its sha256 is {sha256}, and save it as {archive} "
        "(set CS231N_DATA_DIR to use another folder); then call this function again."
    )
    if not archive.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".part")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as f:
                shutil.copyfileobj(response, f)
        except (urllib.error.URLError, OSError) as err:
            partial.unlink(missing_ok=True)
            raise RuntimeError(
                f"Could not download CIFAR-10 from {url} ({err}).\n{manual}"
            ) from None
        partial.replace(archive)
    try:
        verify_sha256(archive, sha256, fix=f"The file was deleted; try again.\n{manual}")
    except ChecksumError:
        archive.unlink()
        raise
    # Copy only the members we know by name: nothing in the archive can write elsewhere.
    out_dir.mkdir(exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for name in CIFAR10_FILES:
            with (
                tar.extractfile(f"cifar-10-batches-py/{name}") as src,
                open(out_dir / name, "wb") as dst,
            ):
                shutil.copyfileobj(src, dst)
    return out_dir


def _load_cifar_batch(path):
    """One pickled CIFAR-10 batch -> X (N, 3, 32, 32) uint8, y (N,) int64."""
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    X = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return X, np.asarray(batch[b"labels"], dtype=np.int64)


def load_cifar10(cache_dir=None, url=CIFAR10_URL, sha256=CIFAR10_SHA256, timeout=30):
    """CIFAR-10, downloaded on first use (see download_cifar10). Optional: no notebook needs it.

    Returns a dict with X_train (50000, 3, 32, 32) uint8, y_train (50000,) int64,
    X_test (10000, 3, 32, 32) uint8, y_test (10000,) int64 and class_names (10 str).
    Convert a subset with X.astype(np.float64) / 255: all of it as float64 takes 1.4 GB.
    """
    folder = download_cifar10(cache_dir, url, sha256, timeout)
    train = [_load_cifar_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    X_test, y_test = _load_cifar_batch(folder / "test_batch")
    with open(folder / "batches.meta", "rb") as f:
        meta = pickle.load(f, encoding="bytes")
    return {
        "X_train": np.concatenate([X for X, _ in train]),
        "y_train": np.concatenate([y for _, y in train]),
        "X_test": X_test,
        "y_test": y_test,
        "class_names": [name.decode() for name in meta[b"label_names"]],
    }
