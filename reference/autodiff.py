"""Automatic differentiation two ways: forward mode (dual numbers) and reverse mode (a graph)."""

from __future__ import annotations

import math
from collections.abc import Callable

Number = float | int


class Dual:
    """A number ``val + dot * eps`` with eps^2 = 0, for forward-mode AD.

    Carrying the derivative ``dot`` next to the value through every operation applies the chain
    rule one step at a time, so one pass computes f(x) and f'(x) together. It is cheap when there
    are few inputs (one pass per input) and needs no stored graph.

    Notes: 002 "Forward Mode AD" —
    "computing the derivatives of functions in a modular way using the chain rule"

    >>> x = Dual(2.0, 1.0)          # seed dx/dx = 1
    >>> y = x * x.sin() + 3 / x
    >>> round(y.val, 4), round(y.dot, 4)
    (3.3186, -0.673)
    """

    def __init__(self, val: Number, dot: Number = 0.0) -> None:
        self.val = float(val)
        self.dot = float(dot)

    @staticmethod
    def lift(other: Dual | Number) -> Dual:
        """A plain number is a constant: its derivative is zero."""
        return other if isinstance(other, Dual) else Dual(other, 0.0)

    def __add__(self, other: Dual | Number) -> Dual:
        o = Dual.lift(other)
        return Dual(self.val + o.val, self.dot + o.dot)

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return Dual(-self.val, -self.dot)

    def __sub__(self, other: Dual | Number) -> Dual:
        return self + (-Dual.lift(other))

    def __rsub__(self, other: Dual | Number) -> Dual:
        return Dual.lift(other) - self

    def __mul__(self, other: Dual | Number) -> Dual:
        o = Dual.lift(other)
        return Dual(self.val * o.val, self.dot * o.val + self.val * o.dot)  # product rule

    __rmul__ = __mul__

    def __truediv__(self, other: Dual | Number) -> Dual:
        o = Dual.lift(other)
        return Dual(self.val / o.val, (self.dot * o.val - self.val * o.dot) / o.val**2)  # quotient rule

    def __rtruediv__(self, other: Dual | Number) -> Dual:
        return Dual.lift(other) / self

    def __pow__(self, other: Dual | Number) -> Dual:
        o = Dual.lift(other)
        value = self.val**o.val
        # d(a^b) = b a^(b-1) da + a^b ln(a) db; the second term only when the exponent varies.
        dot = o.val * self.val ** (o.val - 1) * self.dot
        if o.dot != 0.0:
            dot += value * math.log(self.val) * o.dot
        return Dual(value, dot)

    def __rpow__(self, other: Number) -> Dual:
        return Dual.lift(other) ** self

    def sin(self) -> Dual:
        return Dual(math.sin(self.val), math.cos(self.val) * self.dot)

    def exp(self) -> Dual:
        e = math.exp(self.val)
        return Dual(e, e * self.dot)

    def log(self) -> Dual:
        return Dual(math.log(self.val), self.dot / self.val)

    def __repr__(self) -> str:
        return f"Dual(val={self.val}, dot={self.dot})"


def derivative(f: Callable[[Dual], Dual], x: Number) -> float:
    """df/dx at x by forward mode: seed the input's derivative with 1 and read it off the output.

    Notes: 002 "Forward Mode AD" — "Automatic differentiation is a method for computing the derivatives"

    >>> round(derivative(lambda t: t.exp() * t, 0.0), 6)   # (e^t t)' = e^t (1 + t)
    1.0
    """
    return f(Dual(x, 1.0)).dot


class Value:
    """A scalar node in a computation graph, for reverse-mode AD (backpropagation).

    Each operation records its inputs with the local derivative d(out)/d(input). ``backward`` visits
    nodes from the output back to the leaves in reverse topological order, so a node's gradient is
    complete before the chain rule passes it on. One pass yields every input's gradient.

    Notes: 002 "Reverse Mode AD" — "used in many deep learning frameworks such as PyTorch and Tensorflow"

    >>> a, b = Value(2.0), Value(-3.0)
    >>> (a * b + a.exp()).tanh().backward()
    >>> round(a.grad, 4), round(b.grad, 4)
    (0.9672, 0.4408)
    """

    def __init__(self, data: Number, parents: tuple[tuple[Value, float], ...] = ()) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents  # ((input node, d self / d input), ...)

    def __add__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else Value(other)  # a plain number is a constant leaf
        return Value(self.data + o.data, ((self, 1.0), (o, 1.0)))

    __radd__ = __add__

    def __mul__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else Value(other)
        return Value(self.data * o.data, ((self, o.data), (o, self.data)))

    __rmul__ = __mul__

    def __pow__(self, exponent: Number) -> Value:
        return Value(self.data**exponent, ((self, exponent * self.data ** (exponent - 1)),))

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | Number) -> Value:
        return self + other * -1.0

    def __rsub__(self, other: Number) -> Value:
        return other + self * -1.0

    def __truediv__(self, other: Value | Number) -> Value:
        return self * other**-1.0

    def __rtruediv__(self, other: Number) -> Value:
        return other * self**-1.0

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, ((self, 1.0 - t * t),))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, ((self, e),))

    def relu(self) -> Value:
        return Value(max(self.data, 0.0), ((self, 1.0 if self.data > 0 else 0.0),))

    def backward(self) -> None:
        """Fill ``grad`` of every node this one depends on with d(self)/d(node)."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # iterative depth-first post-order, so deep graphs cannot hit the recursion limit
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent, _ in node.parents)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # output first: a node's grad is final before it flows on
            for parent, local in node.parents:
                parent.grad += local * node.grad
