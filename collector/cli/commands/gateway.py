"""`codetape gateway keygen|serve`: run the Oblivious HTTP gateway (RFC 9458) that writes unlinkable
episodes into the receiver's store for whoever sends them through a relay, so the store never learns
which machine an episode came from.

`keygen` makes the gateway's key pair (KEY, 0600; default CODETAPE_HOME/gateway/key.json) and prints its
key configuration in hex: contributors set it as `[upload] gateway_key`, beside `[upload] relay` (the
relay's URL), in config.toml. `serve --to s3://BUCKET/PREFIX --issuer URL` listens for what the relay
forwards: it opens each sealed request, writes an episode, its manifest or a revocation record (nothing
else; at most 64 MiB an object) with the gateway's own S3 credential (the AWS configuration:
environment, ~/.aws), and answers sealed. It serves a copy of the issuer's record (fetched from --issuer
when it starts and every 5 minutes), so upload runs never reach the issuer. Its log, gateway.log beside
the key, has no request's contents, object name or address. Plain HTTP: the relay is what the internet
sees (docs/administrators.md shows nginx as one).

`describe --to s3://BUCKET/PREFIX` prints the gateway's descriptor: its key configuration and the bucket
and prefix it writes to, signed by the operator's key (--operator-key, default operator.json beside the
gateway's key; made, 0600, when there is none). Contributors pin it as `[upload] gateway`, or the
organisation as the managed policy's `[relay] gateway`: a policy's `allowed_destinations` is then matched
against the bucket and prefix it names, since through a relay the client does not reach the bucket itself.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from collector.cli.listen import listen_address
from collector.errors import UsageError
from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("gateway", help="run the Oblivious HTTP gateway that stores unlinkable episodes",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    keygen = actions.add_parser("keygen", help="make the gateway's key and print its key configuration")
    _key_option(keygen)
    keygen.set_defaults(func=run_keygen)
    describe = actions.add_parser("describe", help="print the gateway's descriptor (its key configuration, "
                                  "bucket and prefix, signed by its operator)")
    describe.add_argument("--to", required=True, metavar="s3://BUCKET/PREFIX",
                          help="the store the gateway writes to (as `serve --to` names it)")
    describe.add_argument("--operator-key", type=Path, metavar="FILE",
                          help="the operator's signing key (default: operator.json beside the gateway's key; "
                          "made when there is none)")
    _key_option(describe)
    describe.set_defaults(func=run_describe)
    serve = actions.add_parser("serve", help="open sealed requests and write what they carry to the store")
    serve.add_argument("--to", required=True, metavar="s3://BUCKET/PREFIX", help="the store episodes go to")
    serve.add_argument("--issuer", required=True, metavar="URL",
                       help="the issuer whose members record the gateway serves a copy of")
    serve.add_argument("--endpoint-url", metavar="URL", help="an S3-compatible endpoint (default: AWS's)")
    serve.add_argument("--allow-insecure", action="store_true",
                       help="allow a plain http:// S3 endpoint that is not on this machine")
    serve.add_argument("--listen", default="127.0.0.1:8788", metavar="HOST:PORT",
                       help="address to listen on (default 127.0.0.1:8788; port 0 picks a free one)")
    _key_option(serve)
    serve.set_defaults(func=run_serve)


def _key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", type=Path, metavar="KEY",
                        help="the gateway's key file (default: CODETAPE_HOME/gateway/key.json)")


def _key_path(args: argparse.Namespace) -> Path:
    if args.key is not None:
        return Path(args.key).expanduser().resolve()
    home = Home.from_env(args.env)
    return home.ensure(home.root / "gateway") / "key.json"


def run_keygen(args: argparse.Namespace) -> int:
    from collector.ohttp.keys import KeyConfigError, new_key, write_key

    path = _key_path(args)
    key = new_key()
    try:
        write_key(path, key)
    except KeyConfigError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    print(f"gateway key {key.key_id} written to {path}; contributors set, in [upload]:")
    print(key.config.encode().hex())
    return 0


def run_describe(args: argparse.Namespace) -> int:
    from collector.ohttp.descriptor import describe, new_operator_key, read_operator_key
    from collector.ohttp.keys import KeyConfigError, read_key
    from collector.upload.destinations import parse_destination
    from collector.upload.errors import UploadError

    path = _key_path(args)
    operator_path = Path(args.operator_key).expanduser().resolve() if args.operator_key is not None \
        else path.parent / "operator.json"
    try:
        key = read_key(path)
        destination = parse_destination(args.to)
        if destination.scheme != "s3" or not destination.bucket:
            raise UsageError("--to is an s3:// destination: the gateway writes to an S3-compatible store")
        made = not operator_path.exists()
        operator = new_operator_key(operator_path) if made else read_operator_key(operator_path)
        text = describe(key.config, destination.bucket, destination.prefix, operator)
    except (KeyConfigError, UploadError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {operator_path}: {exc.strerror}") from None
    print(f"gateway key {key.key_id} writing to {destination.url}, signed by the operator key "
          f"{operator_path}{' (made now)' if made else ''}; contributors set it as [upload] gateway, or the "
          "managed policy as [relay] gateway:", file=sys.stderr)
    print(text)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from collector.consent.authorisation import read_record
    from collector.consent.enrol import PATH_RECORD, check_url, http_transport
    from collector.consent.errors import ConsentError
    from collector.gateway.record import RecordCopy
    from collector.gateway.server import GatewayServer
    from collector.ohttp.keys import KeyConfigError, read_key
    from collector.platform.process import raise_open_file_limit
    from collector.protocol.clock import utc_now
    from collector.upload.destinations import parse_destination
    from collector.upload.errors import UploadError
    from collector.upload.s3_store import S3Store
    from schemas.config import UploadSettings

    path = _key_path(args)
    try:
        key = read_key(path)
        issuer = check_url(args.issuer)
        settings = UploadSettings(endpoint_url=args.endpoint_url, allow_insecure=args.allow_insecure)
        destination = parse_destination(args.to, settings)
        if destination.scheme != "s3":
            raise UsageError("--to is an s3:// destination: the gateway writes to an S3-compatible store")
        store = S3Store(destination)
    except (KeyConfigError, ConsentError, UploadError) as exc:
        raise UsageError(str(exc)) from None

    def fetch() -> bytes:
        status, body = http_transport("GET", issuer + PATH_RECORD, None, None)
        if status != 200:
            raise ConsentError(f"the issuer answered {status}")
        read_record(body)  # its signature checked: never serve what no client would accept
        return body

    host, port = listen_address(args.listen)
    raise_open_file_limit()
    server: GatewayServer | None = None
    log = path.parent / "gateway.log"

    def note(line: str) -> None:
        if server is not None:
            server.note(line)
        else:
            print(f"codetape gateway: {line}", file=sys.stderr)

    record = RecordCopy(fetch, note)
    try:
        server = GatewayServer((host, port), key, store, record, log, utc_now)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.listen}: {exc.strerror or exc}") from None
    record.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    bound_host, bound_port = server.server_address[:2]
    server.note(f"serving gateway key {key.key_id} for {destination.url}")
    print(f"gateway key {key.key_id} for {destination.url} listening on http://{bound_host!s}:{bound_port}",
          flush=True)
    try:
        server.serve_forever()
    finally:
        record.stop()
        server.server_close()
    print("gateway stopped", file=sys.stderr)
    return 0
