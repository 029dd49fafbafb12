"""Starts the django-oauth-toolkit test authorization server on 127.0.0.1.

    python serve.py --dir TMPDIR --origins '["http://127.0.0.1:8401"]' [--port 0]
                    [--interactive] [--no-iss-parameter] [--rfc8414-root]

Binds the port first (0 = any free one), so the issuer http://127.0.0.1:PORT/o is known
before Django reads its settings; creates the sqlite database in TMPDIR (tables from the
models, see MIGRATION_MODULES), generates an RS256 key, creates the user `test-user` and the public client
`pkce-wasm-example`, then prints one line `READY <issuer>` on stdout and serves (Django's
threaded development server, no autoreload). Each request is logged as a JSON line on
fd 3 when it is open (see dotserver.middleware). When stdin closes it removes TMPDIR and
exits, so a parent that dies without closing us leaves neither the server nor the folder.
"""

import argparse
import json
import os
import shutil
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True, help="an empty folder for the database")
    parser.add_argument("--origins", required=True, help="JSON list of the examples' origins")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--interactive", action="store_true")
    parser.add_argument("--no-iss-parameter", action="store_true")
    parser.add_argument("--rfc8414-root", action="store_true")
    args = parser.parse_args()
    origins = json.loads(args.origins)

    sys.path.insert(0, HERE)
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    httpd = ThreadedWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    issuer = f"http://127.0.0.1:{httpd.server_address[1]}/o"

    os.environ.update(
        DJANGO_SETTINGS_MODULE="dotserver.settings",
        DOT_ISSUER=issuer,
        DOT_CLIENT_ORIGINS=json.dumps(origins),
        DOT_DATABASE=os.path.join(args.dir, "db.sqlite3"),
        DOT_INTERACTIVE="1" if args.interactive else "0",
        DOT_ISS_PARAMETER="0" if args.no_iss_parameter else "1",
        DOT_RFC8414_ROOT="1" if args.rfc8414_root else "0",
        DOT_RSA_PRIVATE_KEY=rsa_private_key_pem(),
    )
    if is_open(3):
        os.environ["DOT_REQUEST_LOG_FD"] = "3"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    seed(origins)

    from django.core.wsgi import get_wsgi_application

    httpd.set_app(get_wsgi_application())
    threading.Thread(target=exit_when_stdin_closes, args=(args.dir,), daemon=True).start()
    print(f"READY {issuer}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


def rsa_private_key_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def seed(origins):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    get_user_model().objects.create(username=settings.TEST_ACCOUNT, first_name="Test", last_name="User")
    Application = get_application_model()
    uris = " ".join(f"{origin}/" for origin in origins)
    Application.objects.create(
        client_id=settings.CLIENT_ID,
        name="pkce-wasm example",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=uris,
        post_logout_redirect_uris=uris,
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )


def is_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def exit_when_stdin_closes(folder):
    try:
        while sys.stdin.buffer.read(65536):
            pass
    finally:
        # The parent is gone (or closing us): take the database folder along.
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(0)


if __name__ == "__main__":
    main()
