# Copyright (c) mmadvseg contributors. All rights reserved.
"""The web demo's HTTP side: a Starlette app served by uvicorn.

Routes: ``/`` (the page), ``/static/*`` (its script and style, package
data: nothing is loaded from anywhere else), ``/api/info``,
``/api/examples/<i>.png`` and ``POST /api/colorize`` (the image file as
the request body; ``?kind=photo`` for a photo; answers JSON with the
images as PNG data URLs, or ``{"error": message}`` with status 400 for a
bad input, 413 for a body over the size limit and 503 when no decode slot
came free in time).

Safe by default: the server binds loopback only unless asked
(``allow_remote``), answers only requests whose ``Host`` header names
this machine by a loopback name (:data:`LOOPBACK_HOSTS` and the bound
address, any port; others get status 400, so a web page cannot reach the
demo by DNS rebinding) unless ``allow_remote``, answers with a
Content-Security-Policy that forbids every other origin, accepts only
uploads whose size it can check before decoding (PNG, JPEG, BMP, TIFF,
WebP; see :mod:`.demo`), decodes at most two at once, and the model runs
one request at a time in a worker thread.
"""
import base64
import ipaddress
import os.path as osp
import sys
import traceback
from typing import Any, Callable, List, Optional, Sequence
from urllib.parse import unquote

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .demo import DemoBusyError, DemoInputError, WebDemo, to_png

STATIC_DIR = osp.join(osp.dirname(__file__), 'static')
#: Largest request body accepted (bytes).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Headers of every response: nothing from another origin, no referrer.
SECURITY_HEADERS = [
    ('Content-Security-Policy',
     "default-src 'self'; img-src 'self' data: blob:; "
     "connect-src 'self'; object-src 'none'; base-uri 'none'; "
     "form-action 'none'; frame-ancestors 'none'"),
    ('X-Content-Type-Options', 'nosniff'),
    ('Referrer-Policy', 'no-referrer'),
    ('Cache-Control', 'no-store'),
]


#: ``Host`` header names answered without ``allow_remote`` (any port).
LOOPBACK_HOSTS = ('127.0.0.1', 'localhost', '[::1]')


class BodyTooLarge(Exception):
    """A request body over the size limit."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``,
    ``127.0.0.0/8``, ``::1``)."""
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool = False) -> None:
    """Refuse a non-loopback ``host`` unless ``allow_remote``.

    Raises:
        ValueError: The message says how to allow it.
    """
    if not is_loopback(host) and not allow_remote:
        raise ValueError(
            f'--host {host} would let other machines use the demo; it '
            'binds loopback (127.0.0.1) only unless you also pass '
            '--allow-remote')


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes."""
    declared = request.headers.get('content-length', '')
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b''.join(chunks)


def _data_url(png: bytes) -> str:
    return 'data:image/png;base64,' + base64.b64encode(png).decode()


def allowed_hosts(host: str = '127.0.0.1',
                  allow_remote: bool = False) -> List[str]:
    """The ``Host`` header names the server of ``host`` answers.

    Args:
        host (str): The bound address.
        allow_remote (bool): Answer any name. Defaults to False.

    Returns:
        list[str]: ``['*']`` with ``allow_remote``, else
        :data:`LOOPBACK_HOSTS` and the bound loopback address (an IPv6
        one in brackets, as a ``Host`` header writes it).
    """
    if allow_remote:
        return ['*']
    names = list(LOOPBACK_HOSTS)
    if is_loopback(host):
        bound = f'[{host}]' if ':' in host else host
        if bound.lower() not in names:
            names.append(bound.lower())
    return names


def create_app(demo: WebDemo,
               max_upload_bytes: int = MAX_UPLOAD_BYTES,
               hosts: Sequence[str] = LOOPBACK_HOSTS) -> Starlette:
    """The web app of a :class:`WebDemo`.

    Args:
        demo (WebDemo): The model side.
        max_upload_bytes (int): Largest request body accepted.
        hosts (Sequence[str]): ``Host`` header names answered (any port;
            ``'*'``: all); other requests get status 400 from Starlette's
            ``TrustedHostMiddleware``. Defaults to :data:`LOOPBACK_HOSTS`.

    Returns:
        Starlette: The ASGI app.
    """

    async def index(request: Request) -> Response:
        return FileResponse(osp.join(STATIC_DIR, 'index.html'))

    async def info(request: Request) -> Response:
        return JSONResponse(dict(demo.info(),
                                 max_upload_bytes=max_upload_bytes))

    async def example(request: Request) -> Response:
        index = request.path_params['index']
        if not 0 <= index < len(demo.examples):
            return JSONResponse({'error': 'no such example'}, 404)
        return Response(to_png(demo.examples[index]), media_type='image/png')

    async def colorize(request: Request) -> Response:
        name = unquote(request.headers.get('x-file-name', ''))[:200] or \
            'the upload'
        try:
            data = await read_body(request, max_upload_bytes)
            result = await run_in_threadpool(
                demo, data, request.query_params.get('kind') == 'photo',
                name)
        except BodyTooLarge:
            return JSONResponse({'error': (
                f'{name}: larger than {max_upload_bytes // 2**20} MB; '
                'upload a smaller file')}, 413)
        except DemoInputError as err:
            return JSONResponse({'error': str(err)}, 400)
        except DemoBusyError as err:
            return JSONResponse({'error': str(err)}, 503,
                                headers={'Retry-After': '1'})
        except Exception as err:  # noqa: BLE001  (a message, not a trace)
            traceback.print_exc(file=sys.stderr)
            return JSONResponse({'error': (
                f'the model failed on {name} ({type(err).__name__}: {err}); '
                'the server log has the details')}, 500)
        images = {k: _data_url(v) for k, v in result['images'].items()}
        return JSONResponse(dict(result, images=images))

    routes = [
        Route('/', index),
        Route('/api/info', info),
        Route('/api/examples/{index:int}.png', example),
        Route('/api/colorize', colorize, methods=['POST']),
        Mount('/static', StaticFiles(directory=STATIC_DIR), name='static'),
    ]
    return Starlette(routes=routes, middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts),
                   www_redirect=False)
    ])


def build_server(demo: WebDemo,
                 host: str = '127.0.0.1',
                 port: int = 7860,
                 allow_remote: bool = False,
                 max_upload_bytes: int = MAX_UPLOAD_BYTES,
                 log_level: Optional[str] = 'info') -> uvicorn.Server:
    """A uvicorn server of the demo (``.run()`` serves until Ctrl+C).

    Args:
        demo (WebDemo): The model side.
        host (str): Address to bind. Defaults to '127.0.0.1'.
        port (int): Port; 0 picks a free one (logged). Defaults to 7860.
        allow_remote (bool): Allow a non-loopback ``host`` and answer any
            ``Host`` header: other machines can then use the demo. Defaults
            to False (only loopback names, see :func:`allowed_hosts`).
        max_upload_bytes (int): Largest request body accepted.
        log_level (str, optional): uvicorn's log level.

    Returns:
        uvicorn.Server: The server, not started.

    Raises:
        ValueError: A non-loopback host without ``allow_remote``.
    """
    check_host(host, allow_remote)
    config = uvicorn.Config(
        create_app(demo, max_upload_bytes, allowed_hosts(host, allow_remote)),
        host=host, port=port,
        log_level=log_level, server_header=False, headers=SECURITY_HEADERS,
        lifespan='off')
    return uvicorn.Server(config)


def web_demo_command(args: Any,
                     default_model: Optional[Callable[[], str]] = None
                     ) -> int:
    """Run ``tools/web_demo.py`` with its parsed arguments.

    Args:
        args (argparse.Namespace): ``model_args`` ([CONFIG CHECKPOINT |
            WORK_DIR | MODEL.onnx], empty for the default model),
            ``host``, ``port``, ``allow_remote``, ``device``, ``seed``,
            ``size``.
        default_model (callable, optional): Gives the model (a work dir)
            when none is given; may raise FileNotFoundError saying how to
            make it.

    Returns:
        int: 1 on bad arguments or an unusable model, else 0 after serving.
    """
    from ..apis import ModelFileError
    try:
        if len(args.model_args) > 2:
            raise ValueError('give at most CONFIG CHECKPOINT')
        if args.size is not None and args.size < 8:
            raise ValueError(f'--size must be at least 8, got {args.size}')
        check_host(args.host, args.allow_remote)
        model_args = list(args.model_args)
        if not model_args:
            if default_model is None:
                raise ValueError('no model: pass CONFIG CHECKPOINT, a '
                                 'training WORK_DIR or MODEL.onnx')
            model_args = [default_model()]
        print(f'loading {" ".join(model_args)}', flush=True)
        demo = WebDemo(*model_args, device=args.device, seed=args.seed,
                       size=args.size)
        server = build_server(demo, args.host, args.port, args.allow_remote)
    except (ModelFileError, ValueError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print('\n'.join(demo.notes), flush=True)
    server.run()
    return 0


__all__ = [
    'create_app', 'build_server', 'web_demo_command', 'check_host',
    'is_loopback', 'allowed_hosts', 'read_body', 'MAX_UPLOAD_BYTES',
    'SECURITY_HEADERS', 'LOOPBACK_HOSTS'
]
