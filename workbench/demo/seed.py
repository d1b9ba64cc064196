"""Demo data, made through the same transition functions as real use, so every step is audited."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from workbench.access import SystemActor
from workbench.accounts.actions import user_create
from workbench.accounts.models import Role, User
from workbench.brand.actions import segment_save
from workbench.brand.files import load_prompt_dir, prompt_dir, seed_guide_file
from workbench.brand.models import Brand, PromptTemplate
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.generation.models import Brief, Draft, RunStatus
from workbench.generation.services import run_job
from workbench.journeys import actions as journeys
from workbench.journeys.models import Journey, JourneyStep, OutcomeEvent, Publication
from workbench.review import actions as review
from workbench.review import deadlines

DEMO_USERS = [
    ("marketer", "Maya Marketer", Role.MARKETER),
    ("reviewer", "Riley Reviewer", Role.REVIEWER),
    ("reviewer2", "Sam Second", Role.REVIEWER),
    ("publisher", "Pat Publisher", Role.PUBLISHER),
    ("admin", "Ada Admin", Role.ADMIN),
]
SUPPRESS = ["open_support_case", "billing_issue"]
DEFAULT_LOCALE = "en-US"  # Northwind's default locale (brandguide/northwind.yaml)
# Written by the marketer in each language: the offline stand-in cannot translate, so localised demo copy comes from these.
WELCOME_KEY_MESSAGES = {
    "es-US": "Preparamos tu pedido con cuidado y nuestro equipo está aquí si necesitas algo",
    "fr-CA": "Nous préparons votre commande avec soin et notre équipe est là si vous avez besoin de quoi que ce soit",
}
WELCOME_SMS_REJECTION = {
    "en-US": "Too generic: mention the order tracking link.",
    "es-US": "Demasiado genérico: menciona el enlace de seguimiento del pedido.",
    "fr-CA": "Trop générique : mentionnez le lien de suivi de la commande.",
}
# When the drafts the demo leaves in review are due: two within hours, one overdue (the rest when the policy says).
DUE_SOON = {"en-US": timedelta(hours=2), "es-US": timedelta(hours=3, minutes=30)}
OVERDUE = timedelta(hours=-3)
# The demo seed acts as itself in the audit log: it creates users, the guide, prompts and segments before any admin exists.
SEED_ACTOR = SystemActor("seed_demo")


@dataclass
class SeedReport:
    lines: list[str] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)


def _users(report: SeedReport) -> dict[str, User]:
    password_file = settings.DATA_DIR / "demo-passwords.json"
    passwords: dict[str, str] = json.loads(password_file.read_text()) if password_file.exists() else {}
    users = {}
    for username, full_name, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            passwords[username] = passwords.get(username) or secrets.token_urlsafe(12)
            user = user_create(username=username, password=passwords[username], role=role, full_name=full_name, acting_user=SEED_ACTOR)
        users[username] = user
        report.users.append((username, passwords.get(username, "(set before; unchanged)"), role.label))
    password_file.write_text(json.dumps(passwords, indent=2))
    password_file.chmod(0o600)
    return users


def _generate(brief: Brief, marketer: User) -> list[Draft]:
    run = generation.generation_start(brief, acting_user=marketer, enqueue=False)
    for job in run.jobs.all():
        try:
            run_job(job.pk)
        except CopydeskError as exc:
            generation.job_fail(job.pk, exc.message)
    return list(Draft.objects.filter(brief=brief, job__run=run, job__status=RunStatus.DONE).order_by("segment__slug", "channel", "variant"))


def _submit(draft: Draft, marketer: User, *, due_in: timedelta | None = None) -> None:
    """Submit as a marketer does (a review deadline from the policy, reviewers notified). With due_in, the review
    clock is started as long ago as makes the draft due then, so the demo queue and home pages show drafts due soon
    and overdue, not only drafts due in two days."""
    submitted_at = None
    if due_in is not None:
        allowed = timedelta(hours=deadlines.due_hours_for(draft.latest_version()))
        submitted_at = timezone.now() + due_in - allowed
    review.submit_for_review(draft, acting_user=marketer, submitted_at=submitted_at)
    draft.refresh_from_db()


def _approve(draft: Draft, *reviewers: User) -> None:
    for reviewer in reviewers:
        review.review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)
        draft.refresh_from_db()


# What the demo journey engine reports for the launch email's two A/B arms, so the performance page has
# something to compare: (delivered, opened, clicked, converted, unsubscribed) per arm.
DEMO_OUTCOMES = ((1200, 540, 130, 31, 4), (1180, 610, 171, 44, 3))


def _report_outcomes(step: JourneyStep, arms: list[Publication], admin: User) -> None:
    """Outcomes as a journey engine reports them: through its API client, one batch per arm."""
    client, _token = journeys.api_client_create(name="Demo journey engine", journeys=[step.journey], acting_user=admin)
    for publication, counts in zip(arms, DEMO_OUTCOMES):
        reports = [(publication.pk, event, count) for event, count in zip(OutcomeEvent.values, counts)]
        journeys.outcomes_record(step, reports, batch_id=f"demo-{publication.pk}", acting_client=client)


def seed() -> SeedReport:
    report = SeedReport()
    users = _users(report)
    admin = users["admin"]
    # Files only seed what is not stored yet: guides and prompts edited in the browser survive every restart.
    report.lines.append(f"brand guide: {seed_guide_file('northwind', acting_user=SEED_ACTOR)}")
    report.lines.append("prompts: " + ", ".join(load_prompt_dir(prompt_dir(), acting_user=SEED_ACTOR, only_missing=True)))
    brand = Brand.objects.get(slug="northwind")
    new = segment_save(brand=brand, slug="new-customers", name="New customers", description="Bought for the first time in the last 30 days.", attributes={"lifecycle": "new"}, acting_user=SEED_ACTOR)
    loyal = segment_save(brand=brand, slug="loyal-members", name="Loyal members", description="Members with three or more orders a year.", tone_context="promotional", attributes={"lifecycle": "loyal"}, acting_user=SEED_ACTOR)
    complaint = segment_save(
        brand=brand, slug="open-complaint", name="Customers with an open complaint", description="Customers waiting on a support case.",
        tone_context="service_recovery", sensitive=True, acting_user=SEED_ACTOR,
    )
    if Journey.objects.filter(slug="welcome").exists():
        report.lines.append("demo journeys and briefs already exist; left as they are")
        return report

    welcome = journeys.journey_create(brand=brand, slug="welcome", name="Welcome series", acting_user=admin)
    welcome_email = journeys.journey_step_create(welcome, slug="welcome-email", name="Welcome email", channel="email", default_segment=new, acting_user=admin)
    welcome_sms = journeys.journey_step_create(welcome, slug="welcome-sms", name="Welcome SMS", channel="sms", default_segment=new, acting_user=admin)
    launch = journeys.journey_create(brand=brand, slug="spring-launch", name="Spring boots launch", acting_user=admin)
    launch_email = journeys.journey_step_create(
        launch, slug="launch-email", name="Launch email", channel="email", default_segment=loyal, promotional=True, suppress_signals=SUPPRESS, acting_user=admin
    )
    journeys.journey_step_create(
        launch, slug="launch-push", name="Launch push", channel="push", default_segment=loyal, promotional=True, suppress_signals=SUPPRESS, acting_user=admin
    )

    prompt = PromptTemplate.objects.get(slug="brand-voice")
    marketer, reviewer, reviewer2 = users["marketer"], users["reviewer"], users["reviewer2"]
    welcome_brief = generation.brief_create(
        brand=brand, title="Welcome to Northwind", goal="Make new customers feel looked after after their first order.",
        key_message="Your gear is packed with care and our team is here if you need anything", call_to_action="Track your order",
        segments=[new], channels=["email", "sms"], variants_per_segment=2, prompt_template=prompt,
        locales=[DEFAULT_LOCALE, *WELCOME_KEY_MESSAGES], locale_key_messages=WELCOME_KEY_MESSAGES, acting_user=marketer,
    )
    w = _generate(welcome_brief, marketer)
    for locale in (DEFAULT_LOCALE, *WELCOME_KEY_MESSAGES):
        email1, email2, sms1, sms2 = [d for d in w if d.locale == locale and d.channel == "email"] + [d for d in w if d.locale == locale and d.channel == "sms"]
        localised = locale != DEFAULT_LOCALE
        # Localised copy shows every state: approved and live (email #1), in review (email #2), being written (SMS #1), rejected (SMS #2).
        for draft in (email1, email2, sms2) if localised else (email1, email2, sms1, sms2):
            # The drafts left in review: due within the next few hours in English and Spanish, later in French.
            _submit(draft, marketer, due_in=DUE_SOON.get(locale) if draft is email2 else None)
        _approve(email1, reviewer)
        journeys.publication_create(welcome_email, version=email1.latest_version(), acting_user=admin)
        if not localised:
            _approve(sms1, reviewer)
            journeys.publication_create(welcome_sms, version=sms1.latest_version(), acting_user=admin)
        review.review_reject(sms2, version_number=1, reason=WELCOME_SMS_REJECTION[locale], acting_user=reviewer)

    spring = generation.brief_create(
        brand=brand, title="Spring boots launch", goal="Bring members back for the new spring trail boots.",
        key_message="The new Ridgeline trail boots are here, light and waterproof", offer="Members get 15% off until Sunday",
        call_to_action="See the Ridgeline boots", segments=[new, loyal], channels=["email", "push"], variants_per_segment=2,
        prompt_template=prompt, acting_user=marketer,
    )
    s = _generate(spring, marketer)
    loyal_email = [d for d in s if d.segment_id == loyal.pk and d.channel == "email"]
    arms = []
    for draft in loyal_email:
        _submit(draft, marketer)
        _approve(draft, reviewer)
        arms.append(journeys.publication_create(launch_email, version=draft.latest_version(), weight=50, acting_user=admin))
    _report_outcomes(launch_email, arms, admin)
    push = next(d for d in s if d.channel == "push")
    _submit(push, marketer, due_in=OVERDUE)  # overdue: the queue and the reviewers' home pages flag it
    # Approved but not yet published: what a publisher's home page offers to put live.
    ready = next(d for d in s if d.segment_id == new.pk and d.channel == "push")
    _submit(ready, marketer)
    _approve(ready, reviewer2)
    edited = next(d for d in s if d.segment_id == new.pk and d.channel == "email")
    fields = dict(edited.latest_version().fields)
    fields["subject"] = "Cheap boots? No: great boots, fairly priced"
    generation.draft_edit(edited, fields=fields, base_version=1, acting_user=marketer)

    sorry = generation.brief_create(
        brand=brand, title="Sorry about your delayed order", goal="Reassure customers whose order is late.",
        key_message="Your order is running late and we are sorry; a real person is on it", call_to_action="Reply to this email with any question",
        tone_context="service_recovery", segments=[complaint], channels=["email"], variants_per_segment=1, prompt_template=prompt, acting_user=marketer,
    )
    (apology,) = _generate(sorry, marketer)
    _submit(apology, marketer)
    _approve(apology, reviewer2)
    # Edited after it was generated: the brief keeps the text its draft was written from as revision 1.
    generation.brief_update(
        sorry, title=sorry.title, goal=sorry.goal, key_message=sorry.key_message,
        call_to_action="Reply to this email and a real person will answer", tone_context=sorry.tone_context,
        segments=[complaint], channels=["email"], variants_per_segment=1, prompt_template=prompt, acting_user=marketer,
    )
    report.lines.append(
        f"demo: {Brief.objects.count()} briefs, {Draft.objects.count()} drafts, {Journey.objects.count()} journeys, "
        f"{JourneyStep.objects.count()} steps, live content on {', '.join(str(s) for s in (welcome_email, welcome_sms, launch_email))} "
        f"({welcome_email} in {', '.join([DEFAULT_LOCALE, *WELCOME_KEY_MESSAGES])})"
    )
    return report
