"""The unit tree, the roster of officials and the accounts bound to them.

History is kept as rows, never overwritten: `UnitVersion` holds each unit's name, kind and parent over time,
`Transfer` holds which unit each official belonged to over time. Reports for a past date read those.
"""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from common.jobs import BackgroundJob

from . import roles


class User(AbstractUser):
    """An account. Roles are groups (see `org.roles`); a personnel officer manages the units of their
    `ScopeGrant`s, and `scope_unit` is the primary one of those (the owner of what they create)."""

    scope_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("scope unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="scoped_users",
        help_text=_("For personnel officers: the unit whose whole subtree they manage."),
    )

    def get_full_name(self) -> str:
        # Vietnamese order: family and middle names first, given name last.
        return f"{self.last_name} {self.first_name}".strip()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Provincial department")
    CITY = "city", _("Provincial city")
    DISTRICT = "district", _("District")
    TOWN = "town", _("District-level town")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    TOWNSHIP = "township", _("Township")
    SECTION = "section", _("Section")
    OTHER = "other", _("Other unit")


class Unit(models.Model):
    """An administrative unit: province, department, district, commune or a section inside one."""

    code = models.CharField(_("unit code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of primary keys, "/1/4/37/": a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active until"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_from",
    )
    name_folded = models.CharField(max_length=255, editable=False, default="", db_index=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_from__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="unit_active_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.active_to is None


class UnitVersion(models.Model):
    """One state of a unit (name, kind, parent) over a span of dates. The open row is the current state."""

    class Reason(models.TextChoices):
        CREATED = "created", _("Created")
        RENAMED = "renamed", _("Renamed")
        MOVED = "moved", _("Moved")
        CHANGED = "changed", _("Changed")
        MERGED = "merged", _("Merged into another unit")
        CLOSED = "closed", _("Dissolved")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reorganisation = models.ForeignKey("org.Reorganisation", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    class Meta:
        ordering = ["unit_id", "valid_from", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(valid_to__isnull=True), name="one_open_version_per_unit"),
        ]


class Category(models.TextChoices):
    CAN_BO = "can_bo", pgettext_lazy("category", "Cadre")
    CONG_CHUC = "cong_chuc", pgettext_lazy("category", "Civil servant")
    VIEN_CHUC = "vien_chuc", pgettext_lazy("category", "Public employee")


class OfficialStatus(models.TextChoices):
    ACTIVE = "active", _("Working")
    TRANSFERRED = "transferred", _("Transferred out")
    RETIRED = "retired", _("Retired")


# Role flags that requirements and exam eligibility select on: (field name, label).
ROLE_FLAGS = (
    ("is_reform_officer", _("In charge of administrative reform")),
    ("is_one_stop_receiver", _("Receives dossiers at the one-stop shop")),
    ("is_leader", _("Leader")),
)


class Official(models.Model):
    """A person on the roster. Learning records point here, so they follow the person across units."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="official", verbose_name=_("account"))
    employee_code = models.CharField(_("employee code"), max_length=32, unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, default="", db_index=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="officials")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    rank = models.CharField(_("rank"), max_length=128, blank=True)
    position = models.CharField(_("job position"), max_length=255, blank=True)
    is_reform_officer = models.BooleanField(_("in charge of administrative reform"), default=False, db_index=True)
    is_one_stop_receiver = models.BooleanField(_("one-stop dossier receiver"), default=False, db_index=True)
    is_leader = models.BooleanField(_("leader"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=OfficialStatus.choices, default=OfficialStatus.ACTIVE,
                              db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "full_name"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_code})"

    @property
    def role_labels(self) -> list[str]:
        return [str(label) for field, label in ROLE_FLAGS if getattr(self, field)]


class Transfer(models.Model):
    """An official's posting to a unit from a date. The first one (no `from_unit`) is joining the roster."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Roster import")
        MANUAL = "manual", _("Entered by hand")
        REORGANISATION = "reorg", _("Unit reorganisation")
        SEED = "seed", _("Demo data")

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("from unit"))
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit"))
    effective_date = models.DateField(_("effective date"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    reorganisation = models.ForeignKey("org.Reorganisation", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="transfers")

    class Meta:
        ordering = ["official_id", "effective_date", "id"]
        indexes = [models.Index(fields=["official", "effective_date"])]


class Reorganisation(models.Model):
    """A reorganisation plan (phương án sắp xếp): merges, splits, renames, moves and dissolutions of units, applied
    together on one effective date, all or nothing, and reversible until something newer depends on it.

    `plan` is the validated plan (see `org.reorganisation`); `journal` is what applying it changed, which is what
    reversing it puts back."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPLIED = "applied", _("Applied")
        REVERSED = "reversed", _("Reversed")

    title = models.CharField(_("title"), max_length=255)
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True,
                                   help_text=_("The resolution or decision, e.g. Nghị quyết 1662/NQ-UBTVQH15."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    plan = models.JSONField(default=dict, blank=True)
    journal = models.JSONField(default=dict, blank=True)
    source_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")

    def __str__(self) -> str:
        return self.title


class Succession(models.Model):
    """One line of a reorganisation's successor map: what `predecessor` became from `effective_date`. A unit that
    went whole into another has one row (`share` full); a split unit has one row per successor (partial)."""

    class Share(models.TextChoices):
        FULL = "full", _("Whole unit")
        PARTIAL = "partial", _("Part of the unit")

    reorganisation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="successions")
    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessions")
    share = models.CharField(_("share"), max_length=8, choices=Share.choices, default=Share.FULL)
    effective_date = models.DateField(_("effective date"))

    class Meta:
        ordering = ["effective_date", "predecessor_id", "successor_id"]
        constraints = [models.UniqueConstraint(fields=["reorganisation", "predecessor", "successor"],
                                               name="one_succession_per_pair")]


class ImportJob(BackgroundJob):
    """One uploaded roster or unit file and what became of it."""

    PROGRESS_KEY = "org:import:{pk}:progress"

    class Kind(models.TextChoices):
        ROSTER = "roster", _("Roster of officials")
        UNITS = "units", _("Unit tree")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        FAILED = "failed", _("Refused: errors found")
        DONE = "done", _("Done")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="import_jobs")
    scope_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta(BackgroundJob.Meta):
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"


class Audience(models.Model):
    """Who a rule applies to: officials in the chosen units (with or without their sub-units) × role flags ×
    categories × ranks, plus anyone listed by name. Exams (eligibility) and the LMS (requirements) both carry
    these fields; `org.selectors.audience_q` is the one place that reads them.

    Semantics: within the rule, empty criteria mean "any"; ticked role flags are alternatives (a reform officer
    or a one-stop receiver). The rule and the list are alternatives. With no rule and no list, everyone."""

    audience_units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("units"))
    audience_include_subunits = models.BooleanField(_("include their sub-units"), default=True)
    audience_reform_officers = models.BooleanField(_("officials in charge of administrative reform"), default=False)
    audience_one_stop_receivers = models.BooleanField(_("one-stop dossier receivers"), default=False)
    audience_leaders = models.BooleanField(_("leaders"), default=False)
    audience_categories = models.JSONField(_("categories"), default=list, blank=True)
    audience_ranks = models.JSONField(_("ranks"), default=list, blank=True)
    audience_officials = models.ManyToManyField(Official, blank=True, related_name="+",
                                                verbose_name=_("officials listed by name"))

    class Meta:
        abstract = True


class ScopeGrant(models.Model):
    """A unit, with its whole subtree, that a personnel officer manages. An officer may hold several; the
    officer's `User.scope_unit` is one of them. Written only by `org.services.scopes`, which audits each change."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scope_grants", verbose_name=_("account"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="scope_grants", verbose_name=_("unit"))
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        ordering = ["user_id", "granted_at", "id"]
        verbose_name = _("personnel scope")
        verbose_name_plural = _("personnel scopes")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="one_scope_grant_per_user_and_unit")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


class RoleChange(models.Model):
    """One change of a person's staff roles or personnel scope, kept for the record: who did it, when, to whom,
    what, on which units. Rows are only ever added."""

    class Action(models.TextChoices):
        GRANT = "grant", _("Granted")
        REVOKE = "revoke", _("Revoked")
        HAND_OVER = "hand_over", _("Handed over")
        TAKE_OVER = "take_over", _("Taken over")
        FOLLOW = "follow", _("Followed a reorganisation")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_changes", verbose_name=_("account"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    role = models.CharField(_("role"), max_length=64)  # a group name from org.roles
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("units"))
    # The other side of a hand-over: who received the scope, or who gave it.
    other_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("other account"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("changed by"))
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        indexes = [models.Index(fields=["user", "at"])]

    @property
    def role_label(self) -> str:
        return roles.label(self.role)
