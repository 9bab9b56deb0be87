"""The audit vocabulary. Stored as plain strings so adding an action needs no migration."""

import enum


class Action(enum.StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session_expired"
    MFA_ENROLLED = "mfa_enrolled"
    MFA_VERIFIED = "mfa_verified"
    MFA_FAILED = "mfa_failed"
    READ = "read"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"
    ACCESS_DENIED = "access_denied"
    DEACTIVATE = "deactivate"
    DEMO_LOADED = "demo_loaded"
    POLICY_DECISION = "policy_decision"  # the Part 2 decision point permitted or denied a release
    DISCLOSE = "disclose"  # a release under consent was made (or refused) and recorded
    BREAK_GLASS = "break_glass"  # emergency access to a chart outside one's care team
    DIRECTORY_IMPORT = "directory_import"
    # Intake and level of care
    PLACEMENT_DECIDED = "placement_decided"
    ADMIT = "admit"
    REFER_OUT = "refer_out"
    CALLBACK_REQUESTED = "callback_requested"
    ENTERED_IN_ERROR = "entered_in_error"
    # Scheduling, calendar feeds and reminders
    SCHEDULE_COMMIT = "schedule_commit"
    FEED_REVOKE = "feed_revoke"
    REMINDER_SENT = "reminder_sent"
    ATTENDANCE_RECORD = "attendance_record"  # attendance taken or corrected for one participant
    ROSTER_JOIN = "roster_join"  # a participant joins a group series (future sessions only)
    ROSTER_LEAVE = "roster_leave"  # a participant leaves a group series (future sessions only)
    SESSION_CANCEL = "session_cancel"
    SESSION_RESCHEDULE = "session_reschedule"
    STEP_DOWN_EXCEPTION = "step_down_exception"  # fewer weekly hours allowed for 1-2 weeks
    SIGN = "sign"  # a clinician signs (and so locks) a note or a plan version
    COSIGN = "cosign"  # a licensed supervisor co-signs a note
    ADDENDUM = "addendum"  # a later addition to a signed note
    # Measurement-based care
    ALERT_ACKNOWLEDGED = "alert_acknowledged"  # a clinician acknowledged a PHQ-9 item 9 or C-SSRS alert
    # Clinical safety
    SAFETY_SIGNAL = "safety_signal"  # a sign of risk was raised (any channel) and escalated
    SAFETY_DISPOSITION = "safety_disposition"  # who did what about a safety signal, and when
    # Aftercare
    DISCHARGE = "discharge"  # an episode of care ends (type, date, reason, destination)
    STEP_DOWN = "step_down"  # a taper of weekly hours begins
    STEP_UP = "step_up"  # a move to a more intensive level of care
    HOLD = "hold"  # care paused within the episode (hospital stay, residential, travel)
    RESUME = "resume"  # back in care after a hold
    CHECKIN = "checkin"  # a post-discharge check-in completed (by staff or by the alumnus)
    OUTREACH = "outreach"  # the outcome of outreach after a missed check-in or a warning sign
    OPT_OUT = "opt_out"  # an alumnus stops contact
    LINK_REVOKE = "link_revoke"  # a private link (aftercare plan, check-in) stops working
    # API tokens and the FHIR API
    TOKEN_CREATED = "token_created"  # noqa: S105 (an action name)
    TOKEN_REVOKED = "token_revoked"  # noqa: S105
    TOKEN_USED = "token_used"  # noqa: S105 (a user token called the JSON API)
    # Revenue cycle
    CHARGE_BUILD = "charge_build"  # a charge created from signed, attended, qualifying services
    CLAIM_SUBMIT = "claim_submit"  # a claim file (837) written and handed to the clearinghouse
    CLAIM_RESUBMIT = "claim_resubmit"  # a rejected/denied claim corrected: replaced, voided or resent
    REMIT_POST = "remit_post"  # an 835 remittance posted to claims (payments, adjustments, denials)
    ELIGIBILITY = "eligibility"  # a 270 eligibility request sent, or its 271 answer read
    EXPORT_CANCELLED = "export_cancelled"
    EXPORT_EXPIRED = "export_expired"  # an export's files deleted after the retention period
    DRAFTS_PURGED = "drafts_purged"  # unsaved form drafts past BRIDGE_DRAFT_DAYS deleted by the worker
    # The participant's own app
    PORTAL_CODE_SENT = "portal_code_sent"  # a one-time sign-in code sent to the contact on record
    PORTAL_SIGN_OUT_ALL = "portal_sign_out_all"  # every device signed out of a participant's account
    PORTAL_REQUEST = "portal_request"  # a participant asked to reschedule or to be excused
    APP_AUTHORIZED = "app_authorized"  # a participant let an app read their records (SMART patient access)
    APP_REFUSED = "app_refused"  # a participant refused an app on the consent screen
    APP_REVOKED = "app_revoked"  # a participant (or the program) took an app's access away


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"
