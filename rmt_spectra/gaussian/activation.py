r"""Activation functions σ: one object for built-ins, polynomials, sympy expressions and callables.

:func:`activation` turns a *spec* into an :class:`Activation`, which is a
vectorized numpy callable that also knows what the Gaussian machinery needs:

``kinks`` / ``smooth``
    where σ (or a low derivative) is not smooth. ``smooth=True``: analytic,
    no kinks. ``smooth=False``: piecewise analytic with breakpoints ``kinks``
    (quadrature is split there). ``smooth=None``: unknown (a bare callable);
    quadrature is then adaptive and carries an error estimate.
``derivative(k)``
    analytic for built-ins, polynomials and sympy expressions; central finite
    differences for a bare callable (see :meth:`Activation.derivative`).
``sympy_expr``, ``is_polynomial``, ``polynomial_coefficients``
    the symbolic form when known (exact Hermite coefficients of polynomials,
    ``docs/theory/gaussian.md``).

Accepted specs
--------------
* a built-in name: ``"tanh"``, ``"relu"``, ``"erf"``, ``"softplus"``
  (``log(1 + e^x)``), ``"sin"``, ``"sigmoid"`` (``1/(1 + e^{-x})``);
* ``"hermite:k"``: the probabilists' Hermite polynomial ``He_k``;
* a polynomial in the **monomial basis, lowest degree first**: a list/tuple/
  1-d array ``[c0, c1, ...]`` meaning ``c0 + c1 x + ...`` (the convention of
  :class:`numpy.polynomial.Polynomial`), or any :mod:`numpy.polynomial`
  instance (converted to the monomial basis, its domain/window mapping applied);
* a sympy expression in at most one free symbol;
* any vectorized callable ``f(ndarray) -> ndarray`` of the same shape;
* an :class:`Activation` (returned unchanged).
"""
from __future__ import annotations

import itertools
import math
import numbers
from fractions import Fraction

import numpy as np

from .._lazy import lazy_import
from .._validation import check_int
from .activation_checks import _detect_parity, _probe, _x
from .derivatives import (_SIGMOID_Q, _SIN_CYCLE, _TANH_Q, _as_array_func, _finite_difference,
                          _generator_polynomial_derivative, _polynomial_derivative_factory, _relu_derivative,
                          _sympy_derivative_factory)

sc = lazy_import("scipy.special")
sympy = lazy_import("sympy")

__all__ = ["Activation", "activation", "BUILTIN_ACTIVATIONS"]





def _is_sympy(obj) -> bool:
    """Whether ``obj`` is a sympy object, without importing sympy for the test."""
    return type(obj).__module__.split(".")[0] == "sympy"

#: names accepted by :func:`activation` (plus ``"hermite:k"``).
BUILTIN_ACTIVATIONS = ("tanh", "relu", "erf", "softplus", "sin", "sigmoid")

_ALLOWED = (
    "a built-in name " + ", ".join(repr(n) for n in BUILTIN_ACTIVATIONS)
    + ", 'hermite:k' (k >= 0), a list of monomial coefficients [c0, c1, ...] or a numpy.polynomial"
    " instance, a sympy expression in one free symbol, a vectorized callable, or an Activation"
)



class Activation:
    """A vectorized activation σ with the metadata used by the Gaussian machinery.

    Build it with :func:`activation`; attributes are read-only by convention.

    Parameters
    ----------
    func : callable
        Vectorized ``ndarray -> ndarray`` evaluating σ (the result is cast to float).
    name : str, keyword-only
        Display name.
    kind : str, keyword-only
        ``"builtin"``, ``"hermite"``, ``"polynomial"``, ``"sympy"`` or ``"callable"``.
    kinks : iterable of float, default ()
        Breakpoints of σ (stored sorted, as floats).
    smooth : bool or None, default True
        ``True`` analytic on R; ``False`` analytic between ``kinks``; ``None`` unknown.
    sympy_expr : sympy.Expr, zero-argument factory of one, or None
        Symbolic form in ``x`` (a factory is called on first access).
    exact_coefficients : sequence of sympy numbers, optional
        Exact monomial coefficients (lowest degree first); makes σ a polynomial.
    derivative_factory : callable, optional
        ``k -> σ^{(k)}`` (vectorized); without it derivatives are finite differences.
    mp_func : callable, optional
        σ at an mpmath number (:meth:`mp_eval`); without it ``func`` in double precision.
    d1_from_value : callable, optional
        ``σ'`` as a function of ``σ`` (:meth:`value_and_derivative`).
    parity : {-1, 0, 1} or None
        Known parity; None detects it on first access (:attr:`parity`).

    Attributes
    ----------
    name : str
    kind : str
        ``"builtin"``, ``"hermite"``, ``"polynomial"``, ``"sympy"`` or ``"callable"``.
    kinks : tuple of float
        Points where σ or a low derivative is non-smooth (``relu -> (0.0,)``).
    smooth : bool or None
        ``True`` analytic on R; ``False`` analytic between ``kinks``; ``None`` unknown.
    sympy_expr : sympy.Expr or None
        Symbolic form in the symbol ``x`` (``relu -> Max(0, x)``).
    is_polynomial : bool
    polynomial_coefficients : ndarray or None
        Monomial coefficients ``[c0, c1, ...]`` (lowest degree first), floats.
    parity : int
        ``-1`` odd (σ(−x) = −σ(x)), ``+1`` even, ``0`` neither (see :attr:`parity`).
    """

    def __init__(self, func, *, name, kind, kinks=(), smooth=True, sympy_expr=None,
                 exact_coefficients=None, derivative_factory=None, mp_func=None, d1_from_value=None, parity=None):
        self._func = func
        self.name = str(name)
        self.kind = kind
        self.kinks = tuple(sorted(float(k) for k in kinks))
        self.smooth = smooth
        self._sympy_expr = sympy_expr  # an expression, or a zero-argument factory (built-ins: lazy)
        self._exact_coefficients = exact_coefficients  # sympy Rationals, monomial basis
        self._derivative_factory = derivative_factory
        self._mp_func = mp_func
        self._d1_from_value = d1_from_value  # σ' as a function of σ (saves an evaluation)
        self._derivative_cache: dict[int, object] = {}
        self._parity = parity

    # ------------------------------------------------------------------ basics
    @property
    def sympy_expr(self):
        """The sympy expression of σ in ``x`` when known (built on first access for built-ins)."""
        if callable(self._sympy_expr) and not _is_sympy(self._sympy_expr):
            self._sympy_expr = self._sympy_expr()
        return self._sympy_expr

    @property
    def parity(self) -> int:
        """``-1`` if σ is odd, ``+1`` if even, ``0`` otherwise.

        Coefficients that vanish by parity (``μ_k`` of the wrong parity, ``μ₀`` of an
        odd σ and ``μ₁`` of an even σ at shift 0) are set to exactly 0 by the Gaussian
        machinery, so code never has to compare a computed float with 0.
        Built-ins: tanh, erf, sin are odd. Polynomials: from the exact coefficients.
        sympy expressions: ``σ(−x) ∓ σ(x)`` simplifies to 0. Callables: exact (bitwise)
        equality ``σ(−x) = ∓σ(x)`` on 257 probe points in [−8, 8] (a floating-point
        implementation that is symmetric only up to round-off counts as neither).
        """
        if self._parity is None:
            self._parity = _detect_parity(self)
        return self._parity

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        return np.asarray(self._func(x), dtype=float)

    def __repr__(self):
        return f"Activation({self.name!r}, kind={self.kind!r}, kinks={self.kinks}, smooth={self.smooth})"

    @property
    def is_polynomial(self) -> bool:
        return self._exact_coefficients is not None

    @property
    def polynomial_coefficients(self):
        if self._exact_coefficients is None:
            return None
        return np.array([float(c) for c in self._exact_coefficients])

    def value_and_derivative(self, x):
        """``(σ(x), σ'(x))`` in one pass where σ' is a function of σ (tanh, sigmoid, softplus)."""
        v = self(x)
        if self._d1_from_value is not None:
            return v, self._d1_from_value(v)
        return v, np.asarray(self.derivative(1)(x), dtype=float)

    @property
    def has_analytic_derivative(self) -> bool:
        """Whether :meth:`derivative` is exact (not finite differences)."""
        return self._derivative_factory is not None

    # ------------------------------------------------------------------ derivatives
    def derivative(self, k: int = 1):
        r"""The k-th derivative :math:`\sigma^{(k)}` as a vectorized callable.

        Analytic for built-ins, polynomials and sympy expressions (``sympy.diff``
        then ``lambdify``; tanh/sigmoid/softplus use polynomials in
        ``tanh(x)``/``expit(x)``, which never overflow). For ReLU the classical
        derivative is returned (``1{x>0}`` for k = 1, zero for k >= 2): the Dirac
        mass at the kink is *not* represented, so ``E relu''(z) != E[relu(z) He_2(z)]``.

        For a bare callable: the central difference
        :math:`h^{-k}\sum_{j=0}^{k}(-1)^j\binom{k}{j}\sigma(x+(k/2-j)h)` with
        :math:`h=\epsilon^{1/(k+2)}\max(1,|x|)`, error :math:`O(h^2)` plus round-off
        :math:`O(\epsilon/h^k)`, i.e. about :math:`\epsilon^{2/(k+2)}` relative:
        ~1e-10 for k = 1, ~1e-8 for k = 2 (for σ with bounded derivatives of order k + 2).
        """
        k = check_int("k", k, minimum=0)
        if k == 0:
            return self
        if k not in self._derivative_cache:
            if self._derivative_factory is not None:
                self._derivative_cache[k] = self._derivative_factory(k)
            else:
                self._derivative_cache[k] = _finite_difference(self._func, k)
        return self._derivative_cache[k]

    # ------------------------------------------------------------------ mpmath
    def mp_eval(self, t):
        """σ at an mpmath number, at the working precision when σ is symbolic or built-in.

        A bare callable is evaluated in double precision (then the mpmath
        reference is only as accurate as the callable itself).
        """
        import mpmath

        if self._mp_func is not None:
            return self._mp_func(t)
        return mpmath.mpf(float(self._func(np.array([float(t)]))[0]))


def _builtin(name: str) -> Activation:
    import mpmath

    if name == "tanh":
        return Activation(np.tanh, name=name, kind="builtin", sympy_expr=lambda: sympy.tanh(_x()), mp_func=mpmath.tanh, parity=-1,
                          derivative_factory=lambda k: _generator_polynomial_derivative(np.tanh, _TANH_Q, k),
                          d1_from_value=lambda v: 1.0 - v * v)
    if name == "relu":
        return Activation(lambda t: np.maximum(t, 0.0), name=name, kind="builtin", kinks=(0.0,), smooth=False, parity=0,
                          sympy_expr=lambda: sympy.Max(0, _x()), mp_func=lambda t: t if t > 0 else mpmath.mpf(0),
                          derivative_factory=_relu_derivative)
    if name == "erf":
        return Activation(sc.erf, name=name, kind="builtin", sympy_expr=lambda: sympy.erf(_x()), mp_func=mpmath.erf, parity=-1,
                          derivative_factory=lambda k: _sympy_derivative_factory(sympy.erf(_x()), _x())(k))
    if name == "softplus":
        def dsoftplus(k):
            return _generator_polynomial_derivative(sc.expit, _SIGMOID_Q, k - 1)
        return Activation(lambda t: np.logaddexp(0.0, t), name=name, kind="builtin", parity=0,
                          sympy_expr=lambda: sympy.log(1 + sympy.exp(_x())),
                          mp_func=lambda t: mpmath.log1p(mpmath.exp(t)), derivative_factory=dsoftplus,
                          d1_from_value=lambda v: -np.expm1(-v))
    if name == "sin":
        return Activation(np.sin, name=name, kind="builtin", sympy_expr=lambda: sympy.sin(_x()), mp_func=mpmath.sin, parity=-1,
                          derivative_factory=lambda k: _SIN_CYCLE[k % 4])
    if name == "sigmoid":
        return Activation(sc.expit, name=name, kind="builtin", sympy_expr=lambda: 1 / (1 + sympy.exp(-_x())), parity=0,
                          mp_func=lambda t: 1 / (1 + mpmath.exp(-t)),
                          derivative_factory=lambda k: _generator_polynomial_derivative(sc.expit, _SIGMOID_Q, k),
                          d1_from_value=lambda v: v * (1.0 - v))
    raise AssertionError(name)  # pragma: no cover


def _exact_number(c):
    if _is_sympy(c) and isinstance(c, sympy.Basic):
        if not c.is_number or not c.is_real:
            raise TypeError
        return c
    if isinstance(c, (bool, np.bool_)):
        raise TypeError
    if isinstance(c, numbers.Integral):
        return sympy.Integer(int(c))
    if isinstance(c, Fraction):
        return sympy.Rational(c.numerator, c.denominator)
    if isinstance(c, numbers.Real):
        v = float(c)
        if not math.isfinite(v):
            raise ValueError
        return sympy.Rational(v)  # the exact binary value of the float
    raise TypeError


def _from_coefficients(coeffs, name=None, kind="polynomial") -> Activation:
    exact = [_exact_number(c) for c in coeffs]
    while len(exact) > 1 and exact[-1] == 0:
        exact.pop()
    if not exact:
        exact = [sympy.Integer(0)]
    expr = sum((c * _x()**j for j, c in enumerate(exact)), sympy.Integer(0))
    floats = np.array([float(c) for c in exact])
    if name is None:
        name = "polynomial[" + ", ".join(f"{v:g}" for v in floats) + "]"
    return Activation(lambda t: np.polynomial.polynomial.polyval(t, floats), name=name, kind=kind,
                      sympy_expr=expr, exact_coefficients=tuple(exact),
                      mp_func=sympy.lambdify(_x(), expr, modules="mpmath"),
                      derivative_factory=_polynomial_derivative_factory(exact))


def hermite_monomial_coefficients(k: int):
    """Exact monomial coefficients of ``He_k`` (lowest degree first), by the recurrence."""
    prev, cur = [sympy.Integer(1)], [sympy.Integer(0), sympy.Integer(1)]
    if k == 0:
        return prev
    for j in range(1, k):
        nxt = [sympy.Integer(0)] + cur  # z He_j
        for i, c in enumerate(prev):
            nxt[i] -= j * c
        prev, cur = cur, nxt
    return cur


def _sympy_kinks(expr, sym):
    """Breakpoints of Abs/Max/Min/sign/Heaviside/Piecewise in ``expr``; None if unknown."""
    points = set()
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Abs, sympy.sign, sympy.Heaviside)):
            eqs = [node.args[0]]
        elif isinstance(node, (sympy.Max, sympy.Min)):
            eqs = [a - b for a, b in itertools.combinations(node.args, 2)]
        elif isinstance(node, sympy.Piecewise):
            eqs = []
            for _, cond in node.args:
                if cond is sympy.true:
                    continue
                if not isinstance(cond, sympy.core.relational.Relational):
                    return None
                eqs.append(cond.lhs - cond.rhs)
        elif isinstance(node, (sympy.floor, sympy.ceiling, sympy.frac)):
            return None
        else:
            continue
        for eq in eqs:
            if not eq.has(sym):
                continue
            try:
                sols = sympy.solveset(eq, sym, domain=sympy.S.Reals)
            except Exception:  # noqa: BLE001 - sympy raises many types
                return None
            if not isinstance(sols, sympy.FiniteSet):
                return None
            points.update(float(s) for s in sols)
    return tuple(sorted(points))


def _from_sympy(expr) -> Activation:
    free = sorted(expr.free_symbols, key=str)
    if len(free) > 1:
        raise ValueError(f"spec: a sympy expression must have at most one free symbol, got {free}; allowed: {_ALLOWED}")
    sym = free[0] if free else _x()
    e = expr.subs(sym, _x()) if free else expr
    if e.is_polynomial(_x()):
        coeffs = sympy.Poly(e, _x()).all_coeffs()[::-1]
        if all(c.is_number and c.is_real for c in coeffs):
            return _from_coefficients(coeffs, name=str(expr))
    kinks = _sympy_kinks(e, _x())
    smooth = None if kinks is None else (len(kinks) == 0)
    import mpmath  # noqa: F401  (lambdify needs it importable)

    func = _as_array_func(sympy.lambdify(_x(), e, modules=["scipy", "numpy"]))
    mpf = sympy.lambdify(_x(), e, modules="mpmath")
    act = Activation(func, name=str(expr), kind="sympy", kinks=kinks or (), smooth=smooth, sympy_expr=e,
                     derivative_factory=_sympy_derivative_factory(e, _x()), mp_func=mpf)
    _probe(act, "the sympy expression")
    return act


# ====================================================================== factory
def activation(spec, *, name: str | None = None, kinks=None) -> Activation:
    """Build an :class:`Activation` from a spec (see the module docstring for the list).

    Parameters
    ----------
    spec : str, sequence, numpy.polynomial instance, sympy.Expr, callable or Activation
    name : str, optional
        Display name for a callable (default: its ``__name__``).
    kinks : sequence of float, optional
        Only for a callable: its breakpoints. Giving them (even ``()``) declares
        σ analytic between them (``smooth = len(kinks) == 0``), so the fast
        fixed quadrature rules are used; without them ``smooth=None`` (unknown)
        and quadrature is adaptive.

    Returns
    -------
    Activation
        ``spec`` itself if it is one; otherwise a new activation (kind ``"builtin"``,
        ``"hermite"``, ``"polynomial"``, ``"sympy"`` or ``"callable"``). Sympy expressions and
        callables are probed first (vectorized, real, finite on [−40, 40], finite
        ``E σ(z)²``; ``ValueError`` otherwise).

    Raises
    ------
    TypeError, ValueError
        Naming ``spec`` and what is allowed.
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key in BUILTIN_ACTIVATIONS:
            return _builtin(key)
        if key.startswith("hermite:"):
            try:
                k = int(key.split(":", 1)[1])
            except ValueError:
                k = -1
            if k < 0:
                raise ValueError(f"spec: 'hermite:k' needs an integer k >= 0, got {spec!r}")
            return _from_coefficients(hermite_monomial_coefficients(k), name=f"hermite:{k}", kind="hermite")
        raise ValueError(f"spec: unknown activation {spec!r}; allowed: {_ALLOWED}")
    if isinstance(spec, np.polynomial.polynomial.ABCPolyBase):
        poly = spec.convert(kind=np.polynomial.Polynomial, domain=[-1, 1], window=[-1, 1])
        return _from_coefficients(list(poly.coef))
    if _is_sympy(spec) and isinstance(spec, sympy.Basic):
        if not isinstance(spec, sympy.Expr):
            raise TypeError(f"spec: a sympy object must be an expression, got {type(spec).__name__}; allowed: {_ALLOWED}")
        return _from_sympy(spec)
    if isinstance(spec, (list, tuple, np.ndarray)):
        arr = np.asarray(spec, dtype=object)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"spec: polynomial coefficients must be a non-empty 1-d sequence, got {spec!r}")
        try:
            return _from_coefficients(list(arr))
        except (TypeError, ValueError):
            raise TypeError(f"spec: polynomial coefficients must be finite real numbers, got {spec!r}") from None
    if callable(spec):
        if kinks is None:
            kinks_t, smooth = (), None
        else:
            kinks_t = tuple(float(k) for k in np.atleast_1d(np.asarray(kinks, dtype=float)))
            if not all(math.isfinite(k) for k in kinks_t):
                raise ValueError("kinks must be finite real numbers")
            smooth = len(kinks_t) == 0
        label = name or getattr(spec, "__name__", None) or type(spec).__name__
        act = Activation(spec, name=label, kind="callable", kinks=kinks_t, smooth=smooth)
        _probe(act, f"the callable {label!r}")
        return act
    raise TypeError(f"spec: cannot make an activation from {type(spec).__name__}; allowed: {_ALLOWED}")


def activation_parameter(param: str, spec) -> Activation:
    """:func:`activation` for the public parameter ``param`` (``"activation"``, ``"teacher"``, …): a bad spec
    raises the same error, its message naming ``param`` instead of ``spec``."""
    try:
        return activation(spec)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        raise type(exc)(f"{param}: {msg[6:] if msg.startswith('spec: ') else msg}") from None
