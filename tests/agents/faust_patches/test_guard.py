"""The start-up check of the Faust internals that the patches override."""

from __future__ import annotations

import faust
import pytest
from faust.transport import consumer as faust_consumer

from agents.faust_patches import (
    FaustInternalsChanged,
    require_faust_internals,
    use_resume_once_flow_control,
    use_rewinding_consumer,
)
from agents.faust_patches.guard import missing_internals

pytestmark = pytest.mark.agents


def _patched_app() -> faust.App:
    app = faust.App("guard-test", broker="kafka://127.0.0.1:1", store="memory://")
    use_rewinding_consumer(app)
    use_resume_once_flow_control(app)
    return app


def test_the_installed_faust_has_every_internal() -> None:
    assert missing_internals(_patched_app()) == []


def test_a_method_gone_from_faust_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # The patch class overrides _add_gap: the check must look at Faust's own class.
    monkeypatch.delattr(faust_consumer.Consumer, "_add_gap")
    assert missing_internals(_patched_app()) == ["Consumer._add_gap"]


def test_an_attribute_gone_from_faust_refuses_start(monkeypatch: pytest.MonkeyPatch) -> None:
    original = faust_consumer.Consumer.__init__

    def without_gap(self: object, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        del self._gap  # type: ignore[attr-defined]

    monkeypatch.setattr(faust_consumer.Consumer, "__init__", without_gap)
    with pytest.raises(FaustInternalsChanged) as refused:
        require_faust_internals(_patched_app())
    line = str(refused.value)
    assert "\n" not in line
    assert f"faust-streaming {faust.__version__}" in line and "Consumer._gap" in line
