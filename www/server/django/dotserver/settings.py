"""Settings of the test authorization server: django-oauth-toolkit (DOT) with OIDC.

Not a production configuration. serve.py sets the DOT_* environment variables (issuer,
client origins, database file, signing key) before Django reads this module.
"""

import json
import os
import secrets

ISSUER = os.environ["DOT_ISSUER"]  # e.g. http://127.0.0.1:8400/o, no trailing slash
CLIENT_ORIGINS = json.loads(os.environ["DOT_CLIENT_ORIGINS"])
INTERACTIVE = os.environ.get("DOT_INTERACTIVE") == "1"
ISS_PARAMETER = os.environ.get("DOT_ISS_PARAMETER", "1") == "1"
RSA_PRIVATE_KEY = os.environ["DOT_RSA_PRIVATE_KEY"]
TEST_ACCOUNT = "test-user"
CLIENT_ID = "pkce-wasm-example"

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "dotserver.urls"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["DOT_DATABASE"],
        "OPTIONS": {
            # The threaded server writes from several threads; wait for the lock.
            "timeout": 20,
            # A throwaway database: no fsync.
            "init_command": "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;",
        },
    }
}

# Tables straight from the models (`migrate --run-syncdb`) instead of replaying every
# migration: 0.15 s instead of 5-9 s at each start here. Same schema; the migrations
# themselves are not what these tests are about.
MIGRATION_MODULES = {app: None for app in ["auth", "contenttypes", "sessions", "oauth2_provider"]}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "corsheaders",
    "oauth2_provider",
    "dotserver",
]

MIDDLEWARE = [
    # Outermost: records every request, CORS preflights included, with the final status.
    "dotserver.middleware.RequestLog",
    "corsheaders.middleware.CorsMiddleware",
    # Inside CorsMiddleware, so django-cors-headers alone decides who gets CORS headers.
    "dotserver.middleware.NoWildcardCors",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
# No CommonMiddleware: no APPEND_SLASH redirects; DOT's endpoints end in "/" and clients
# use the URLs from the discovery document.

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,  # DOT's error and logout pages
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

LOGIN_URL = "/accounts/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; test only

# CORS: only the examples' origins, only on the endpoints a browser client calls with
# fetch. DOT's own CORS support (Application.allowed_origins) is left unused: oauthlib
# only honours it for https origins, and the examples are served over http loopback.
CORS_ALLOWED_ORIGINS = CLIENT_ORIGINS
CORS_URLS_REGEX = (
    r"^/o/(token|revoke_token|userinfo)/$"
    r"|^/o/\.well-known/(openid-configuration|oauth-authorization-server|jwks\.json)/?$"
    r"|^/\.well-known/oauth-authorization-server/o$"  # with --rfc8414-root
)
CORS_ALLOW_CREDENTIALS = False

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    # The issuer verbatim: discovery's "issuer", the ID tokens' "iss" and the RFC 9207
    # "iss" response parameter are all this string. Without it DOT derives the issuer
    # from each request's Host header.
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OIDC_RSA_PRIVATE_KEY": RSA_PRIVATE_KEY,
    "OAUTH2_VALIDATOR_CLASS": "dotserver.validators.Validator",
    # DOT only accepts scopes it knows; "offline_access" means nothing to it (it issues a
    # refresh token for every authorization code) but must be listed to be accepted.
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Your name",
        "offline_access": "Stay signed in",
    },
    "DEFAULT_SCOPES": ["openid"],
    # PKCE for every client (the default), S256 only (plain is rejected and not advertised).
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    # RFC 9207: "iss" on authorization responses, and advertised in the metadata.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": ISS_PARAMETER,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # Each refresh returns a new refresh token and revokes the old one at once (no grace
    # period); presenting a revoked one is refused and revokes the whole token family.
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # http loopback redirect and post-logout URIs (DOT's ALLOWED_SCHEMES default is https only).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "ALLOWED_SCHEMES": ["http", "https"],
    # RP-initiated logout, straight back to post_logout_redirect_uri when the ID token
    # hint is the signed-in user's (or nobody is signed in): no "Are you sure?" page.
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    # What is advertised, limited to what this client can do.
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["none"],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["none"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        # Tracebacks of 500s (Django sends them nowhere when DEBUG is off).
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        # The dev server's access log: the request log on fd 3 replaces it.
        "django.server": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "oauth2_provider": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
