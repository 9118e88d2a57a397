"""The MLP's delta-recurrence gradients against central differences and against
autograd on an independent re-implementation of its forward pass."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backprop.gradcheck import numerical_gradient, relative_error
from backprop.network import MLP

pytestmark = pytest.mark.filterwarnings("error")  # no RuntimeWarning may pass silently

HIDDEN = ["relu", "leaky_relu", "tanh", "sigmoid"]
OUTPUTS = ["softmax", "sigmoid", "identity"]
SIZES = [3, 5, 4, 3]  # two hidden layers


def central_difference(f, x, eps=1e-3):
    """Richardson-extrapolated central differences, built on numerical_gradient: the
    eps**2 error term cancels, so a larger eps (less rounding) still gives ~1e-10."""
    return (4 * numerical_gradient(f, x, eps / 2) - numerical_gradient(f, x, eps)) / 3


def batch(output, n=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1.5, size=(n, SIZES[0]))
    y = {
        "softmax": rng.integers(0, SIZES[-1], size=n),
        "sigmoid": rng.uniform(0, 1, size=(n, SIZES[-1])),
        "identity": rng.normal(size=(n, SIZES[-1])),
    }[output]
    return X, y


def hidden_logits(model, X):
    """Every hidden layer's pre-activation, to check how far they are from a kink."""
    found, A = [], X
    for W, b in model.params[:-1]:
        found.append(A @ W + b)
        A = model._act(found[-1])
    return found


# ---------------------------------------------------------------- autograd reference

ACTIVATIONS = {
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "tanh": anp.tanh,
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
}


def reference_loss(params, X, y, hidden, output):
    """The same network and loss, written independently in autograd.numpy."""
    A = X
    for W, b in params[:-1]:
        A = ACTIVATIONS[hidden](anp.dot(A, W) + b)
    W, b = params[-1]
    Z = anp.dot(A, W) + b
    if output == "softmax":
        log_p = Z - anp.log(anp.sum(anp.exp(Z), axis=1, keepdims=True))
        return -anp.sum(np.eye(Z.shape[1])[y] * log_p) / Z.shape[0]
    if output == "sigmoid":
        s = 1 / (1 + anp.exp(-Z))
        return anp.mean(-(y * anp.log(s) + (1 - y) * anp.log(1 - s)))
    return anp.mean((Z - y) ** 2)


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradients_match_central_differences(hidden, output):
    model = MLP(SIZES, hidden=hidden, output=output, seed=3)
    X, y = batch(output, seed=4)
    # Nudges of 1e-3 move each hidden logit by far less than this: no kink is crossed.
    assert min(np.abs(Z).min() for Z in hidden_logits(model, X)) > 0.01
    loss, grads = model.loss_and_gradients(X, y)
    assert loss == model.loss(X, y)
    for layer, (W, b) in enumerate(model.params):
        for which, param in ((0, W), (1, b)):

            def loss_at(value, layer=layer, which=which):
                saved = model.params[layer]
                nudged = list(saved)
                nudged[which] = value
                model.params[layer] = tuple(nudged)
                try:
                    return model.loss(X, y)
                finally:
                    model.params[layer] = saved

            numeric = central_difference(loss_at, param)
            assert grads[layer][which].shape == param.shape
            assert relative_error(numeric, grads[layer][which]) <= 1e-7


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("sizes", [[2, 3], [3, 5, 4, 3], [4, 8, 8, 8, 3]])
def test_gradients_match_autograd(hidden, output, sizes):
    model = MLP(sizes, hidden=hidden, output=output, seed=len(sizes))
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, sizes[0]))
    y = {
        "softmax": rng.integers(0, sizes[-1], size=5),
        "sigmoid": rng.uniform(0, 1, size=(5, sizes[-1])),
        "identity": rng.normal(size=(5, sizes[-1])),
    }[output]
    loss, grads = model.loss_and_gradients(X, y)
    expected = grad(reference_loss)(model.params, X, y, hidden, output)
    assert relative_error(loss, reference_loss(model.params, X, y, hidden, output)) <= 1e-12
    for (grad_W, grad_b), (ref_W, ref_b) in zip(grads, expected):
        assert relative_error(grad_W, ref_W) <= 1e-10
        assert relative_error(grad_b, ref_b) <= 1e-10


def test_gradient_descent_lowers_the_loss():
    model = MLP([2, 16, 2], hidden="tanh", output="softmax", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR-like: needs the hidden layer
    first, _ = model.loss_and_gradients(X, y)
    for _ in range(200):
        loss, grads = model.loss_and_gradients(X, y)
        model.params = [(W - 0.5 * gW, b - 0.5 * gb) for (W, b), (gW, gb) in zip(model.params, grads)]
    assert loss < 0.5 * first


# ---------------------------------------------------------------- forward and init


def test_forward_outputs():
    X = np.random.default_rng(1).normal(size=(5, 3))
    p = MLP([3, 4, 3], output="softmax").forward(X)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-15)
    s = MLP([3, 4, 2], output="sigmoid").forward(X)
    assert s.shape == (5, 2) and np.all((s > 0) & (s < 1))
    model = MLP([3, 4, 2], output="identity")
    np.testing.assert_array_equal(model.forward(X), model._logits(X))


def test_forward_accepts_float32_and_lists():
    model = MLP([2, 3, 2])
    X = [[0.5, -1.0], [2.0, 0.25]]
    np.testing.assert_array_equal(model.forward(np.array(X, np.float32)), model.forward(X))


def test_init_is_deterministic_and_scaled():
    a, b = MLP([3, 4, 2], seed=5), MLP([3, 4, 2], seed=5)
    for (Wa, ba), (Wb, bb) in zip(a.params, b.params):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, 0)
    assert not np.array_equal(MLP([3, 4, 2], seed=6).params[0][0], a.params[0][0])
    shapes = [(W.shape, b.shape) for W, b in a.params]
    assert shapes == [((3, 4), (4,)), ((4, 2), (2,))]
    # He for relu-fed layers, Glorot for the rest (tanh layers and the output layer)
    relu_net = MLP([400, 300, 200], hidden="relu")
    tanh_net = MLP([400, 300, 200], hidden="tanh")
    np.testing.assert_allclose(relu_net.params[0][0].std(), np.sqrt(2 / 400), rtol=0.02)
    np.testing.assert_allclose(tanh_net.params[0][0].std(), np.sqrt(2 / 700), rtol=0.02)
    np.testing.assert_allclose(relu_net.params[1][0].std(), np.sqrt(2 / 500), rtol=0.02)


# ---------------------------------------------------------------- rejections

REJECTIONS = [
    (dict(layer_sizes=[3]), ValueError, r"layer_sizes: expected a list of at least 2 positive ints \(inputs, \.\.\., outputs\), got \[3\]"),
    (dict(layer_sizes=3), ValueError, r"layer_sizes: expected a list of at least 2 positive ints"),
    (dict(layer_sizes=[3, 0, 2]), ValueError, r"layer_sizes: expected positive ints, got 0"),
    (dict(layer_sizes=[3, -4]), ValueError, r"layer_sizes: expected positive ints, got -4"),
    (dict(layer_sizes=[3, 2.0]), TypeError, r"layer_sizes: expected positive ints, got 2.0"),
    (dict(layer_sizes=[3, True]), TypeError, r"layer_sizes: expected positive ints, got True"),
    (dict(layer_sizes=[3, 2], hidden="gelu"), ValueError,
     r"hidden: expected one of \['leaky_relu', 'relu', 'sigmoid', 'tanh'\], got 'gelu'"),
    (dict(layer_sizes=[3, 2], output="tanh"), ValueError,
     r"output: expected one of \['identity', 'sigmoid', 'softmax'\], got 'tanh'"),
]


@pytest.mark.parametrize("arguments, error, message", REJECTIONS)
def test_constructor_rejects_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        MLP(**arguments)


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.zeros((2, 4)), np.array([0, 1]), r"X: expected 3 features per row \(layer_sizes\[0\]\), got 4"),
        (np.zeros(3), np.array([0]), r"X: expected a 2-D array, got 1-D with shape \(3,\)"),
        (np.full((2, 3), np.nan), np.array([0, 1]), r"X: expected finite values, got nan at index \(0, 0\)"),
        (np.zeros((0, 3)), np.array([], dtype=int), r"X: expected a non-empty array, got shape \(0, 3\)"),
        (np.zeros((2, 3)), np.array([0, 2]), r"y: class index 2 out of range for 2 classes"),
        (np.zeros((2, 3)), np.array([0, 1, 1]), r"y: expected class indices of shape \(2,\) or probability rows of shape \(2, 2\) \(rows of X: 2, layer_sizes\[-1\]: 2\), got shape \(3,\)"),
    ],
)
def test_rejects_bad_batches(X, y, message):
    model = MLP([3, 4, 2])
    for call in (model.loss_and_gradients, model.loss):
        with pytest.raises(ValueError, match=message):
            call(X, y)
    if not message.startswith("y"):
        with pytest.raises(ValueError, match=message):
            model.forward(X)


@pytest.mark.parametrize(
    "output, y, message",
    [
        ("sigmoid", np.zeros(4), r"y: expected targets of shape \(4, 1\) \(rows of X: 4, layer_sizes\[-1\]: 1\), got shape \(4,\)"),
        ("identity", np.zeros((4, 2)), r"y: expected targets of shape \(4, 1\) .*, got shape \(4, 2\)"),
        ("softmax", np.zeros((4, 3)), r"y: expected class indices of shape \(4,\) or probability rows of shape \(4, 2\) .*, got shape \(4, 3\)"),
        ("softmax", np.zeros(3, int), r"y: expected class indices of shape \(4,\) .*, got shape \(3,\)"),
    ],
)
def test_messages_name_what_the_caller_passed(output, y, message):
    """The caller passes X and y, never the logits z: no message may speak of z."""
    model = MLP([2, 2 if output == "softmax" else 1], output=output)
    X = np.zeros((4, 2))
    for call in (model.loss, model.loss_and_gradients):
        with pytest.raises(ValueError, match=message) as raised:
            call(X, y)
        assert " z" not in str(raised.value)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64])
def test_every_integer_label_dtype_trains(dtype):
    """uint64 labels crashed loss_and_gradients (IndexError in the fused gradient)."""
    model = MLP([3, 4, 3], seed=1)
    X = np.random.default_rng(2).normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    loss, grads = model.loss_and_gradients(X, labels.astype(dtype))
    expected_loss, expected = model.loss_and_gradients(X, labels)
    assert loss == expected_loss == model.loss(X, labels.astype(dtype))
    for (gW, gb), (eW, eb) in zip(grads, expected):
        np.testing.assert_array_equal(gW, eW)
        np.testing.assert_array_equal(gb, eb)
