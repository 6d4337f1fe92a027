"""RemoteObject: an object of the learner's kernel, as a test in the judge sees it.

Every use (a call, an attribute, an item, + - * / @ **) is a request on the channel (channel.py);
what cannot be answered honestly by a request is refused: a learner's object cannot be compared,
tested for truth or turned into a number, because its answer would be the learner's to choose.
"""


def _refuse(what):
    def method(self, *args):
        raise TypeError(f"the test needs a plain value here, but your code gave an object of its own "
                        f"({what}); return numbers, arrays, tuples, lists or dicts")
    return method


class RemoteObject:
    """An object of the learner's kernel, used from a test through the channel."""

    __slots__ = ("_channel", "_n", "__weakref__")

    def __init__(self, channel, n):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_n", n)

    def _request(self, **request):
        return object.__getattribute__(self, "_channel").request(
            obj=object.__getattribute__(self, "_n"), **request)

    def __getattribute__(self, name):  # the learner's class and its name: asked of the kernel
        if name in ("__class__", "__name__", "__qualname__", "__module__"):
            return object.__getattribute__(self, "_request")(op="getattr", name=name)
        return object.__getattribute__(self, name)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._request(op="getattr", name=name)

    def __setattr__(self, name, value):
        self._request(op="setattr", name=name, value=value)

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_channel").call(self, args, kwargs)

    def __getitem__(self, key):
        return self._request(op="getitem", key=key)

    def __setitem__(self, key, value):
        self._request(op="setitem", key=key, value=value)

    def __iter__(self):
        return iter(self._request(op="list"))

    def __len__(self):
        return len(self._request(op="list"))

    def __repr__(self):
        return "<an object of your code>"

    __hash__ = object.__hash__
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse("compared")
    __bool__ = _refuse("tested for truth")
    __float__ = __int__ = __index__ = __complex__ = __abs__ = __round__ = _refuse("converted to a number")
    __array__ = _refuse("converted to an array")


def _operator(name, reflected=False):
    def method(self, *other):
        operands = [self, *other][::-1] if reflected else [self, *other]
        return object.__getattribute__(self, "_channel").request(op="operator", name=name, operands=operands)
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    setattr(RemoteObject, f"__{_name}__", _operator(_name))
    setattr(RemoteObject, f"__r{_name}__", _operator(_name, reflected=True))
for _name in ("neg", "pos"):
    setattr(RemoteObject, f"__{_name}__", _operator(_name))
