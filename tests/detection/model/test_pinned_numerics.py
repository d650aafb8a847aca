"""Training runs where the BLAS kernels are pinned, so that any x86-64 machine with AVX2 writes the same bytes."""

from __future__ import annotations

import os

import pytest

from lifeguard.detection.model import pinned_numerics
from lifeguard.detection.model.pinned_numerics import PINNED_KERNELS, can_pin, numerics, run_pinned

needs_pinning = pytest.mark.skipif(not can_pin(), reason="this processor cannot run the pinned kernels (AVX2 + FMA)")


@needs_pinning
def test_the_work_runs_on_the_pinned_kernels_whatever_the_callers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Sandybridge")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    recorded = run_pinned(numerics)
    assert recorded["pinned"] is True
    assert recorded["blas"], "numpy's BLAS is listed"
    assert all(str(library["architecture"]).lower() == PINNED_KERNELS.lower() for library in recorded["blas"])
    assert all(library["num_threads"] == 1 for library in recorded["blas"])
    assert set(recorded["releases"]) == {"numpy", "scipy", "scikit-learn"}
    # the caller's own environment is left as it was
    assert os.environ["OPENBLAS_CORETYPE"] == "Sandybridge" and os.environ["OPENBLAS_NUM_THREADS"] == "2"
    assert numerics()["pinned"] is False


@needs_pinning
def test_the_value_comes_back_from_another_process() -> None:
    assert run_pinned(sorted, [3, 1, 2]) == [1, 2, 3]
    assert run_pinned(os.getpid) != os.getpid()


@needs_pinning
def test_a_failure_in_the_work_is_raised_where_it_was_asked() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        run_pinned(int, "not a number")


@needs_pinning
def test_a_process_that_dies_is_an_error_not_a_silent_none() -> None:
    with pytest.raises(RuntimeError, match="exit code 3"):
        run_pinned(os._exit, 3)


def test_where_the_kernels_cannot_be_pinned_the_work_runs_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinned_numerics, "can_pin", lambda: False)
    assert run_pinned(os.getpid) == os.getpid()
    with pytest.raises(ValueError):
        run_pinned(int, "not a number")


def test_only_x86_64_with_avx2_and_fma_can_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinned_numerics.platform, "machine", lambda: "aarch64")
    assert can_pin() is False
    monkeypatch.setattr(pinned_numerics.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(pinned_numerics, "_cpu_features", lambda: {"AVX2": True, "FMA3": False})
    assert can_pin() is False
    monkeypatch.setattr(pinned_numerics, "_cpu_features", lambda: {"AVX2": True, "FMA3": True})
    assert can_pin() is True


@pytest.mark.parametrize("name", ["model.json", "short_chat.json", "short_chat_behavior.json", "short_chat_act.json"])
def test_the_shipped_heads_were_trained_on_the_pinned_kernels(name: str) -> None:
    # A head retrained in place (on a processor's own kernels) would not be the bytes another machine makes.
    import json
    from importlib import resources

    meta = json.loads((resources.files("lifeguard.detection.model") / "shipped" / name).read_text(encoding="utf-8"))
    recorded = meta["training"]["numerics"]
    assert recorded["pinned"] is True, name
    assert {str(library["architecture"]).lower() for library in recorded["blas"]} == {PINNED_KERNELS.lower()}
    assert all(library["num_threads"] == 1 for library in recorded["blas"])
