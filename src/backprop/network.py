"""A small multi-layer perceptron whose gradients come from the delta recurrence.

Layer l computes Z = A_prev W + b and A = act(Z), with W of shape (fan_in, fan_out)
and b of shape (fan_out,); rows of A are samples. The output activation picks the
loss, and the backward pass starts from that loss's fused gradient with respect to
the output logits: softmax -> softmax_cross_entropy, sigmoid ->
binary_cross_entropy_with_logits, identity -> mse. Everything is float64.
"""

# --8<-- [start:imports]
import numpy as np

from backprop import _validate as check
from backprop import activations, losses

HIDDEN = {  # name -> (activation, its derivative)
    "relu": (activations.relu, activations.relu_grad),
    "leaky_relu": (activations.leaky_relu, activations.leaky_relu_grad),
    "tanh": (activations.tanh, activations.tanh_grad),
    "sigmoid": (activations.sigmoid, activations.sigmoid_grad),
}
OUTPUT = {  # name -> (activation, loss on the logits, its gradient w.r.t. the logits)
    "softmax": (
        activations.softmax,
        losses.softmax_cross_entropy,
        losses.softmax_cross_entropy_grad,
    ),
    "sigmoid": (
        activations.sigmoid,
        losses.binary_cross_entropy_with_logits,
        losses.binary_cross_entropy_with_logits_grad,
    ),
    "identity": (activations.identity, losses.mse, losses.mse_grad),
}
# --8<-- [end:imports]


# --8<-- [start:mlp]
class MLP:
    """A_l = act(A_(l-1) W_l + b_l), layer after layer; e.g. MLP([4, 16, 3]).

    Initial weights are drawn from np.random.default_rng(seed): He-normal,
    std sqrt(2 / fan_in), for the layers that feed a relu or leaky_relu; Glorot-normal,
    std sqrt(2 / (fan_in + fan_out)), for the others (tanh, sigmoid, and the output
    layer). Biases start at 0. ``params`` is a plain list of (W, b) that may be
    replaced or edited in place, e.g. to nudge one weight for a finite difference.
    """

    def __init__(self, layer_sizes, hidden="relu", output="softmax", seed=0):
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.hidden = _check_choice(hidden, HIDDEN, "hidden")
        self.output = _check_choice(output, OUTPUT, "output")
        rng = np.random.default_rng(seed)
        self.params = []
        sizes = self.layer_sizes
        for layer, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
            is_hidden = layer < len(sizes) - 2
            if is_hidden and hidden in ("relu", "leaky_relu"):
                std = np.sqrt(2 / fan_in)  # He
            else:
                std = np.sqrt(2 / (fan_in + fan_out))  # Glorot
            W = rng.normal(0.0, std, size=(fan_in, fan_out))
            self.params.append((W, np.zeros(fan_out)))
# --8<-- [end:mlp]

    # --8<-- [start:forward]
    def forward(self, X):
        """The output activations: act_out(Z_L), with Z_l = A_(l-1) W_l + b_l."""
        activation = OUTPUT[self.output][0]
        return activation(self._logits(self._check_X(X)))

    def loss(self, X, y):
        """The loss of the current params on (X, y), from the output logits."""
        loss = OUTPUT[self.output][1]
        X = self._check_X(X)
        return loss(self._logits(X), self._check_y(X, y))

    def _logits(self, X):
        """Z_L, the output layer's pre-activation."""
        A = X
        for W, b in self.params[:-1]:
            A = self._act(A @ W + b)
        W, b = self.params[-1]
        return A @ W + b
    # --8<-- [end:forward]

    # --8<-- [start:loss_and_gradients]
    def loss_and_gradients(self, X, y):
        """(loss, grads), grads a list of (dL/dW, dL/db) shaped like params."""
        X = self._check_X(X)
        y = self._check_y(X, y)
        _, loss_fn, loss_grad = OUTPUT[self.output]
        # Forward, keeping what the backward pass needs: inputs[l] = A_(l-1), the
        # input of layer l, and logits[l] = Z_l, its pre-activation.
        inputs, logits = [X], []
        for W, b in self.params:
            logits.append(inputs[-1] @ W + b)
            if len(logits) < len(self.params):  # a hidden layer feeds the next one
                inputs.append(self._act(logits[-1]))
        Z_out = logits[-1]
        loss = loss_fn(Z_out, y)
        grad_z = loss_grad(Z_out, y)  # dL/dZ at the output: fused loss + activation
        return loss, backward(self.params, inputs, logits, grad_z, self._act_grad)
    # --8<-- [end:loss_and_gradients]

    def _act(self, Z):
        return HIDDEN[self.hidden][0](Z)

    def _act_grad(self, Z):
        return HIDDEN[self.hidden][1](Z)

    def _check_X(self, X):
        X = check.float_array(X, "X").astype(np.float64, copy=False)
        check.ndim(X, "X", 2)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X: expected {self.layer_sizes[0]} features per row "
                f"(layer_sizes[0]), got {X.shape[1]}"
            )
        return X

    def _check_y(self, X, y):
        """y's shape against what the caller passed (X's rows, layer_sizes[-1]), so
        that a message never names the logits z, which the caller never sees."""
        y = np.asarray(y)
        n, k = len(X), self.layer_sizes[-1]
        if self.output == "softmax":
            if y.shape in ((n,), (n, k)):
                return y
            expected = f"class indices of shape ({n},) or probability rows of shape ({n}, {k})"
        else:
            if y.shape == (n, k):
                return y
            expected = f"targets of shape ({n}, {k})"
        raise ValueError(
            f"y: expected {expected} (rows of X: {n}, layer_sizes[-1]: {k}), "
            f"got shape {y.shape}"
        )


# --8<-- [start:backward]
def backward(params, inputs, logits, grad_z, act_grad):
    """The delta recurrence, from grad_z = dL/dZ of the output layer down to layer 1:
    dL/dW = A_prev^T grad_z, dL/db = sum of grad_z over rows, dL/dA_prev = grad_z W^T,
    and dL/dZ_prev = dL/dA_prev * act'(Z_prev).

    inputs[l] is A_prev of layer l (inputs[0] = X), logits[l] its Z; params[l] = (W, b).
    Returns [(dL/dW, dL/db), ...] in the order of params.
    """
    grads = []
    for layer in reversed(range(len(params))):
        W, _ = params[layer]
        A_prev = inputs[layer]
        grads.append((A_prev.T @ grad_z, grad_z.sum(axis=0)))  # dL/dW, dL/db
        if layer > 0:
            grad_a_prev = grad_z @ W.T  # dL/dA_prev
            grad_z = grad_a_prev * act_grad(logits[layer - 1])  # dL/dZ_prev
    return grads[::-1]
# --8<-- [end:backward]


def _check_layer_sizes(layer_sizes):
    is_sequence = isinstance(layer_sizes, (list, tuple, np.ndarray))
    sizes = list(layer_sizes) if is_sequence else []
    if len(sizes) < 2:
        raise ValueError(
            "layer_sizes: expected a list of at least 2 positive ints "
            f"(inputs, ..., outputs), got {layer_sizes!r}"
        )
    for size in sizes:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"layer_sizes: expected positive ints, got {size!r}")
        if size <= 0:
            raise ValueError(f"layer_sizes: expected positive ints, got {size!r}")
    return [int(size) for size in sizes]


def _check_choice(name, choices, argument):
    if not isinstance(name, str) or name not in choices:
        raise ValueError(f"{argument}: expected one of {sorted(choices)}, got {name!r}")
    return name
