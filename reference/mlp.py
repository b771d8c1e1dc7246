"""A two-layer neural network from scratch, in the notes' layout: each column of X is one example."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference.activations import sigmoid
from reference.losses import binary_cross_entropy


@dataclass
class TwoLayerNet:
    """A neural network with one hidden layer (tanh) and a sigmoid output, trained by gradient descent on binary
    cross-entropy: initialise, forward propagation, cost, backward propagation, update, repeat.

    Weights are stored as (neurons in the layer, inputs to the layer), so a layer is ``Z = W @ A + b`` with the
    examples as columns, as the notes write it; the biases start at zero and the weights small and random (all
    zero would keep every hidden unit the same).

    Notes: 001 "How to build a 2 layer neural network?" —
    "Weights matrix 1 with shape (size of hidden layer, size of input layer) | all random weights"

    >>> net = TwoLayerNet.initialise(n_inputs=4, n_hidden=3, n_outputs=1, rng=np.random.default_rng(0))
    >>> net.w1.shape, net.b1.shape, net.w2.shape, net.b2.shape
    ((3, 4), (3, 1), (1, 3), (1, 1))
    """

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    @classmethod
    def initialise(
        cls, n_inputs: int, n_hidden: int, n_outputs: int, rng: np.random.Generator, scale: float = 0.01
    ) -> TwoLayerNet:
        """Random weights times ``scale`` (small, so tanh starts in its steep middle) and zero biases.

        Notes: 001 "How to build a 2 layer neural network?" —
        "Bias vector 1 with shape (size of hidden layer, 1) | all zero"
        """
        return cls(
            w1=rng.standard_normal((n_hidden, n_inputs)) * scale,
            b1=np.zeros((n_hidden, 1)),
            w2=rng.standard_normal((n_outputs, n_hidden)) * scale,
            b2=np.zeros((n_outputs, 1)),
        )

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Forward propagation: (the hidden activations A1, the output probabilities A2), each (units, examples).

        Notes: 001 "2) Forward propagation:" — "Z = np.dot(W, A) + b"
        """
        a1 = np.tanh(self.w1 @ x + self.b1)
        a2 = sigmoid(self.w2 @ a1 + self.b2)
        return a1, a2

    def backward(self, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """Backward propagation: the cost's gradient with respect to each parameter, averaged over the examples.

        With a sigmoid output and cross-entropy the output layer's dZ2 is simply A2 - Y; tanh's derivative is
        1 - A1**2.

        Notes: 001 "5) Backward propagation" —
        "Use dZ to calculate the calculate the derivative of the cost function with respect to W, b"
        """
        m = x.shape[1]
        a1, a2 = self.forward(x)
        dz2 = a2 - y
        dz1 = (self.w2.T @ dz2) * (1 - a1**2)
        return {
            "w2": dz2 @ a1.T / m,
            "b2": dz2.sum(axis=1, keepdims=True) / m,
            "w1": dz1 @ x.T / m,
            "b1": dz1.sum(axis=1, keepdims=True) / m,
        }

    def update(self, grads: dict[str, np.ndarray], learning_rate: float) -> None:
        """Gradient descent: each parameter less the learning rate times its gradient.

        Notes: 001 "6) Update the parameters" —
        "The new W and B is updated by subtracting the learning rate * by the gradient computed in backward propagation"
        """
        for name, grad in grads.items():
            setattr(self, name, getattr(self, name) - learning_rate * grad)

    def fit(self, x: np.ndarray, y: np.ndarray, learning_rate: float = 1.0, iterations: int = 1000) -> list[float]:
        """Repeat forward, cost (binary cross-entropy: a classification problem), backward and update ``iterations``
        times; the cost before each update.

        Notes: 001 "7) Repeat steps 2 to 6" —
        "for a set number of iterations like 1000 times or until the cost is at a satisfactory level"
        """
        costs = []
        for _ in range(iterations):
            costs.append(binary_cross_entropy(self.forward(x)[1], y))
            self.update(self.backward(x, y), learning_rate)
        return costs

    def predict(self, x: np.ndarray) -> np.ndarray:
        """0/1 labels: output probability above one half.

        Notes: 001 "How to build a 2 layer neural network?" —
        "Weights matrix 2 with shape (size of output layer, size of hidden layer) | all random"
        """
        return (self.forward(x)[1] > 0.5).astype(int)
