"""The gallery: one command regenerates every figure, its numbers, a README and a web page.

``pixparam gallery`` (or :func:`build_gallery`) fits every network the story
needs (cached, so a rerun resumes), draws each section, and writes
``results.json``, ``README.md`` and ``index.html`` into the gallery folder.
"""

from .build import build_gallery
from .spec import PROFILES, Profile, get_profile
from .story import SECTIONS, Section

__all__ = ["PROFILES", "SECTIONS", "Profile", "Section", "build_gallery", "get_profile"]
