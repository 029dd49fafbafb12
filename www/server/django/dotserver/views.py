"""Views of the test server: the login page (LOGIN_URL, where DOT's authorize endpoint sends
a signed-out browser with ?next=<the authorize request>) and RP-initiated logout."""

import html

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from oauth2_provider.exceptions import InvalidOIDCRedirectURIError
from oauth2_provider.views import RPInitiatedLogoutView

PAGE = """<!DOCTYPE html>
<html lang="en"><meta charset="utf-8"><title>Sign in (test server)</title>
<h1>Sign in</h1>
<p>Test server: any username and password sign in.</p>
<form method="post">
<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label>Username <input name="username" value="{user}" autofocus required></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button>
</form>
"""


def _next(request, source):
    target = source.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return None
    return target


def _sign_in(request, username, target):
    user, _ = get_user_model().objects.get_or_create(username=username)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(target)


@never_cache
def login_view(request):
    """Not interactive: signs TEST_ACCOUNT in at once and goes back to `next`.
    Interactive: a form where any username and password sign in (like oidc-provider's
    development pages), for a person trying the examples."""
    if not settings.INTERACTIVE:
        target = _next(request, request.GET)
        if target is None:
            return HttpResponseBadRequest("next must be a path on this server")
        return _sign_in(request, settings.TEST_ACCOUNT, target)
    if request.method == "POST":
        target = _next(request, request.POST)
        username = request.POST.get("username", "").strip()
        if target is None or not username:
            return HttpResponseBadRequest("username and next are required")
        return _sign_in(request, username, target)
    target = _next(request, request.GET) or "/"
    body = PAGE.format(
        csrf=html.escape(get_token(request)),
        next=html.escape(target),
        user=html.escape(settings.TEST_ACCOUNT),
    )
    return HttpResponse(body)


class ExactPostLogoutRedirectView(RPInitiatedLogoutView):
    """DOT's RP-initiated logout, with post_logout_redirect_uri matched exactly (DOT lets any
    port of a registered http://127.0.0.1 URI through, as for redirect URIs)."""

    def validate_post_logout_redirect_uri(self, application, post_logout_redirect_uri):
        super().validate_post_logout_redirect_uri(application, post_logout_redirect_uri)
        if post_logout_redirect_uri and post_logout_redirect_uri not in application.post_logout_redirect_uris.split():
            raise InvalidOIDCRedirectURIError("This client does not have this redirect uri registered.")
