"""A gallery profile's training settings: common ones, and a family's own (``Profile.training``).

``{"batch_size": 16384, "siren": {"batch_size": None, "steps": 3000}}`` holds
TrainConfig settings for every fit (``batch_size``) and, under a family's name,
that family's own, which may also set its ``steps``. :func:`split_training`
tells the two apart, :func:`check_training` refuses bad ones when a profile is
made, and :func:`describe_training` says them in words for the page's header.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError

__all__ = ["check_training", "describe_training", "split_training"]


def split_training(training: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The settings for every family, and each family's own (the values that are dicts).

    Parameters
    ----------
    training : dict
        A profile's ``training``.

    Returns
    -------
    common : dict
    own : dict of str to dict
    """
    common = {k: v for k, v in training.items() if not isinstance(v, dict)}
    own = {k: v for k, v in training.items() if isinstance(v, dict)}
    return common, own


def check_training(training: Any) -> None:
    """Refuse unknown or badly typed training settings when the profile is made, before any fit.

    Parameters
    ----------
    training : dict
        A profile's ``training``.

    Raises
    ------
    ConfigError
        Not a dict; ``steps``, ``seed`` or ``device`` among the common settings (the profile and the build set
        them; a family's own settings may set its steps); ``seed`` or ``device`` in a family's own; an unknown
        family; or a value :meth:`pixparam.training.TrainConfig.resolve` refuses.
    """
    from ..budget import FAMILIES, plan
    from ..training import TrainConfig

    if not isinstance(training, dict):
        raise ConfigError(f"training={training!r}; pass a dict of training settings, e.g. {{'compile': True}}")
    common, own = split_training(training)
    taken = {"steps", "seed", "device"} & set(common)
    if taken:
        raise ConfigError(
            f"training sets {', '.join(sorted(taken))}; the profile's steps and seed and the build's device set those"
            " (a family's own settings may set its steps)"
        )
    unknown = sorted(set(own) - set(FAMILIES))
    if unknown:
        raise ConfigError(f"training holds settings for unknown family {', '.join(unknown)}; the families are "
                          f"{', '.join(FAMILIES)}")  # fmt: skip
    for family, settings in own.items():
        taken = {"seed", "device"} & set(settings)
        if taken:
            raise ConfigError(f"training[{family!r}] sets {', '.join(sorted(taken))}; the profile and build set those")
        TrainConfig.resolve(plan(1000, family, channels=3), device="cpu", **{**common, **settings})
    TrainConfig.resolve(plan(1000, "siren", channels=3), device="cpu", **common)  # raises ConfigError


def describe_training(training: dict[str, Any]) -> str:
    """The settings in words, to follow "N training steps per fit": ``''`` for the defaults.

    Parameters
    ----------
    training : dict
        A profile's ``training``.

    Returns
    -------
    str
        E.g. ``" (mini-batches of 64 pixels); siren: 3 steps"``.
    """

    def said(settings: dict[str, Any]) -> str:
        parts = [f"{settings['steps']} steps"] if "steps" in settings else []
        if "batch_size" in settings:
            batch = settings["batch_size"]
            parts.append("full batch" if batch is None else f"mini-batches of {batch:,} pixels")
        if settings.get("compile") is True:
            parts.append("compiled (torch.compile)")
        parts += [f"{k}={v}" for k, v in settings.items() if k not in ("steps", "batch_size", "compile")]
        return ", ".join(parts) or "the defaults"

    common, own = split_training(training)
    text = f" ({said(common)})" if common else ""
    if own:
        text += "; " + "; ".join(f"{fam}: {said(settings)}" for fam, settings in own.items())
    return text
