"""Settings for one district's instance, read from the environment and nowhere else.

Defaults are the production ones: DEBUG is off, HTTPS is enforced and secrets are required.
Local development and tests opt out explicitly (the Makefile sets DEBUG/HTTPS for them).
Every variable is documented in the README's configuration table.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_cidrs(name: str) -> list[str]:
    """A comma-separated list of networks (203.0.113.0/24, 2001:db8::/32), checked at start-up."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} has {item!r}, which is not an IP network like 203.0.113.0/24."
            ) from None
    return networks


DEBUG = env_bool("DEBUG", False)
# HTTPS=false is for local development and tests only: it turns off redirects, HSTS and secure cookies.
HTTPS = env_bool("HTTPS", True)
# Demo mode seeds a fictional district with known passwords; never enable it with real data.
DEMO_MODE = env_bool("DEMO_MODE", False)
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "") if DEMO_MODE else ""

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105 (DEBUG only)

DISTRICT_KEY = os.environ.get("DISTRICT_KEY", "demo")
DISTRICT_NAME = os.environ.get("DISTRICT_NAME", "Demo School District")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's session and security-key lists load it
    "django.contrib.postgres",  # OpClass in index expressions, full-text search (students/models/text_search.py)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.usersessions",
    "csp",
    "guardian",
    "insights",
    "students",
    "educators",
    "permissions",
    "audit",
    "students.sis",
    "privacy",
    "destruction",
    "procrastinate.contrib.django",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "educators.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "educators.middleware.IPRulesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Collects the student values this request touches so error reports and logs can scrub them.
    "insights.middleware.ScrubbingMiddleware",
    # Nothing the app renders is kept by a browser or proxy cache (signed-in pages, MFA secrets).
    "insights.middleware.NoStoreMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "educators.middleware.SessionLifetimeMiddleware",
    "educators.middleware.MFARequiredMiddleware",
    # Support's "view as": the viewed educator's pages, read-only, recorded under both identities.
    "educators.view_as.ViewAsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A statement stopped by the database's time limits answers 503 with a calm page.
    "insights.middleware.DatabaseBusyMiddleware",
    # Innermost, right around the view: writes the request's AccessEvent, also after a 404 or 500.
    "audit.middleware.AccessRecorderMiddleware",
]

ROOT_URLCONF = "insights.urls"
WSGI_APPLICATION = "insights.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "insights.context_processors.district",
                "educators.context_processors.session_expiry",
                "educators.view_as.view_as_banner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL must be set (`make run` and `make test` start a private PostgreSQL for you)."
    )
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"],
        engine="insights.postgresql",  # Django's, with bulk writes under the protocol's parameter limit
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
        ssl_require=env_bool("DATABASE_SSL_REQUIRE", False),
    )
}
# No JIT compilation: the policy's OR of grants makes the planner overestimate page queries at
# district size, and compiling them cost about a second per query while running them takes
# milliseconds (measured on the 50,000-student home page). Short web queries never gain from JIT.
#
# Timeouts: Heroku's router gives up on a request after 30 s, so a web request's statement stops
# well before (and waits for a lock only briefly) instead of stalling every worker behind one held
# lock; the person gets a calm 503 (insights.middleware.DatabaseBusyMiddleware). Jobs and long
# commands run under the longer job timeouts with ``insights.database.job_timeouts()``.
DATABASE_STATEMENT_TIMEOUT_SECONDS = env_int("DATABASE_STATEMENT_TIMEOUT_SECONDS", 20)
DATABASE_LOCK_TIMEOUT_SECONDS = env_int("DATABASE_LOCK_TIMEOUT_SECONDS", 5)
JOB_STATEMENT_TIMEOUT_SECONDS = env_int("JOB_STATEMENT_TIMEOUT_SECONDS", 3600)
JOB_LOCK_TIMEOUT_SECONDS = env_int("JOB_LOCK_TIMEOUT_SECONDS", 60)
# Temporary tables (an import's staging tables) live in their connection's own buffers, 8 MB by
# default: the 50,000-student import's staging tables, some hundreds of MB, were written out and
# read back by each of its checks. PostgreSQL takes the memory only as a connection's temporary
# tables grow (and a few MB of bookkeeping when it first makes one), so connections that keep
# none that large (web requests) do not pay for it. It can only be set before a connection first
# touches a temporary table, hence at its start.
DATABASE_TEMP_BUFFERS_MB = env_int("DATABASE_TEMP_BUFFERS_MB", 256)
DATABASES["default"].setdefault("OPTIONS", {}).update(
    {
        "options": f"-c jit=off -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_SECONDS}s"
        f" -c lock_timeout={DATABASE_LOCK_TIMEOUT_SECONDS}s -c temp_buffers={DATABASE_TEMP_BUFFERS_MB}MB",
        # psycopg 3 sends values as parameters of the statement ($1, $2), never spliced into its text,
        # so a failing or slow statement logged by PostgreSQL carries no typed name or note.
        "server_side_binding": True,
    }
)
# Prepared statements: the statements every page runs, marked in the code (insights/prepared_statements.py),
# are prepared so PostgreSQL plans them once per connection instead of on every request. A
# transaction-mode pooler that does not keep named prepared statements per client (PgBouncer before
# 1.21, or without max_prepared_statements; Heroku's Connection Pooling) breaks them: behind one, set
# DATABASE_PREPARED_STATEMENTS=false (docs/deployment.md, "Database settings").
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if os.environ.get("TEST_DATABASE_NAME"):  # lets concurrent test runs on one server stay apart
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared by every process (rate limits, sessions' bookkeeping) ------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "insights_cache",
        }
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "educators.Educator"
# No guardian.backends.ObjectPermissionBackend: guardian's tables hold the grants, but the policy
# (permissions/policy.py) alone decides access; Educator.has_perm refuses object-level checks.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "educators.adapters.InviteOnlyAccountAdapter"
ACCOUNT_FORMS = {"reset_password_from_key": "educators.forms.InvitationAwareResetPasswordKeyForm"}
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# A reset request for an unknown address gets a "no account here" email, so known and unknown
# addresses take the same time and get the same page (the per-key rate limit caps the mail).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_EMAIL_NOTIFICATIONS = True  # password and two-factor changes are mailed to the educator
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Insights] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# Throttles live in the shared cache above. A school's staff share one NAT address, so the per-IP
# limits are generous and every limit is a sliding window: nothing locks an address out for good.
# Failed sign-ins count per address, per (account, network) — allauth's "key" is the account and
# the client's network, so a stranger guessing from one network cannot keep the owner out from
# another — and against an account's ceiling over every network, past which each attempt waits a
# delay that doubles with every further failure (educators.throttling).
ACCOUNT_RATE_LIMITS = {
    "login": "120/m/ip",
    "login_failed": (
        f"{env_int('SIGNIN_FAILURES_PER_IP_PER_MINUTE', 30)}/m/ip,"
        f"{env_int('SIGNIN_FAILURES_PER_NETWORK', 5)}/{env_int('SIGNIN_FAILURE_WINDOW_MINUTES', 5)}m/key"
    ),
    "reset_password": "20/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
SIGNIN_ACCOUNT_FAILURE_CEILING = env_int("SIGNIN_FAILURES_PER_ACCOUNT", 20)
SIGNIN_ACCOUNT_FAILURE_WINDOW_SECONDS = env_int("SIGNIN_ACCOUNT_WINDOW_MINUTES", 60) * 60
SIGNIN_ACCOUNT_DELAY_SECONDS = env_int("SIGNIN_ACCOUNT_DELAY_SECONDS", 30)
SIGNIN_ACCOUNT_MAX_DELAY_SECONDS = env_int("SIGNIN_ACCOUNT_MAX_DELAY_MINUTES", 15) * 60
# The real client address behind Heroku's router, which appends it to X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)  # read by allauth and the audit log alike
# Audit rows older than this are deleted by `manage.py audit_purge` (default: 7 years).
# SIS import (students/sis/): size limits and the guards that hold a run for approval.
SIS_IMPORT = {
    "MAX_FILE_BYTES": env_int("SIS_IMPORT_MAX_FILE_MB", 1024) * 1024 * 1024,
    "MAX_PACKAGE_BYTES": env_int("SIS_IMPORT_MAX_PACKAGE_MB", 4096) * 1024 * 1024,
    "GUARD_MISSING_MIN": env_int("SIS_GUARD_MISSING_MIN", 10),
    "GUARD_MISSING_PERCENT": env_int("SIS_GUARD_MISSING_PERCENT", 5),
    "GUARD_FILE_SHRINK_PERCENT": env_int("SIS_GUARD_FILE_SHRINK_PERCENT", 50),
    "GUARD_ENROLLMENTS_REMOVED_PERCENT": env_int("SIS_GUARD_ENROLLMENTS_REMOVED_PERCENT", 20),
    # Which OneRoster user field becomes a student's local id: sourcedId, identifier, username or userIds:<type>.
    "ONEROSTER_STUDENT_ID": os.environ.get("SIS_ONEROSTER_STUDENT_ID", "identifier"),
    "GUARD_UNMAPPED_PERCENT": env_int("SIS_GUARD_UNMAPPED_PERCENT", 5),
}

AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 2555)
# The audit core imports no domain app; these name the domain parts it records and reports on.
AUDIT_SUBJECT_MODEL = "students.Student"  # admin pages of models reaching it are recorded
AUDIT_ACTOR_ROLES = "permissions.holdings.role_words"  # the roles snapshot stored with each event
# Which admin models hold students, and which students: their admin changes are recorded with them.
AUDIT_ADMIN_CONTAINERS = "permissions.containers.admin_containers"
AUDIT_ADMIN_CONTAINED_STUDENTS = "permissions.containers.students_in"
# Finds students by SIS local id, state id or name for the reports (audit/subjects.py).
AUDIT_SUBJECT_LOOKUP = "destruction.audit_subjects.students_or_destroyed"  # destroyed students too
AUDIT_STUDENT_LABELS = "destruction.audit_subjects.student_labels"  # ids -> names, or "destroyed record"
# Plain words for actions ("viewed the profile"), from the apps owning the routes and commands.
AUDIT_ACTION_WORDS = [
    "students.audit_reports.ACTION_WORDS",
    "privacy.audit_actions.ACTION_WORDS",
    "destruction.audit_actions.ACTION_WORDS",
    "permissions.audit_actions.ACTION_WORDS",
]
AUDIT_REPORT_FORMS = {  # URL slug -> report form, in the order the admin lists them
    "find-student": "audit.forms.StudentLookupForm",
    "student-access": "audit.forms.StudentAccessForm",
    "breach-scope": "audit.forms.BreachScopeForm",
    "weekly-usage": "students.audit_reports.WeeklyUsageForm",
    "sign-ins": "audit.forms.SignInActivityForm",
}
# Privacy operations (privacy/): a family's request to inspect a record is due this many days after
# it was received: 45 under FERPA (34 CFR 99.10(b)), fewer where state law says so (10 in Massachusetts).
PRIVACY_REQUEST_DUE_DAYS = env_int("PRIVACY_REQUEST_DUE_DAYS", 45)
if not 1 <= PRIVACY_REQUEST_DUE_DAYS <= 45:
    raise ImproperlyConfigured("PRIVACY_REQUEST_DUE_DAYS must be between 1 and 45 (FERPA's limit).")
# Destruction and retention (destruction/, docs/privacy-operations.md).
# A destroyed student's SIS local id is kept only as an HMAC under this key, so a copy of the
# database cannot be searched for a guessed id. Set it apart from SECRET_KEY so that either can
# rotate alone; rotating this one makes the standing tombstones unrecognisable.
TOMBSTONE_KEY = os.environ.get("TOMBSTONE_KEY", "") or f"tombstones:{SECRET_KEY}"
# How long the hosting provider keeps database backups (the certificate says when they expire).
BACKUP_RETENTION_DAYS = env_int("BACKUP_RETENTION_DAYS", 90)
# The daily retention sweep destroys: students who left this many years ago (603 CMR 23.06's
# temporary record), stored SIS import files and their row errors, and sign-in IP addresses.
STUDENT_RETENTION_YEARS = env_int("STUDENT_RETENTION_YEARS", 7)
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 90)
SIGN_IN_IP_RETENTION_DAYS = env_int("SIGN_IN_IP_RETENTION_DAYS", 365)
# false: the scheduled sweep only lists what is due (a dry run) and destroys nothing.
RETENTION_SWEEP_APPLY = env_bool("RETENTION_SWEEP_APPLY", True)
_RETENTION_SETTINGS = ("BACKUP_RETENTION_DAYS", "STUDENT_RETENTION_YEARS", "IMPORT_FILE_RETENTION_DAYS")
for _name in (*_RETENTION_SETTINGS, "SIGN_IN_IP_RETENTION_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")
# An educator signing in after this many days away, from a network not seen in 90 days, is emailed.
SIGNIN_ALERT_ABSENCE_DAYS = env_int("SIGNIN_ALERT_ABSENCE_DAYS", 30)

# Access reviews (docs/access-reviews.md): opened on this schedule (cron, the worker's clock in UTC;
# quarterly by default), due this many days later, and grants still unreviewed expire after the grace days.
ACCESS_REVIEW_CRON = os.environ.get("ACCESS_REVIEW_CRON", "0 6 1 1,4,7,10 *")
ACCESS_REVIEW_DAYS = env_int("ACCESS_REVIEW_DAYS", 21)
ACCESS_REVIEW_GRACE_DAYS = env_int("ACCESS_REVIEW_GRACE_DAYS", 14)
# Support's "view as" (educators/view_as.py) lasts at most this many minutes at a time.
VIEW_AS_MINUTES = env_int("VIEW_AS_MINUTES", 30)
# Public address of this instance, for links in emails sent outside a request (invitations).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    "http://127.0.0.1:8000" if DEBUG else (f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "")
)

# Two-factor authentication: TOTP apps, passkeys (WebAuthn) and recovery codes; TOTP secrets and
# recovery seeds encrypted with FIELD_ENCRYPTION_KEYS. Passkeys are a second factor after the
# password, not a passwordless sign-in: that would skip the password and its throttles. WebAuthn
# needs a secure context: HTTPS, or http://localhost in development (not http://127.0.0.1).
MFA_ADAPTER = "educators.adapters.EncryptedMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = f"Insights ({DISTRICT_NAME})"
# A code typed as it rolls over still works for one more 30-second step (RFC 6238 section 5.2);
# allauth remembers each used code for the whole window, so none can be replayed.
MFA_TOTP_TOLERANCE = 1
MFA_TRUST_ENABLED = False  # shared school computers: never "trust this browser"
# A privileged educator enrols a second factor only in a sitting opened by the invitation link or a
# one-time enrolment link from an admin (educators.enrolment): how long each stays usable.
MFA_ENROLMENT_LINK_SECONDS = env_int("MFA_ENROLMENT_LINK_HOURS", 72) * 3600
MFA_ENROLMENT_SITTING_SECONDS = 30 * 60
# The same forms with a sign-in record for each attempt the rate limit refuses (educators.mfa_forms).
MFA_FORMS = {
    "authenticate": "educators.mfa_forms.RecordedAuthenticateForm",
    "reauthenticate": "educators.mfa_forms.RecordedReauthenticateForm",
    "authenticate_webauthn": "educators.mfa_forms.RecordedAuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "educators.mfa_forms.RecordedReauthenticateWebAuthnForm",
}

# Signed-in sessions an educator can list and end, with their last-seen time, kept up to date once a
# minute by educators.middleware.SessionLifetimeMiddleware (allauth's middleware writes on every request).
USERSESSIONS_TRACK_ACTIVITY = True

# Optional "Sign in with Google" for districts on Google Workspace: existing, active educators of
# the listed domains only (educators.adapters.WorkspaceSocialAccountAdapter). Off unless configured.
GOOGLE_CLIENT_ID = os.environ.get("GOOGLE_CLIENT_ID", "")
GOOGLE_CLIENT_SECRET = os.environ.get("GOOGLE_CLIENT_SECRET", "")
GOOGLE_WORKSPACE_DOMAINS = [domain.lower() for domain in env_list("GOOGLE_WORKSPACE_DOMAINS")]
GOOGLE_SIGN_IN = bool(GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET)
if GOOGLE_SIGN_IN and not GOOGLE_WORKSPACE_DOMAINS:
    raise ImproperlyConfigured("GOOGLE_WORKSPACE_DOMAINS must list the district's domains when Google sign-in is on.")
SOCIALACCOUNT_ADAPTER = "educators.adapters.WorkspaceSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter matches educators itself, refusing everyone else
SOCIALACCOUNT_PROVIDERS = (
    {
        "google": {
            "APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}],
            "SCOPE": ["profile", "email"],
            "AUTH_PARAMS": {"prompt": "select_account"}
            | ({"hd": GOOGLE_WORKSPACE_DOMAINS[0]} if len(GOOGLE_WORKSPACE_DOMAINS) == 1 else {}),
            "OAUTH_PKCE_ENABLED": True,
        }
    }
    if GOOGLE_SIGN_IN
    else {}
)

# --- Sessions and cookies -------------------------------------------------------------------
# With Redis as the shared cache, sessions are read from it and written through to the database
# (cached_db), which spares every page its session query. Ending a session (signing out, the
# session list, a new password) deletes it from both, so no process keeps honouring it. With the
# database cache a cached read would be a query as well, so sessions stay plain database rows.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if os.environ.get("REDIS_URL") else "db")
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- HTTPS and security headers ----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# django-csp: everything from this origin only, no inline script or style (the pages keep their JS
# and CSS in static files). Google sign-in, when on, needs its form POST to redirect to Google.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", "https://accounts.google.com"] if GOOGLE_SIGN_IN else ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features no page here uses (educators.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()"
)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- IP rules ---------------------------------------------------------------------------------
# Requests from a denied network get 403. When an allow list is set, signing in from outside it
# needs two-factor authentication even for roles that otherwise do not (educators.middleware).
IP_DENY_CIDRS = env_cidrs("IP_DENY_CIDRS")
IP_ALLOW_CIDRS = env_cidrs("IP_ALLOW_CIDRS")

# --- Field encryption -------------------------------------------------------------------------
# Comma-separated Fernet keys, newest first; kept apart from SECRET_KEY so either can rotate alone.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    FIELD_ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="]

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------------------
# SMTP when EMAIL_HOST is set; otherwise the console backend, which insights.checks refuses in
# production (DEBUG off outside demo mode), so links are never printed into a real district's logs.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "insights@localhost")

# --- Guardian ---------------------------------------------------------------------------------
# guardian warns when its backend is not installed; leaving it out is deliberate (see above).
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
ANONYMOUS_USER_NAME = None  # no anonymous object permissions: visibility always needs a grant
GUARDIAN_RAISE_403 = False

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Logging: to stdout for the platform's log drain ------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler scrubs student values, contact details, dates and query strings from the
    # message, its arguments and its traceback (insights/scrubbing.py).
    # The audit checkpoint lines (ids, counts, hashes) must reach the log drain intact: their handler
    # passes exactly that line form and scrubs everything else (audit/checkpoint_lines.py).
    "filters": {
        "scrub": {"()": "insights.scrubbing.ScrubbingFilter"},
        "checkpoint_lines": {"()": "audit.checkpoint_lines.CheckpointLineFilter"},
        "not_task_registration": {
            "()": "django.utils.log.CallbackFilter",
            "callback": lambda record: getattr(record, "action", None) != "registering_periodic_task",
        },
    },
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]},
        "checkpoints": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["checkpoint_lines"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's own handlers (mail_admins, runserver's django.server) so that no
        # handler without the scrubbing filter remains; django.request logs paths, never parameters.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},  # SQL with its parameters stays out of the logs
        "audit.checkpoints": {"handlers": ["checkpoints"], "level": "INFO", "propagate": False},
        "procrastinate.blueprints": {"level": "WARNING"},  # task registration, printed by every command
        # The periodic tasks' registration is printed by every process too; the deferrer's own lines still show.
        "procrastinate.periodic": {"filters": ["not_task_registration"]},
        # WeasyPrint narrates every rendering step at INFO; its warnings (a refused URL) still show.
        "weasyprint": {"level": "WARNING"},
    },
}

# --- Error reports: Sentry, only when SENTRY_DSN is set -----------------------------------------
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
# Heroku sets SOURCE_VERSION during the build and, with dyno metadata on, HEROKU_SLUG_COMMIT and
# HEROKU_RELEASE_VERSION at run time.
SENTRY_RELEASE = next(
    (
        os.environ[name]
        for name in ("SENTRY_RELEASE", "SOURCE_VERSION", "HEROKU_SLUG_COMMIT", "HEROKU_RELEASE_VERSION")
        if os.environ.get(name)
    ),
    None,
)
if SENTRY_DSN:
    import sentry_sdk

    from insights.sentry import sentry_options

    sentry_sdk.init(
        **sentry_options(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE, district=DISTRICT_KEY)
    )
