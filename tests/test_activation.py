"""Activation construction, derivatives, kinks, and input validation."""
import numpy as np
import pytest
import sympy

import rmt_spectra as rs

X = np.linspace(-3.0, 3.0, 13)


@pytest.mark.parametrize("name,ref", [
    ("tanh", np.tanh), ("relu", lambda x: np.maximum(x, 0)), ("sin", np.sin),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))), ("softplus", lambda x: np.log1p(np.exp(x))),
])
def test_builtin_values(name, ref):
    act = rs.activation(name)
    assert act.name == name
    np.testing.assert_allclose(act(X), ref(X), rtol=1e-14, atol=1e-15)
    assert act(X.reshape(13, 1)).shape == (13, 1)


@pytest.mark.parametrize("name", ["tanh", "erf", "softplus", "sin", "sigmoid"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_builtin_derivatives_match_sympy(name, k):
    # analytic derivative vs sympy.diff of the symbolic form, 1e-12 (both exact up to round-off)
    act = rs.activation(name)
    x = sympy.Symbol("x", real=True)
    expr = act.sympy_expr.subs(list(act.sympy_expr.free_symbols)[0], x)
    f = sympy.lambdify(x, sympy.diff(expr, x, k), modules=["scipy", "numpy"])
    np.testing.assert_allclose(act.derivative(k)(X), f(X), rtol=1e-12, atol=1e-12)


def test_relu_metadata():
    relu = rs.activation("relu")
    assert relu.kinks == (0.0,) and relu.smooth is False
    assert sympy.simplify(relu.sympy_expr - sympy.Max(0, sympy.Symbol("x", real=True))) == 0
    np.testing.assert_array_equal(relu.derivative(1)(np.array([-1.0, 2.0])), [0.0, 1.0])
    assert not relu.is_polynomial and relu.polynomial_coefficients is None
    assert rs.activation("tanh").kinks == () and rs.activation("tanh").smooth is True


def test_activation_is_idempotent():
    act = rs.activation("tanh")
    assert rs.activation(act) is act


def test_hermite_and_polynomial_specs():
    he3 = rs.activation("hermite:3")
    assert he3.is_polynomial
    np.testing.assert_array_equal(he3.polynomial_coefficients, [0, -3, 0, 1])
    np.testing.assert_allclose(he3(X), X**3 - 3 * X, atol=1e-13)
    p = rs.activation([1.0, 0.0, 2.0])  # 1 + 2x^2, monomial basis, lowest degree first
    np.testing.assert_allclose(p(X), 1 + 2 * X**2)
    np.testing.assert_allclose(p.derivative(1)(X), 4 * X)
    q = rs.activation(np.polynomial.Polynomial([1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(q.polynomial_coefficients, [1.0, 0.0, 2.0])
    h = rs.activation(np.polynomial.HermiteE([0, 0, 1]))  # He_2 = x^2 - 1
    np.testing.assert_allclose(h.polynomial_coefficients, [-1.0, 0.0, 1.0])


def test_sympy_expression():
    t = sympy.Symbol("t")
    act = rs.activation(sympy.tanh(t) + t / 10)
    np.testing.assert_allclose(act(X), np.tanh(X) + X / 10, rtol=1e-14)
    np.testing.assert_allclose(act.derivative(1)(X), 1 - np.tanh(X) ** 2 + 0.1, rtol=1e-13)
    assert act.smooth is True
    kinked = rs.activation(sympy.Abs(t - 1) + sympy.Max(0, t))
    assert kinked.kinks == (0.0, 1.0) and kinked.smooth is False
    assert rs.activation(t**2 - 1).is_polynomial


def test_callable_smoothness_unknown_and_finite_differences():
    act = rs.activation(lambda x: np.sin(x) * x, name="xsin")
    assert act.smooth is None and act.kinks == () and act.name == "xsin"
    # central differences: step eps^(1/3) -> ~1e-10 accuracy for k=1; eps^(1/4) -> ~1e-7 for k=2
    np.testing.assert_allclose(act.derivative(1)(X), np.cos(X) * X + np.sin(X), atol=1e-9)
    np.testing.assert_allclose(act.derivative(2)(X), 2 * np.cos(X) - X * np.sin(X), atol=1e-6)
    k = rs.activation(lambda x: np.abs(x), kinks=[0.0])
    assert k.smooth is False and k.kinks == (0.0,)


@pytest.mark.parametrize("bad,exc", [
    ("gelu", ValueError),
    ("hermite:-1", ValueError),
    (3.0, TypeError),
    (sympy.Symbol("x") * sympy.Symbol("y"), ValueError),
    (lambda x: float(np.sum(x)), ValueError),           # wrong shape (not vectorized)
    (lambda x: x / 0.0 * 0.0, ValueError),               # NaN
    (lambda x: 1 / 0, ValueError),                       # raises
    (lambda x: x.astype(complex), ValueError),           # complex
    ([], ValueError),
    (["a", "b"], TypeError),
])
def test_bad_spec(bad, exc):
    with pytest.raises(exc, match="spec"):
        rs.activation(bad)


def test_bad_derivative_order():
    with pytest.raises(ValueError, match="k"):
        rs.activation("tanh").derivative(-1)
