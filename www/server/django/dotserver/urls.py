import os

from django.urls import include, path
from oauth2_provider import urls as dot_urls
from oauth2_provider.views import OAuthServerMetadataView

from . import views

# Everything of DOT's under /o/ (issuer http://127.0.0.1:PORT/o): authorize/, token/,
# revoke_token/, userinfo/, logout/, .well-known/openid-configuration, .well-known/jwks.json.
# Only the protocol endpoints: not DOT's application and token management pages.
urlpatterns = [
    # Before DOT's own logout/ (same name, so the discovery document points here).
    path("o/logout/", views.ExactPostLogoutRedirectView.as_view()),
    path(
        "o/",
        include(
            (dot_urls.base_urlpatterns + dot_urls.oidc_urlpatterns + dot_urls.metadata_urlpatterns, "oauth2_provider"),
            namespace="oauth2_provider",
        ),
    ),
    path("accounts/login/", views.login_view),
]

# --rfc8414-root: the RFC 8414 metadata also where RFC 8414 puts it for an issuer with a path
# (the well-known segment before the path), which is where pkce-wasm's discover() looks first.
# Off by default: DOT's RFC 8414 document has no end_session_endpoint, its OIDC one has no
# revocation_endpoint, and the client uses the first document it finds.
if os.environ.get("DOT_RFC8414_ROOT") == "1":
    urlpatterns.append(path(".well-known/oauth-authorization-server/o", OAuthServerMetadataView.as_view()))
