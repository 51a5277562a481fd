"""Image quality metrics: PSNR and SSIM, both from scikit-image.

Both compare float images in ``[0, 1]`` (data range 1) of equal shape,
``(H, W)`` or ``(H, W, C)``.
"""

from __future__ import annotations

import warnings

import numpy as np

from .errors import ConfigError, ImageError

__all__ = ["Measured", "format_db", "mse", "psnr", "psnr_from_mse", "ssim"]


def _pair(ref: np.ndarray, test: np.ndarray, *, points: bool = False) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(ref)
    test = np.asarray(test)
    if ref.shape != test.shape:
        raise ImageError(
            f"cannot compare images of shapes {ref.shape} and {test.shape}; render or resize the test "
            f"image to the reference's {ref.shape[:2]} first (e.g. fit.render(size={ref.shape[:2]}))"
        )
    if (ref.ndim not in (2, 3) and not points) or ref.size == 0:
        raise ImageError(f"expected (H, W) or (H, W, C) images, got shape {ref.shape}")
    ref64, test64 = ref.astype(np.float64), test.astype(np.float64)
    for name, a in (("reference", ref64), ("test", test64)):
        if not np.isfinite(a).all():
            raise ImageError(f"the {name} image holds NaN or infinite values")
    return ref64, test64


def mse(ref: np.ndarray, test: np.ndarray) -> float:
    """Mean squared error over every value, in float64.

    Parameters
    ----------
    ref, test : (H, W[, C]) or (N, C) ndarray
        Same shape; non-finite values are an error (as for :func:`psnr`).

    Returns
    -------
    float
        ``mean((ref - test)²)``.

    Examples
    --------
    >>> import numpy as np
    >>> mse(np.zeros((4, 4)), np.full((4, 4), 0.5))
    0.25
    """
    ref64, test64 = _pair(ref, test, points=True)
    return float(np.mean(np.square(ref64 - test64)))


def psnr_from_mse(mse: float) -> float:
    """PSNR (dB, data range 1) of a mean squared error: ``10 log10(1 / mse)``, the one place it is computed.

    Non-finite and edge values have one meaning everywhere: ``0`` gives
    ``inf`` (lossless), ``inf`` gives ``-inf``, and NaN or a negative value
    gives NaN (no PSNR exists).

    Parameters
    ----------
    mse : float
        A mean squared error of values in ``[0, 1]``.

    Returns
    -------
    float
        In dB.

    Examples
    --------
    >>> psnr_from_mse(0.01), psnr_from_mse(0.0), psnr_from_mse(float("nan"))
    (20.0, inf, nan)
    """
    mse = float(mse)
    if mse == 0.0:
        return float("inf")
    if not mse >= 0.0:  # NaN or negative
        return float("nan")
    if mse == float("inf"):
        return float("-inf")
    return float(10 * np.log10(1.0 / mse))


def psnr(ref: np.ndarray, test: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB, data range 1.

    Parameters
    ----------
    ref, test : (H, W[, C]) ndarray
        Reference and test images in ``[0, 1]``, same shape.

    Returns
    -------
    float
        ``10 log10(1 / MSE)``; ``inf`` for identical images.

    Examples
    --------
    >>> import numpy as np, pixparam as pp
    >>> a = np.zeros((8, 8, 1)); b = a + 0.1
    >>> round(pp.psnr(a, b), 6)
    20.0
    """
    from skimage.metrics import peak_signal_noise_ratio

    ref64, test64 = _pair(ref, test)
    if np.array_equal(ref64, test64):
        return float("inf")
    return float(peak_signal_noise_ratio(ref64, test64, data_range=1.0))


def ssim(ref: np.ndarray, test: np.ndarray) -> float:
    """Structural similarity (Wang et al. 2004), data range 1.

    Uses scikit-image's Gaussian-weighted form (sigma 1.5, population
    covariance), the settings of the original paper. Images smaller than the
    11-pixel Gaussian window use a uniform window of the largest odd size that
    fits (at least 3); colour channels are averaged.

    Parameters
    ----------
    ref, test : (H, W[, C]) ndarray
        Reference and test images in ``[0, 1]``, same shape, at least 3×3.

    Returns
    -------
    float
        In ``[-1, 1]``; 1 for identical images.
    """
    from skimage.metrics import structural_similarity

    ref64, test64 = _pair(ref, test)
    if ref64.ndim == 3 and ref64.shape[2] == 1:
        ref64, test64 = ref64[..., 0], test64[..., 0]
    side = min(ref64.shape[:2])
    if side < 3:
        raise ImageError(f"SSIM needs images of at least 3×3 pixels, got {ref64.shape[:2]}")
    kw: dict = {"data_range": 1.0, "channel_axis": -1 if ref64.ndim == 3 else None}
    if side >= 11:
        kw.update(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    else:
        kw.update(win_size=side if side % 2 else side - 1, use_sample_covariance=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(structural_similarity(ref64, test64, **kw))


class Measured:
    """Mixin for reconstructions measured against an image: networks and pixels alike.

    Subclasses provide ``image`` (the reference, or ``None``), a ``metrics``
    dict (a cache, also filled from checkpoints) and :meth:`reconstruct`.
    """

    image: np.ndarray | None
    metrics: dict[str, float]

    def reconstruct(self, size: tuple[int, int]) -> np.ndarray:  # pragma: no cover - abstract
        """The reconstruction at ``size`` that metrics compare.

        Parameters
        ----------
        size : (int, int)
            ``(h, w)`` of the reference image.

        Returns
        -------
        (h, w, C) ndarray of float32
        """
        raise NotImplementedError

    def measure(self, image: np.ndarray) -> dict[str, float]:
        """PSNR and SSIM of the reconstruction against ``image``, at its size.

        Parameters
        ----------
        image : (H, W, C) ndarray of float32
            The reference.

        Returns
        -------
        dict of str to float
            ``psnr`` (dB) and ``ssim``.
        """
        out = self.reconstruct(image.shape[:2])
        return {"psnr": psnr(image, out), "ssim": ssim(image, out)}

    def _metric(self, name: str) -> float:
        if name not in self.metrics:
            if self.image is None:
                raise ConfigError(
                    f"no {name} is recorded and there is no image to measure against; call .measure(image)"
                )
            self.metrics.update(self.measure(self.image))
        return self.metrics[name]

    @property
    def psnr(self) -> float:
        """PSNR (dB) against the image."""
        return self._metric("psnr")

    @property
    def ssim(self) -> float:
        """SSIM against the image."""
        return self._metric("ssim")


def format_db(value: float) -> str:
    """A PSNR for captions: ``'27.3 dB'``, or ``'lossless'`` for identical images.

    Parameters
    ----------
    value : float
        A PSNR in dB (``inf`` when lossless).

    Returns
    -------
    str
    """
    return "lossless" if value == float("inf") else f"{value:.1f} dB"
