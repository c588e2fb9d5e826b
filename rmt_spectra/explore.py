r"""Interactive explorer: move a parameter, watch the spectrum of ``Σ̂ = FᵀF/n`` change.

:func:`explore` builds sliders and drop-downs (ipywidgets, the ``[interactive]`` extra) over an
:class:`Explorer`, which does the work without any widget: for a parameter set it simulates the
network and its step at a chosen size (cached, so moving a theory-only control costs no new
simulation), evaluates the deterministic equivalent(s) after the step, and compares them with the
simulation (:func:`rmt_spectra.compare`: KS, Wasserstein-1, predicted vs measured outliers).
The drawing goes to a matplotlib ``Figure`` (no pyplot state), so the explorer also runs
headless, in scripts and tests.

Parameters (the controls):

* ``activation``, ``teacher``: activation names;
* ``step``: ``"eta_tilde"`` (``η = η̃√N``, control ``eta_tilde``) or ``"exponent"`` (``η = n₀^α``,
  control ``eta_exponent``);
* ``n0_over_d``, ``N_over_d``, ``n_over_N``: the size ratios, with ``d`` the simulated dimension;
* ``second_layer``: ``"pm1"``, ``"constant"`` or ``"gaussian"``;
* ``model``: ``"network"``, ``"surrogate"`` or ``"both"`` (which equivalents are drawn);
* ``seed``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ._validation import check_nonnegative, check_positive, check_size
from .empirical import compare
from .simulation import simulate_one_step
from .spiked import SpikedFeatures

__all__ = ["Explorer", "explore", "EXPLORER_CONTROLS"]

#: name -> (kind, choices or (min, max, step)) of each control of :func:`explore`.
EXPLORER_CONTROLS = {
    "activation": ("choice", ("tanh", "relu", "erf", "softplus", "gelu")),
    "teacher": ("choice", ("tanh", "relu", "erf", "softplus", "sin")),
    "step": ("choice", ("eta_tilde", "exponent")),
    "eta_tilde": ("float", (0.0, 8.0, 0.25)),
    "eta_exponent": ("float", (0.0, 0.45, 0.025)),
    "n0_over_d": ("float", (0.5, 16.0, 0.5)),
    "N_over_d": ("float", (0.25, 4.0, 0.25)),
    "n_over_N": ("float", (0.5, 8.0, 0.5)),
    "second_layer": ("choice", ("pm1", "constant", "gaussian")),
    "model": ("choice", ("network", "surrogate", "both")),
    "d": ("int", (50, 2000, 50)),
    "seed": ("int", (0, 99, 1)),
}

_DEFAULTS = dict(activation="tanh", teacher="tanh", step="eta_tilde", eta_tilde=3.0, eta_exponent=0.3,
                 n0_over_d=4.0, N_over_d=1.0, n_over_N=2.0, second_layer="pm1", model="network", d=300, seed=0)
_SIMULATION_KEYS = ("activation", "teacher", "step", "eta_tilde", "eta_exponent", "n0_over_d", "N_over_d",
                    "n_over_N", "second_layer", "d", "seed")


class Explorer:
    """The state and computation behind :func:`explore` (usable without widgets).

    Parameters
    ----------
    **params
        Any of the controls of the module docstring; the others take their defaults
        (tanh/tanh, ``η̃ = 3``, ``n₀/d = 4``, ``N/d = 1``, ``n/N = 2``, ``±1`` second layer,
        ``d = 300``, seed 0).

    Attributes
    ----------
    params : dict
        The current parameters.
    data : dict
        What was drawn last: ``eigenvalues`` (bulk and outliers of the simulated ``Σ̂``), ``x`` and
        ``pdf[model]`` (the equivalents' densities), ``outliers[model]`` (predicted locations),
        ``comparison[model]`` (:meth:`Comparison.as_dict`), ``sizes`` and ``params``.
    figure : matplotlib.figure.Figure
        The drawing (created on the first :meth:`draw`).
    """

    def __init__(self, **params):
        unknown = set(params) - set(_DEFAULTS)
        if unknown:
            raise TypeError(f"unknown explorer parameter(s) {sorted(unknown)}; known: {sorted(_DEFAULTS)}")
        self.params = dict(_DEFAULTS)
        self.params.update(self._validated(params))
        self._simulations = {}
        self.figure = None
        self.data = None

    # ------------------------------------------------------------------ parameters
    @staticmethod
    def _validated(params):
        out = {}
        for name, value in params.items():
            kind, spec = EXPLORER_CONTROLS[name]
            if kind == "choice":
                if name in ("activation", "teacher") and callable(value):
                    out[name] = value
                    continue
                if not isinstance(value, str):
                    raise TypeError(f"{name} must be a string, one of {spec}, got {value!r}")
                if name in ("step", "second_layer", "model") and value not in spec:
                    raise ValueError(f"{name} must be one of {spec}, got {value!r}")
                out[name] = value
            elif kind == "int":
                out[name] = check_size(name, value) if name == "d" else int(check_nonnegative(name, value))
            elif name in ("eta_tilde", "eta_exponent"):
                out[name] = check_nonnegative(name, value)
            else:
                out[name] = check_positive(name, value)
        return out

    def sizes(self):
        """``(n0, n, d, N)`` of the simulated network from ``d`` and the ratios."""
        p = self.params
        d = p["d"]
        N = max(2, int(round(p["N_over_d"] * d)))
        return max(2, int(round(p["n0_over_d"] * d))), max(2, int(round(p["n_over_N"] * N))), d, N

    def eta_tilde(self):
        """The step in the large-step convention ``η = η̃√N`` (from ``η = n₀^α`` when ``step="exponent"``)."""
        p = self.params
        if p["step"] == "eta_tilde":
            return p["eta_tilde"]
        n0, _, _, N = self.sizes()
        return n0 ** p["eta_exponent"] / math.sqrt(N)

    # ------------------------------------------------------------------ computation
    def simulation(self):
        """The simulated step for the current parameters (cached by the parameters it depends on)."""
        key = tuple(self.params[k] for k in _SIMULATION_KEYS)
        if key not in self._simulations:
            n0, n, d, N = self.sizes()
            p = self.params
            step = ({"eta_tilde": p["eta_tilde"]} if p["step"] == "eta_tilde" else {"eta_exponent": p["eta_exponent"]})
            self._simulations[key] = simulate_one_step(n0, n, d, N, activation=p["activation"], teacher=p["teacher"],
                                                       second_layer=p["second_layer"], seed=p["seed"], **step)
        return self._simulations[key]

    def equivalent(self, model):
        """The deterministic equivalent after the step (:meth:`SpikedFeatures.from_one_step`)."""
        n0, n, d, N = self.sizes()
        p = self.params
        return SpikedFeatures.from_one_step(p["activation"], p["teacher"], self.eta_tilde(), n0, n, d, N,
                                            second_layer=p["second_layer"], model=model)

    def models(self):
        """The equivalents drawn: ``["network"]``, ``["surrogate"]`` or both."""
        m = self.params["model"]
        return ["network", "surrogate"] if m == "both" else [m]

    def compute(self):
        """Simulate (or reuse), evaluate the equivalents, compare; returns the new :attr:`data`."""
        emp = self.simulation().feature_spectrum()
        eig = np.asarray(emp.eigenvalues, float)
        data = {"params": dict(self.params), "sizes": self.sizes(), "eta_tilde": self.eta_tilde(),
                "eigenvalues": eig, "pdf": {}, "outliers": {}, "comparison": {}, "support": {}}
        hi = None
        for model in self.models():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theory = self.equivalent(model)
                support = [tuple(map(float, iv)) for iv in theory.support]
                data["support"][model] = support
                data["outliers"][model] = [float(o.location) for o in theory.outliers()]
                data["comparison"][model] = compare(theory, emp).as_dict()
            top = max(b for _, b in support)
            hi = top if hi is None else max(hi, top)
            data[f"theory_{model}"] = theory
        bulk_top = max(hi, float(np.quantile(eig, 0.98)))
        x = np.linspace(0.0, 1.15 * bulk_top, 600)
        data["x"] = x
        for model in self.models():
            data["pdf"][model] = np.asarray(data.pop(f"theory_{model}").pdf(x), float)
        self.data = data
        return data

    # ------------------------------------------------------------------ drawing
    def summary(self):
        """One line per model: KS, W1, and each outlier predicted vs measured."""
        lines = []
        for model, c in self.data["comparison"].items():
            out = ", ".join(f"{o['predicted']:.4g} vs {o['measured']:.4g}" for o in c.get("outliers", []))
            lines.append(f"{model}: KS {c['ks']:.4f}  W1 {c['w1']:.4f}  edge {c['bulk_edge_theory']:.4f} vs "
                         f"{c['bulk_edge_measured']:.4f}" + (f"  outliers {out}" if out else ""))
        return "\n".join(lines)

    def draw(self):
        """Draw :attr:`data` on :attr:`figure` (histogram, equivalents, outliers); returns the figure."""
        from matplotlib.figure import Figure

        if self.figure is None:
            self.figure = Figure(figsize=(8.0, 3.6))
        fig = self.figure
        fig.clear()
        ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
        data = self.data
        x = data["x"]
        bulk = data["eigenvalues"][data["eigenvalues"] <= x[-1]]
        ax.hist(bulk, bins=60, density=True, color="0.75", label="network (simulated)")
        ax.hist(bulk, bins=60, density=True, histtype="step", color="0.4")
        scale = bulk.size / data["eigenvalues"].size
        for i, (model, pdf) in enumerate(data["pdf"].items()):
            ax.plot(x, pdf / scale, color=f"C{i}", lw=1.4, label=f"equivalent ({model})")
        n0, n, d, N = data["sizes"]
        p = data["params"]
        step = (f"η̃ = {p['eta_tilde']:g}" if p["step"] == "eta_tilde" else f"η = n₀^{p['eta_exponent']:g}")
        ax.set_title(f"σ = {p['activation']}, σ* = {p['teacher']}, {step}; n₀, n, d, N = {n0}, {n}, {d}, {N}",
                     fontsize=8)
        ax.set_xlabel("eigenvalue of FᵀF/n")
        ax.legend(fontsize=7)
        eig = data["eigenvalues"]
        bx.plot(np.zeros(eig.size), eig, "_", color="0.3", ms=10)
        for i, (model, locs) in enumerate(data["outliers"].items()):
            bx.plot(np.full(len(locs), 1.0 + i), locs, "x", color=f"C{i}", ms=8, label=f"predicted ({model})")
        bx.set_xticks(range(1 + len(data["outliers"])), ["measured"] + list(data["outliers"]), fontsize=7)
        bx.set_yscale("symlog", linthresh=max(1.0, float(x[-1])))
        bx.set_title("outliers", fontsize=8)
        fig.tight_layout()
        return fig

    def _ipython_display_(self):
        from IPython.display import display

        display(getattr(self, "widget", None) or self.draw())

    def update(self, **changes):
        """Change parameters, recompute, redraw; returns :attr:`data`."""
        self.params.update(self._validated(changes))
        self.compute()
        self.draw()
        return self.data


def explore(**params):
    """Sliders and drop-downs over the spectrum after one step (needs ``ipywidgets``: ``[interactive]``).

    Each change re-simulates the network at the chosen size when a simulation parameter moved
    (cached otherwise), redraws the histogram of ``Σ̂ = FᵀF/n`` over the deterministic
    equivalent(s) with the predicted outliers, and shows the KS/outlier numbers
    (:class:`Explorer`).

    Parameters
    ----------
    **params
        Initial values of the controls (:data:`EXPLORER_CONTROLS`): ``activation``, ``teacher``,
        ``step``, ``eta_tilde``, ``eta_exponent``, ``n0_over_d``, ``N_over_d``, ``n_over_N``,
        ``second_layer``, ``model``, ``d``, ``seed``.

    Returns
    -------
    Explorer
        With ``.widget`` (the ipywidgets box, shown when the explorer is the last expression of a
        notebook cell), ``.controls`` (name → widget) and ``.data``/``.figure`` (the last drawing).

    Examples
    --------
    >>> ex = rs.explore(activation="relu", teacher="relu", second_layer="constant")  # doctest: +SKIP
    >>> ex.controls["eta_tilde"].value = 2.0       # the figure and the numbers follow  # doctest: +SKIP
    """
    try:
        import ipywidgets as widgets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("rs.explore() needs ipywidgets: python -m pip install -e '.[interactive]'") from exc

    ex = Explorer(**params)
    controls = {}
    for name, (kind, spec) in EXPLORER_CONTROLS.items():
        value = ex.params[name]
        if kind == "choice":
            options = list(spec) if value in spec else [value, *spec]
            controls[name] = widgets.Dropdown(options=options, value=value, description=name)
        elif kind == "int":
            controls[name] = widgets.IntSlider(value=value, min=spec[0], max=max(spec[1], value), step=spec[2],
                                               description=name, continuous_update=False)
        else:
            controls[name] = widgets.FloatSlider(value=value, min=spec[0], max=max(spec[1], value), step=spec[2],
                                                 description=name, continuous_update=False)
    numbers = widgets.HTML()
    output = widgets.Output()

    def refresh():
        numbers.value = "<pre>" + ex.summary() + "</pre>"
        output.clear_output(wait=True)
        with output:
            from IPython.display import display

            display(ex.figure)

    def on_change(change):
        ex.update(**{change["owner"].description: change["new"]})
        refresh()

    for w in controls.values():
        w.observe(on_change, names="value")
    ex.compute()
    ex.draw()
    refresh()
    left = widgets.VBox([controls[k] for k in ("activation", "teacher", "second_layer", "model", "step", "seed")])
    right = widgets.VBox([controls[k] for k in ("eta_tilde", "eta_exponent", "n0_over_d", "N_over_d", "n_over_N",
                                                "d")])
    ex.controls = controls
    ex.numbers = numbers
    ex.output = output
    ex.widget = widgets.VBox([widgets.HBox([left, right]), numbers, output])
    return ex
