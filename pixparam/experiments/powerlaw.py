"""Power laws ``L(P) = E + A·P^-α`` fitted in log space, with confidence intervals."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import ConfigError

__all__ = ["PowerLaw", "fit_power_law"]


@dataclass(frozen=True)
class PowerLaw:
    """``L(P) = E + A·P^-α`` with 95 % confidence intervals (NaN when not identifiable).

    Call it to evaluate the law: ``law(p)`` is the fitted loss at size ``p``.

    Attributes
    ----------
    E : float
        The irreducible floor (0 for a pure power law).
    A : float
        The scale.
    alpha : float
        The exponent.
    alpha_lo, alpha_hi : float
        95 % confidence interval of ``alpha``.
    E_lo, E_hi : float
        95 % confidence interval of ``E``.
    n_points : int
        Points the law was fitted to.
    rms_log_error : float
        Root-mean-square error of the fit in ``log(loss)``.
    has_floor : bool
        Whether ``E`` was fitted (else fixed at 0).
    """

    E: float
    A: float
    alpha: float
    alpha_lo: float
    alpha_hi: float
    E_lo: float
    E_hi: float
    n_points: int
    rms_log_error: float
    has_floor: bool = True

    def __call__(self, p: np.ndarray | float) -> np.ndarray:
        """The fitted loss at ``p``."""
        with np.errstate(over="ignore"):  # a tiny P under a steep law is an infinite loss, not an error
            return self.E + self.A * np.asarray(p, dtype=float) ** -self.alpha

    def inverse(self, loss: np.ndarray | float) -> np.ndarray:
        """The ``P`` giving ``loss`` (NaN at or below the floor ``E``).

        Parameters
        ----------
        loss : float or ndarray of any shape
            Losses (MSE).

        Returns
        -------
        ndarray of float
            Same shape as ``loss``.
        """
        excess = np.asarray(loss, dtype=float) - self.E
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            # in log space: a flat law (alpha near 0) sends P past any float, which is inf, not an error
            log_p = (np.log(np.maximum(excess, 1e-300)) - np.log(self.A)) / -self.alpha
            return np.where(excess > 0, np.exp(log_p), np.nan)

    def to_dict(self) -> dict[str, float]:
        """The fields as a JSON-ready dict."""
        return asdict(self)


def fit_power_law(p: Sequence[float], loss: Sequence[float], *, floor: bool = True) -> PowerLaw:
    """Fit ``loss ≈ E + A·p^-α`` by least squares on ``log(loss)``.

    Parameters
    ----------
    p : sequence of float
        Sizes (parameters or values), positive. Repeats (seeds) are fine.
    loss : sequence of float
        Losses (MSE), positive; non-positive or non-finite points are dropped.
    floor : bool
        Fit the irreducible floor ``E`` (else ``E = 0``: a pure power law).

    Returns
    -------
    PowerLaw
        Estimates with 95 % intervals (Student t on the covariance of
        ``(log E, log A, α)``); intervals are NaN with too few points. When
        the fitted floor is unidentifiable (infinite covariance, or ``E``
        below a thousandth of every loss) the pure power law is fitted
        instead and ``E = 0`` (``has_floor`` is False).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.logspace(2, 5, 10)
    >>> round(fit_power_law(p, 0.01 + 5 * p**-0.5).alpha, 3)
    0.5
    """
    from scipy.optimize import OptimizeWarning, curve_fit
    from scipy.stats import t as student_t

    x = np.asarray(p, dtype=float)
    y = np.asarray(loss, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    x, y = x[keep], y[keep]
    n_par = 3 if floor else 2
    if x.size < n_par or np.unique(x).size < n_par:
        raise ConfigError(f"a power law with {n_par} parameters needs at least {n_par} distinct sizes; got {x.size}")
    lx, ly = np.log(x), np.log(y)
    slope, icept = np.polyfit(lx, ly, 1)
    alpha0 = max(0.05, -slope)
    if floor:

        def model(lx, log_e, log_a, alpha):
            return np.logaddexp(log_e, log_a - alpha * lx)

        p0 = [np.log(y.min()) - 2.0, icept, alpha0]
    else:

        def model(lx, log_a, alpha):
            return log_a - alpha * lx

        p0 = [icept, alpha0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)  # an unidentifiable covariance gives NaN intervals
        popt, pcov = curve_fit(model, lx, ly, p0=p0, maxfev=20000)
    if floor and (not np.all(np.isfinite(pcov)) or popt[0] < np.log(y.min()) - np.log(1e3)):
        # The floor is unidentifiable (far below every loss): fit the pure power law instead.
        return fit_power_law(x, y, floor=False)
    resid = ly - model(lx, *popt)
    dof = x.size - n_par
    q = student_t.ppf(0.975, dof) if dof > 0 else math.nan
    se = np.sqrt(np.clip(np.diag(pcov), 0, None)) if dof > 0 and np.all(np.isfinite(pcov)) else np.full(n_par, np.nan)
    log_e, se_e = (popt[0], se[0]) if floor else (-math.inf, math.nan)
    log_a, alpha, se_alpha = popt[-2], popt[-1], se[-1]
    with np.errstate(over="ignore"):  # a fitted log beyond ~709 is an infinite value, not an error
        e_lo, e_hi = (np.exp(log_e - q * se_e), np.exp(log_e + q * se_e)) if floor else (0.0, 0.0)
        e, a = np.exp(log_e), np.exp(log_a)
    return PowerLaw(
        E=float(e),
        A=float(a),
        alpha=float(alpha),
        alpha_lo=float(alpha - q * se_alpha),
        alpha_hi=float(alpha + q * se_alpha),
        E_lo=float(e_lo),
        E_hi=float(e_hi),
        n_points=int(x.size),
        rms_log_error=float(np.sqrt(np.mean(resid**2))),
        has_floor=floor,
    )
