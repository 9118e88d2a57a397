"""Reference NumPy code for the gradient of the loss at the last layer.

Modules: ``activations`` (functions and their derivatives), ``losses`` (each loss next
to its gradient), ``network`` (a small MLP trained by the delta recurrence) and
``gradcheck`` (central differences and relative error). Batches are rows: N samples x
K features, as in NumPy and PyTorch.
"""

__version__ = "0.1.0"
