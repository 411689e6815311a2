# Copyright (c) mmadvseg contributors. All rights reserved.
"""A toy model trained the way ``make demo`` trains it, in small (4 scenes,
2 segmenter and 2 GAN iterations: about a minute of CPU), and a live demo
server on a free loopback port."""
import threading
import time
from typing import Iterator

import cv2
import numpy as np
import pytest

from mmadvseg.toy import ToyScenes
from mmadvseg.toy.experiment import Arm, ToyExperiment, run_experiment
from mmadvseg.web import WebDemo, build_server


@pytest.fixture(scope='session')
def toy_run(tmp_path_factory) -> dict:
    """``{'run_dir', 'scenes'}``: the AdvSegLoss Pix2Pix run of a tiny toy
    experiment (the arm the web demo serves by default)."""
    exp = ToyExperiment(
        work_dir=str(tmp_path_factory.mktemp('toy_demo')),
        arms=[Arm('pix2pix', 'both')], seeds=(0, ), iters=2, batch_size=2,
        grad_norm_interval=0, segmenter_iters=2,
        scenes=ToyScenes(num_train=4, num_test=4))
    assert run_experiment(exp)['info']['failed_runs'] == []
    return dict(run_dir=f'{exp.runs_dir}/{exp.arms[0].run_name(0)}',
                scenes=exp.scenes)


@pytest.fixture(scope='session')
def drawing() -> bytes:
    """A PNG like the page's canvas sends: black strokes on white, RGBA,
    512 x 512."""
    img = np.full((512, 512, 4), 255, np.uint8)
    cv2.line(img, (40, 60), (470, 300), (0, 0, 0, 255), 8)
    cv2.circle(img, (250, 260), 120, (0, 0, 0, 255), 8)
    return cv2.imencode('.png', img)[1].tobytes()


@pytest.fixture(scope='session')
def web_demo(toy_run) -> WebDemo:
    return WebDemo(toy_run['run_dir'])


@pytest.fixture(scope='module')
def live_url(web_demo) -> Iterator[str]:
    """The URL of ``web_demo`` served on a free loopback port (port 0) in a
    thread, with a 1 MB request limit."""
    server = build_server(web_demo, port=0, log_level='warning',
                          max_upload_bytes=2**20)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        assert thread.is_alive() and time.time() < deadline, 'no server'
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f'http://127.0.0.1:{port}'
    server.should_exit = True
    thread.join(10)
