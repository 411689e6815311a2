# Copyright (c) mmadvseg contributors. All rights reserved.
"""The web demo's server, live on a free loopback port: the page (nothing
from elsewhere), the prediction endpoint, the error answers, the request
limit, and loopback-only binding unless asked."""
import base64
import http.client
import json
import os.path as osp
import re
import subprocess
import sys
import urllib.error
import urllib.request

import cv2
import numpy as np
import pytest

from mmadvseg.apis import Colorizer
from mmadvseg.web import build_server, check_host
from mmadvseg.web.server import STATIC_DIR, is_loopback

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def request(url: str, data: bytes = None, headers: dict = None):
    """``(status, headers, body)`` of a GET (or a POST of ``data``)."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


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
    [expected] = Colorizer(toy_run['run_dir'])(str(tmp_path / 'sent.png'),
                                               seed=0, size=64)['predictions']
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
    assert 'run `make demo` first' in proc.stderr
    assert 'Traceback' not in proc.stderr
