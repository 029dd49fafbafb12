"""The OAuth2Validator of the test server: the user's name as `sub`, not the database key."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    # DOT's default `sub` is str(user.pk) ("1"). get_claim_dict() starts from that and then
    # applies get_additional_claims(), so a "sub" here replaces it in the ID token and at
    # userinfo. The request-agnostic form (no `request` argument, values as callables) also
    # lists the claims in the discovery document's claims_supported.
    def get_additional_claims(self):
        return {
            "sub": lambda request: request.user.get_username(),
            "name": lambda request: request.user.get_full_name() or request.user.get_username(),
        }

    # prompt=none: oauthlib asks these two, and neither DOT nor oauthlib implements them
    # (stock DOT answers prompt=none with a 500 NotImplementedError). DOT's AuthorizationView
    # enforces the login itself: a signed-out browser never gets past it (with prompt=none
    # it answers login_required), so only a user oauthlib knows to be signed out fails here.
    def validate_silent_login(self, request):
        user = getattr(request, "user", None)
        return user is None or user.is_authenticated

    # No consent page can be skipped silently unless the client skips it always.
    def validate_silent_authorization(self, request):
        client = getattr(request, "client", None)
        return bool(client is not None and client.skip_authorization)

    # Exact redirect URIs. DOT's own check applies RFC 8252 §7.3 (native apps) to every
    # http://127.0.0.1 and http://[::1] redirect URI: any port matches, so all the examples
    # (one port each) would accept each other's redirect URI. Both checks must pass here.
    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        exact = redirect_uri in request.client.redirect_uris.split()
        return exact and super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs)
