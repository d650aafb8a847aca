"""Training that writes the same bytes on any x86-64 processor with AVX2.

OpenBLAS chooses its kernels by the processor it finds (``SkylakeX`` on an AVX-512 machine, ``Haswell`` or ``Zen``
on an AVX2 one), and the kernels add in different orders. The same training on two machines wrote weights a float16
step apart (19 of the model's 400,000, and 3,194 of the act head's 282,228 float32 weights by 1e-6), so a shipped
head's version named the machine that trained it as much as its data. The commands that write shipped files
therefore run their work in a fresh interpreter whose OpenBLAS was loaded with one named kernel set and one thread
(:func:`run_pinned`); numpy's own SIMD loops were checked not to move the weights. Where pinning cannot hold (not
x86-64, or no AVX2 and FMA), the work runs in place and :func:`numerics` records the kernels it had.

Reproducible bytes also need the same numpy, SciPy and scikit-learn releases: :func:`numerics` records them in the
model's metadata beside the kernels.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, TypeVar

PINNED_KERNELS = "Haswell"  # AVX2 + FMA: every x86-64 server processor since 2015 has them
PINNED_ENVIRONMENT = {
    "OPENBLAS_CORETYPE": PINNED_KERNELS,
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
_CHILD = "LIFEGUARD_PINNED_NUMERICS"  # set in the child: run the work there, never spawn again

Result = TypeVar("Result")


def can_pin() -> bool:
    """Whether this processor runs the pinned kernels: x86-64 with AVX2 and FMA, as numpy sees it."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    features = _cpu_features()
    return bool(features.get("AVX2")) and bool(features.get("FMA3"))


def _cpu_features() -> dict[str, bool]:
    try:
        from numpy._core._multiarray_umath import __cpu_features__  # numpy 2
    except ImportError:  # pragma: no cover - numpy 1.26
        from numpy.core._multiarray_umath import __cpu_features__  # type: ignore[no-redef]
    return dict(__cpu_features__)


def run_pinned(work: Callable[..., Result], /, *args: Any) -> Result:
    """``work(*args)`` in a fresh interpreter whose BLAS kernels are :data:`PINNED_KERNELS` on one thread; its value
    comes back, and an exception it raised is raised here. ``work`` must be a module-level function and its
    arguments and value picklable. Runs in place where pinning cannot hold, or when already inside such a child."""
    if os.environ.get(_CHILD) or not can_pin():
        return work(*args)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter loads OpenBLAS under the pinned variables
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, work, args), name="lifeguard-pinned-training")
    with _environment({**PINNED_ENVIRONMENT, _CHILD: "1"}):
        child.start()
    sender.close()
    try:
        kind, payload = receiver.recv()
    except EOFError:
        kind, payload = "died", None
    finally:
        receiver.close()
        child.join()
    if kind == "value":
        return payload  # type: ignore[no-any-return]
    if kind == "raised":
        raise payload
    raise RuntimeError(f"the training process ended without a result (exit code {child.exitcode})")


def _child(sender: Connection, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[str, Any] = ("value", work(*args))
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the parent, which raises it
        outcome = ("raised", exc if _picklable(exc) else RuntimeError(traceback.format_exc()))
    sender.send(outcome)
    sender.close()


def _picklable(exc: BaseException) -> bool:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, round-tripped in this process
    except Exception:  # noqa: BLE001 - anything that does not survive the trip is sent as text
        return False
    return True


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def numerics() -> dict[str, Any]:
    """What a training run's numbers depend on besides its data: the releases of numpy, SciPy and scikit-learn, and
    each loaded BLAS with its kernels and threads."""
    from importlib.metadata import PackageNotFoundError, version

    import numpy  # noqa: F401 - its BLAS is loaded, so it is listed

    releases: dict[str, str] = {}
    for package in ("numpy", "scipy", "scikit-learn"):
        try:
            releases[package] = version(package)
        except PackageNotFoundError:
            releases[package] = "absent"
    blas: list[dict[str, Any]] = []
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        threadpool_info = None
    if threadpool_info is not None:
        for library in threadpool_info():
            if library.get("user_api") == "blas":
                blas.append(
                    {key: library.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
                )
    blas.sort(key=lambda library: (str(library["internal_api"]), str(library["version"])))  # not in load order
    return {"releases": releases, "blas": blas, "pinned": bool(os.environ.get(_CHILD))}
