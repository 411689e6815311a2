# Copyright (c) mmadvseg contributors. All rights reserved.
"""The web demo's server, live on a free loopback port: the page (nothing
from elsewhere), the prediction endpoint, the error answers, the request
limit, bounded decoding, loopback-only binding and Host names unless
asked."""
import asyncio
import base64
import http.client
import json
import os.path as osp
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest

from mmadvseg.apis import Colorizer, load_image, resize_longer
from mmadvseg.web import build_server, check_host
from mmadvseg.web import demo as demo_module
from mmadvseg.web.demo import MAX_DECODES
from mmadvseg.web.server import STATIC_DIR, allowed_hosts, is_loopback

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def request(url: str, data: bytes = None, headers: dict = None):
    """``(status, headers, body)`` of a GET (or a POST of ``data``)."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def request_with_host(url: str, host: str, path: str = '/api/info'):
    """``(status, body)`` of a GET with the ``Host`` header ``host`` (as a
    page on another name that resolves to this machine sends it)."""
    address, port = url.split('//')[1].split(':')
    conn = http.client.HTTPConnection(address, int(port), timeout=60)
    conn.putrequest('GET', path, skip_host=True)
    conn.putheader('Host', host)
    conn.endheaders()
    resp = conn.getresponse()
    answer = resp.status, resp.read()
    conn.close()
    return answer


def asgi_status(app, host: str) -> int:
    """The status an ASGI ``app`` answers a GET of ``/api/info`` with the
    ``Host`` header ``host``."""
    scope = dict(type='http', asgi={'version': '3.0'}, http_version='1.1',
                 method='GET', scheme='http', path='/api/info', raw_path=b'',
                 root_path='', query_string=b'', client=('1.2.3.4', 5),
                 server=('0.0.0.0', 7860),
                 headers=[(b'host', host.encode())])
    sent = []

    async def receive():
        return {'type': 'http.request', 'body': b'', 'more_body': False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]['status']


def from_data_url(url: str) -> np.ndarray:
    assert url.startswith('data:image/png;base64,')
    data = base64.b64decode(url.split(',', 1)[1])
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def test_the_page_loads_nothing_from_elsewhere(live_url):
    status, headers, body = request(live_url + '/')
    assert status == 200 and b'<canvas id="canvas"' in body
    csp = headers['content-security-policy']
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert headers['referrer-policy'] == 'no-referrer'
    assert 'server' not in headers
    for name in ('index.html', 'demo.js', 'demo.css'):
        with open(osp.join(STATIC_DIR, name), encoding='utf-8') as f:
            assert not re.search(r'https?:|//[a-z]', f.read()), name
        if name != 'index.html':
            status, _, served = request(f'{live_url}/static/{name}')
            assert status == 200 and b'The mmadvseg web demo' in served


def test_info_and_examples(live_url, web_demo):
    status, _, body = request(live_url + '/api/info')
    info = json.loads(body)
    assert status == 200 and info['size'] == 64 and info['seed'] == 0
    assert info['segmentation'] and info['examples'] == 4
    assert info['max_upload_bytes'] == 2**20
    status, headers, png = request(live_url + '/api/examples/1.png')
    assert status == 200 and headers['content-type'] == 'image/png'
    np.testing.assert_array_equal(
        cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR),
        web_demo.examples[1])
    assert request(live_url + '/api/examples/4.png')[0] == 404


def test_prediction_endpoint_answers_a_drawing(live_url, toy_run, drawing,
                                               tmp_path):
    data = drawing
    status, _, body = request(live_url + '/api/colorize', data)
    assert status == 200
    answer = json.loads(body)
    assert set(answer['images']) == {'sketch', 'colour', 'segmentation',
                                     'things'}
    (tmp_path / 'sent.png').write_bytes(data)
    sketch = resize_longer(load_image(str(tmp_path / 'sent.png')), 64)
    [expected] = Colorizer(toy_run['run_dir'])(sketch,
                                               seed=0)['predictions']
    np.testing.assert_array_equal(from_data_url(answer['images']['colour']),
                                  expected)
    assert answer['legend'][-2:] == [['thing', '#faa028'],
                                     ['stuff', '#286ea0']]


def test_errors_are_messages(live_url):
    status, headers, body = request(live_url + '/api/colorize',
                                    b'%PDF-1.4 not an image',
                                    {'X-File-Name': 'report%20v2.pdf'})
    assert status == 400 and headers['content-type'] == 'application/json'
    assert json.loads(body) == {'error': (
        'report v2.pdf: not an image this demo can read; upload a PNG, '
        'JPEG, BMP, TIFF or WebP file')}
    assert request(live_url + '/api/colorize')[0] == 405  # GET


def test_formats_whose_size_is_not_checked_are_refused(live_url):
    """OpenCV decodes a Radiance .hdr (also PFM, PNM, ...) with no pixel
    limit, and PIL cannot read its size first: refused, even a small one
    (it used to be colorized)."""
    hdr = cv2.imencode('.hdr', np.ones((7, 5, 3), np.float32))[1].tobytes()
    status, _, body = request(live_url + '/api/colorize', hdr,
                              {'X-File-Name': 'sky.hdr'})
    assert status == 400 and json.loads(body) == {'error': (
        'sky.hdr: not an image this demo can read; upload a PNG, JPEG, '
        'BMP, TIFF or WebP file')}


def test_parallel_uploads_are_decoded_two_at_a_time(live_url, drawing,
                                                    monkeypatch):
    """A slow decode (0.2 s) and 8 uploads at once: never more than
    :data:`MAX_DECODES` decodes in flight; every upload is answered."""
    decode_image = demo_module.decode_image
    lock, in_flight, most = threading.Lock(), [0], [0]

    def counting_decode(*args, **kwargs):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.2)
            return decode_image(*args, **kwargs)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(demo_module, 'decode_image', counting_decode)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda _: request(live_url + '/api/colorize', drawing),
            range(8)))
    assert [status for status, _, _ in answers] == [200] * 8
    assert most[0] == MAX_DECODES == 2
    monkeypatch.undo()
    assert request(live_url + '/api/colorize', drawing)[0] == 200


def test_no_decode_slot_in_time_is_a_503(live_url, web_demo, drawing,
                                         monkeypatch):
    monkeypatch.setattr(web_demo, 'decode_timeout', 0.1)
    for _ in range(MAX_DECODES):  # every slot taken by someone else
        assert web_demo._decode_slots.acquire(timeout=10)
    try:
        status, headers, body = request(live_url + '/api/colorize', drawing,
                                        {'X-File-Name': 'a.png'})
    finally:
        for _ in range(MAX_DECODES):
            web_demo._decode_slots.release()
    assert status == 503 and headers['retry-after'] == '1'
    assert json.loads(body) == {'error': (
        'a.png: the server is busy decoding other uploads; try again in a '
        'moment')}
    assert request(live_url + '/api/colorize', drawing)[0] == 200


def test_only_loopback_host_names_are_answered(live_url, web_demo):
    """A page of another site whose name is made to resolve to 127.0.0.1
    (DNS rebinding) sends its own name as the Host header: refused."""
    port = live_url.rsplit(':', 1)[1]
    for host in ('evil.example', f'evil.example:{port}',
                 f'127.0.0.1.evil.example:{port}', f'localhost.:{port}',
                 f'[::2]:{port}', ''):
        assert request_with_host(live_url, host) == (
            400, b'Invalid host header'), host
    for host in (f'127.0.0.1:{port}', f'localhost:{port}',
                 f'LOCALHOST:{port}', f'[::1]:{port}', '127.0.0.1',
                 'localhost'):
        status, body = request_with_host(live_url, host)
        assert status == 200 and json.loads(body)['seed'] == 0, host
    assert allowed_hosts('127.0.0.2') == ['127.0.0.1', 'localhost', '[::1]',
                                          '127.0.0.2']
    assert allowed_hosts('::1') == ['127.0.0.1', 'localhost', '[::1]']
    assert allowed_hosts('0.0.0.0', allow_remote=True) == ['*']
    local = build_server(web_demo).config.app
    remote = build_server(web_demo, '0.0.0.0', allow_remote=True).config.app
    assert asgi_status(local, 'evil.example') == 400
    assert asgi_status(local, 'localhost:7860') == 200
    assert asgi_status(remote, 'evil.example') == 200
    assert asgi_status(remote, '192.168.1.20:7860') == 200


def test_request_size_limit(live_url):
    """Over 1 MB (the limit of this server): refused as soon as the header
    says so, or when a chunked body passes it."""
    host, port = live_url.split('//')[1].split(':')
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.putrequest('POST', '/api/colorize')
    conn.putheader('Content-Length', str(2**20 + 1))
    conn.putheader('X-File-Name', 'huge.png')
    conn.endheaders()  # the body is never sent
    resp = conn.getresponse()
    assert resp.status == 413
    assert json.loads(resp.read())['error'] == (
        'huge.png: larger than 1 MB; upload a smaller file')
    conn.close()
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request('POST', '/api/colorize', body=iter([b'\0' * 2**20, b'\0']),
                 encode_chunked=True)
    resp = conn.getresponse()
    assert resp.status == 413 and b'larger than 1 MB' in resp.read()
    conn.close()


def test_binds_loopback_only_unless_asked(web_demo):
    for host in ('127.0.0.1', 'localhost', '::1', '127.0.0.2'):
        assert is_loopback(host)
        check_host(host)
    for host in ('0.0.0.0', '192.168.1.20', '::', 'example.org'):
        assert not is_loopback(host)
        with pytest.raises(ValueError, match='--allow-remote'):
            build_server(web_demo, host)
    server = build_server(web_demo, '0.0.0.0', allow_remote=True)
    assert server.config.host == '0.0.0.0'
    assert build_server(web_demo).config.host == '127.0.0.1'


def test_tool_refuses_before_loading_anything(tmp_path):
    def tool(*args):
        return subprocess.run(
            [sys.executable, osp.join(REPO, 'tools', 'web_demo.py'), *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=300)

    proc = tool('--host', '0.0.0.0')
    assert proc.returncode == 1
    assert proc.stderr.startswith('error: --host 0.0.0.0 would let other '
                                  'machines use the demo')
    proc = tool()  # no model, and no work_dirs/demo here
    assert proc.returncode == 1
    assert 'run `make demo` in ' in proc.stderr
    assert 'Traceback' not in proc.stderr
