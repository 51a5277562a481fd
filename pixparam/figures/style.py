"""One style for every pixparam figure: fonts, a colour-blind-safe palette, captions.

Colours are the Okabe–Ito palette, and Paul Tol's muted one for the
families beyond its eight colours (both safe for the common colour-vision
deficiencies); each family keeps its colour in every figure. Figures are
built inside :func:`style` so the settings apply without touching the
global rcParams.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator

import matplotlib as mpl

from ..budget import format_count
from ..errors import ConfigError
from ..metrics import format_db

__all__ = [
    "CAPTION_SIZE",
    "COLORS",
    "MAX_WIDTH",
    "OKABE_ITO",
    "TOL_MUTED",
    "clamp_width",
    "color_for",
    "format_budget",
    "panel_size",
    "quality_caption",
    "style",
]

#: Widest figure, in inches (one blog column).
MAX_WIDTH = 7.2
#: Font size of panel captions, in points.
CAPTION_SIZE = 7.0

#: The Okabe–Ito palette (distinguishable with colour-vision deficiencies), by colour name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: Paul Tol's "muted" palette, also safe for colour-vision deficiencies: the families beyond Okabe–Ito's eight.
TOL_MUTED = {"indigo": "#332288", "olive": "#999933", "wine": "#882255", "teal": "#44AA99"}

#: Colour per series: the network families, pixels and the codecs. Siblings are near: finer by siren's blue.
COLORS = {
    "grid": OKABE_ITO["sky blue"],
    "gaussians": TOL_MUTED["olive"],
    "siren": OKABE_ITO["blue"],
    "finer": TOL_MUTED["indigo"],
    "wire": TOL_MUTED["wine"],
    "fourier": OKABE_ITO["vermillion"],
    "relu": OKABE_ITO["reddish purple"],
    "hashgrid": OKABE_ITO["bluish green"],
    "pixels": OKABE_ITO["black"],
    "jpeg": OKABE_ITO["orange"],
    "webp": TOL_MUTED["teal"],  # as the rate–distortion figure draws WebP and AVIF
    "avif": "#595959",
}
_SPARE = [OKABE_ITO["yellow"], TOL_MUTED["teal"]]

_RC = {
    "font.size": 8.0,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.0,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.7,
    "lines.linewidth": 1.4,
    "lines.markersize": 4.0,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.5,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "image.interpolation": "nearest",
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply pixparam's figure style for the duration of a ``with`` block.

    Yields
    ------
    None
        matplotlib's settings are restored when the block ends.
    """
    with mpl.rc_context(_RC):
        yield


def clamp_width(width: float) -> float:
    """A figure width in inches, no wider than :data:`MAX_WIDTH`.

    Parameters
    ----------
    width : float
        The width asked for, in inches.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        ``width`` is not a positive number.
    """
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width > 0:
        raise ConfigError(f"width={width!r}; a figure width is a positive number of inches")
    return min(float(width), MAX_WIDTH)


def panel_size(n: int, *, largest: float, margin: float = 0.0, requested: float | None = None) -> float:
    """Inches per panel so that ``n`` panels and ``margin`` inches fit in :data:`MAX_WIDTH`.

    Parameters
    ----------
    n : int
        Panels side by side.
    largest : float
        The default panel size, used when the row has room for it.
    margin : float
        Inches beside the panels (labels, a colour bar).
    requested : float, optional
        The caller's panel size, used in place of ``largest`` (and shrunk
        like it when the row would be too wide).

    Raises
    ------
    ConfigError
        ``requested`` is not a positive number.
    """
    if requested is not None and (
        isinstance(requested, bool) or not isinstance(requested, (int, float)) or not requested > 0
    ):
        raise ConfigError(f"panel_width={requested!r}; it is a positive number of inches per panel")
    return min(largest if requested is None else float(requested), (MAX_WIDTH - margin) / max(1, n))


def color_for(name: str) -> str:
    """The colour of a family or series (``'siren'``, ``'pixels'``, ``'jpeg'``...).

    Parameters
    ----------
    name : str
        A family or series key; a series' first part decides (``'pixels/bits32'`` is pixels).

    Returns
    -------
    str
        A hex colour; names not in :data:`COLORS` get a spare colour chosen
        by a stable hash of the name.
    """
    key = name.replace("/", " ").split()[0].lower()
    if key in COLORS:
        return COLORS[key]
    return _SPARE[zlib.crc32(key.encode()) % len(_SPARE)]  # stable across runs, unlike hash()


def quality_caption(psnr: float, ssim: float | None = None) -> str:
    """``'27.3 dB · SSIM 0.912'`` (or ``'lossless'``).

    Parameters
    ----------
    psnr : float
        In dB; ``inf`` reads ``'lossless'``.
    ssim : float, optional
        Appended when given (and the PSNR is finite).

    Returns
    -------
    str
    """
    text = format_db(psnr)
    if ssim is not None and psnr != float("inf"):
        text += f" · SSIM {ssim:.3f}"
    return text


def format_budget(n: int) -> str:
    """A budget for titles: ``'1k'``, ``'1.5k'``, ``'64k'`` (:func:`format_count` without a trailing ``.0``).

    Parameters
    ----------
    n : int
        The budget.

    Returns
    -------
    str
    """
    return format_count(n).replace(".0", "")


def count_caption(n: int, unit: str) -> str:
    """``'4.1k params'``."""
    return f"{format_count(n)} {unit}"
