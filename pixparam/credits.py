"""Where the built-in sample images come from and their licences, as scikit-image's own documentation states them."""

from __future__ import annotations

import re

from .errors import ImageError
from .images import SAMPLES

__all__ = ["sample_credit"]


def sample_credit(name: str) -> str:
    """Where a built-in sample comes from and its licence, as scikit-image's own documentation states them.

    The sentences of the ``skimage.data`` function's docstring that speak of
    copyright, licences or the public domain, with their source; a sample
    whose docstring states none says so.

    Parameters
    ----------
    name : str
        A name from :data:`SAMPLES`.

    Returns
    -------
    str
        E.g. ``"scikit-image's data: No copyright restrictions. CC0 by the photographer (Rachel Michetti)."``

    Raises
    ------
    ImageError
        ``name`` is not a built-in sample.
    """
    import skimage.data

    if name not in SAMPLES:
        raise ImageError(f"{name!r} is not a built-in sample; choose from {', '.join(SAMPLES)}")
    doc = " ".join((getattr(skimage.data, name).__doc__ or "").split("Returns")[0].split())
    doc = re.sub(r"`([^`<]*?)\s*<([^>]+)>`_*", r"\1 (\2)", doc)  # `text <url>`_ -> text (url)
    doc = re.sub(r"\s*<([^>]+)>`_*", r" (\1)", doc).replace("Notes ----- ", "")
    sentences = re.split(r"(?<=[.])\s+", re.sub(r"References -+.*", "", doc))
    said = [t for t in sentences if re.search(r"copyright|licen[cs]e|public domain|CC0|CC-", t, re.I)]
    source = [t for t in sentences if re.search(r"downloaded from|courtesy of|acquired at", t, re.I)]
    if not said:
        return "shipped with scikit-image; its documentation states no licence for it"
    return "scikit-image's data: " + " ".join(dict.fromkeys([*source, *said]))
