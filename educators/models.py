"""The educator: the account people sign in with (AUTH_USER_MODEL), by email.

The email is stored in its normalized spelling (educators.emails) and looked up exactly.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from educators.emails import normalize_email


class ObjectPermissionCheckError(TypeError):
    """Raised by ``has_perm(perm, obj)``: object-level checks are not how access is decided here."""


class EducatorManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An educator needs an email address.")
        educator = self.model(email=normalize_email(email), **fields)
        educator.set_password(password)  # None leaves the account without a usable password
        educator.save(using=self._db)
        return educator

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email=normalize_email(email))

    def by_email(self, email: str):
        """The educators with this address (at most one), however it was typed: compared exactly once normalized."""
        return self.filter(email=normalize_email(email))


class Educator(AbstractBaseUser, PermissionsMixin):
    class StaffType(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        COUNSELOR = "counselor", "Counselor"
        PRINCIPAL = "principal", "Principal"
        ASSISTANT_PRINCIPAL = "assistant_principal", "Assistant principal"
        HOUSEMASTER = "housemaster", "Housemaster"
        SPED = "sped", "Special education staff"
        EL = "el", "English learner staff"
        DATA_COORDINATOR = "data_coordinator", "Data coordinator"
        ADMINISTRATOR = "administrator", "District administrator"
        OTHER = "other", "Other staff"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    local_id = models.CharField("SIS local id", max_length=40, unique=True, null=True, blank=True)
    staff_type = models.CharField(max_length=30, choices=StaffType.choices, default=StaffType.TEACHER)
    home_school = models.ForeignKey(
        "students.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True, help_text="Inactive educators cannot sign in and see no students.")
    is_staff = models.BooleanField("may use the admin site", default=False)
    sped_only = models.BooleanField(
        "limited to special-education students",
        default=False,
        help_text="Narrows every grant except districtwide to students in a special-education program.",
    )
    english_learners_only = models.BooleanField(
        "limited to English learners",
        default=False,
        help_text="Narrows every grant except districtwide to students who are not fluent in English.",
    )
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = EducatorManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="educator_email_unique_ignoring_case"),
            models.CheckConstraint(condition=~Q(email=""), name="educator_email_not_blank"),
        ]

    def __str__(self):
        return self.email

    def has_perm(self, perm, obj=None):
        """Global permissions only. Who may see a student, homeroom or section is the policy's to say
        (permissions.policy: one SQL rule that knows expiry, narrowing flags and active students);
        the grant rows guardian stores would answer differently (expired grants included), so an
        object-level question is refused loudly instead of answered wrong."""
        if obj is not None:
            raise ObjectPermissionCheckError(
                "has_perm(perm, obj) is not supported: ask permissions.policy "
                "(visible_students, get_visible_student_or_404, visible_homerooms, ...) instead."
            )
        return super().has_perm(perm)

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    @classmethod
    def normalize_username(cls, username):
        """Django's hook for the sign-in identity: code that knows no Educator normalizes through it."""
        return normalize_email(username)

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class EnrolmentLink(models.Model):
    """A one-time link an admin issues so an educator can set up two-factor authentication.

    A privileged educator without a second factor may enrol one only in a sitting that proved more
    than the password: the invitation link, or this link. Only a hash of the token is stored.
    """

    educator = models.ForeignKey(Educator, on_delete=models.CASCADE, related_name="+")
    issued_by = models.ForeignKey(Educator, on_delete=models.SET_NULL, null=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"enrolment link {self.pk}"
