"""`bridge schedule --week 2026-W49 [--program NAME] [--dry-run] [--top-up]`: place a week's required
appointments; `--top-up` adds what is still due to a week already committed.

`bridge schedule conflicts --week 2026-W49 [--program NAME]`: print every conflict of the week, one a
line (the same check every booking runs), and exit 1 when there is any not confirmed with a reason."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bridge.core.refusal import as_command_error
from bridge.core.weeks import parse_iso_week
from bridge.planner import services
from bridge.programs.models import Program


class Command(BaseCommand):
    help = "Propose (and unless --dry-run, commit) a week's individual, family and medication appointments."

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            nargs="?",
            choices=["conflicts"],
            help="conflicts: list the week's conflicts (exit 1 when there is any) instead of scheduling",
        )
        parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W49")
        parser.add_argument("--program", help="Program name or id (needed when there is more than one)")
        parser.add_argument("--dry-run", action="store_true", help="Show the proposal; create nothing.")
        parser.add_argument("--time-limit", type=float, default=None, help="Seconds for the solver.")
        parser.add_argument("--greedy", action="store_true", help="Use the simple greedy placement.")
        parser.add_argument(
            "--top-up",
            action="store_true",
            help="For a committed week: place only what is still due (new admissions, changed needs).",
        )

    def _program(self, wanted: str | None) -> Program:
        programs = Program.objects.all()
        if wanted:
            match = [p for p in programs if p.name == wanted or str(p.pk) == wanted]
            if not match:
                raise CommandError(f"No program called {wanted!r}.")
            return match[0]
        if programs.count() != 1:
            names = ", ".join(p.name for p in programs) or "none"
            raise CommandError(f"Choose a program with --program (there are: {names}).")
        return programs.get()

    def handle(
        self,
        *args,
        action: str | None = None,
        week: str,
        program: str | None,
        dry_run: bool,
        time_limit,
        greedy: bool,
        top_up: bool,
        **options,
    ):
        try:
            week_start = parse_iso_week(week)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        chosen = self._program(program)
        if action == "conflicts":
            self._conflicts(chosen, week_start, week)
            return
        done = services.committed_run(chosen, week_start)
        if done is not None and not top_up:
            self.stdout.write(
                f"{week} is already committed for {chosen.name} "
                f"({done.placed} appointments, {done.committed_at:%Y-%m-%d %H:%M} UTC); nothing to do "
                "(--top-up places what is still due)."
            )
            return
        with as_command_error():
            run = services.schedule_run_create(
                actor=None,
                program=chosen,
                week_start=week_start,
                time_limit=time_limit,
                use_greedy=greedy,
                actor_label="bridge schedule",
                top_up=top_up,
            )
        self._report(run)
        if dry_run:
            services.schedule_run_discard(actor=None, run=run)
            self.stdout.write("Dry run: nothing was created.")
            return
        run, created = services.schedule_run_commit(actor=None, run=run, actor_label="bridge schedule")
        verb = "Added to" if run.is_top_up else "Committed"
        self.stdout.write(self.style.SUCCESS(f"{verb} {week}: {created} sessions created."))

    def _conflicts(self, program: Program, week_start, week: str) -> None:
        from django.utils import timezone

        from bridge.scheduling.conflicts import week_conflicts

        found = week_conflicts(program, week_start)
        tz = program.tz
        for wc in found:
            s = wc.session
            start, end = timezone.localtime(s.starts_at, tz), timezone.localtime(s.ends_at, tz)
            when = f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M}"
            state = f" (confirmed: {wc.accepted.reason})" if wc.accepted else ""
            self.stdout.write(
                f"{when}  {wc.conflict.kind:11}  {s.display_title} [{s.pk}]: {wc.conflict.message}{state}"
            )
        still_open = sum(1 for wc in found if wc.open)
        if still_open:
            raise CommandError(f"{week}: {still_open} conflict(s) at {program.name}.", returncode=1)
        self.stdout.write(f"{week}: no conflicts at {program.name}.")

    def _report(self, run) -> None:
        tz = run.program.tz
        self.stdout.write(
            f"{run.program.name}, {run.iso_week}: placed {run.placed} of {run.requested} appointments "
            f"({run.solver}, {run.solver_status}, {run.seconds:.1f} s, objective {run.objective})"
        )
        for note in run.notes:
            self.stdout.write(f"  note: {note}")
        appointments = run.appointments.select_related("participant", "staff", "room").order_by("starts_at")
        for a in appointments:
            if a.placed:
                where = a.room.name if a.room else "telehealth"
                self.stdout.write(
                    f"  {a.starts_at.astimezone(tz):%a %H:%M}  {a.get_kind_display():20} "
                    f"{a.participant.display_name:28} {a.staff}  ({where})"
                )
        unplaced = [a for a in appointments if not a.placed]
        if unplaced:
            self.stdout.write(f"Not placed ({len(unplaced)}):")
            for a in unplaced:
                self.stdout.write(
                    f"  {a.get_kind_display():20} {a.participant.display_name:28} {a.reason_text}"
                    + (f" — {a.reason_detail}" if a.reason_detail else "")
                )
        if run.loads:
            self.stdout.write("Clinician load (minutes this week / capacity):")
            for row in run.loads:
                total = row["booked"] + row["added"]
                self.stdout.write(f"  {row['name']:28} {total:5} / {row['capacity']}  (+{row['added']} new)")
