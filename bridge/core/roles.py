"""The staff roles. They live in core so that every layer (audit, accounts, the apps) can name them
without importing `accounts`; `bridge.accounts.models.Role` is the same class."""

from django.db import models


class Role(models.TextChoices):
    DIRECTOR = "director", "Program director"
    INTAKE = "intake", "Intake coordinator"
    THERAPIST = "therapist", "Therapist / counselor"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    FRONT_DESK = "front_desk", "Front desk / case manager"
    PEER = "peer", "Peer support specialist"
    AUDITOR = "auditor", "Auditor (read-only compliance)"
    BILLING = "billing", "Billing (coverage, authorizations, claims; not notes)"
