"""What the clinical record does when the participant signs one of its documents on a screen (found by
the privacy app's signing service by module name; see bridge/privacy/signing.py `_on_signed`)."""

from __future__ import annotations

from bridge.clinical.services.plans import plan_participant_signed

ON_SIGNED = {"plan": plan_participant_signed}
