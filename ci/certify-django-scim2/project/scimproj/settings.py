"""Settings of the smallest Django project django-scim2 runs in: its two
models (a User and a Group with the SCIM mixins), a bearer token for the
run, SQLite in a file the script names. Nothing else is configured, so the
server certify sees is django-scim2 as its documentation sets it up."""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Test-only project on loopback: the key signs nothing certify relies on.
SECRET_KEY = "certify-django-scim2-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim",
    "scimapp",
]

MIDDLEWARE = [
    "scimapp.auth.BearerTokenMiddleware",
    "django_scim.middleware.SCIMAuthCheckMiddleware",
]

ROOT_URLCONF = "scimproj.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SCIM_DB", os.path.join(BASE_DIR, "db.sqlite3")),
    }
}
AUTH_USER_MODEL = "scimapp.User"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True

SCIM_SERVICE_PROVIDER = {
    "NETLOC": os.environ.get("SCIM_NETLOC", "127.0.0.1:8000"),
    "SCHEME": "http",
    "GROUP_MODEL": "scimapp.models.Group",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with the bearer token of the run",
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="django-scim2"',
}
