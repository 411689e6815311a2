# Copyright (c) mmadvseg contributors. All rights reserved.
"""The page in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, installed by ``make env`` where it may) driven by
Selenium, against ``tools/web_demo.py`` serving a toy model on a free
loopback port.

Mouse strokes on the canvas must show exactly the ``Colorizer`` API's
output for the sketch the page sent; undo, eraser, clear, an example, a
photo upload and a non-image upload behave as the page says; nothing is
loaded from anywhere but the server. A screenshot after drawing is written
to ``work_dirs/web_demo/page_after_drawing.png``.

Without Chromium the tests are skipped with the command that installs it;
``MMADVSEG_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""
import base64
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from mmadvseg.apis import Colorizer, load_image, resize_longer
from mmadvseg.datasets.sketch import build_sketcher

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
SCREENSHOT = osp.join(REPO, 'work_dirs', 'web_demo',
                      'page_after_drawing.png')
CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu',
                  '--disable-quic', '--no-first-run',
                  '--disable-background-networking',
                  '--disable-component-update', '--disable-sync',
                  '--disable-dev-shm-usage', '--window-size=1280,1100')


def _browser_paths() -> tuple:
    """Chromium's and chromedriver's paths; without them the whole module is
    skipped in one line (a failure under ``MMADVSEG_REQUIRE_BROWSER=1``)."""
    chromium = shutil.which('chromium') or shutil.which('chromium-browser')
    driver = shutil.which('chromedriver')
    if not (chromium and driver):
        message = ('no Chromium: the browser tests need it and its driver '
                   '(sudo apt-get install -y chromium chromium-driver)')
        if os.environ.get('MMADVSEG_REQUIRE_BROWSER') == '1':
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)
    return chromium, driver


CHROMIUM, CHROMEDRIVER = _browser_paths()


@pytest.fixture(scope='module')
def server_url(toy_run, tmp_path_factory):
    """``tools/web_demo.py RUN_DIR --port 0`` in a subprocess; its URL."""
    log = tmp_path_factory.mktemp('web_server') / 'server.log'
    with open(log, 'w') as out:
        proc = subprocess.Popen(
            [sys.executable, 'tools/web_demo.py', toy_run['run_dir'],
             '--port', '0'], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 300
    while True:
        text = log.read_text()
        found = re.search(r'running on (http://127\.0\.0\.1:\d+)', text)
        if found:
            break
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(f'the web demo did not start:\n{text[-3000:]}')
        time.sleep(0.2)
    yield found.group(1)
    proc.terminate()
    proc.wait(30)


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    chromium, chromedriver = CHROMIUM, CHROMEDRIVER
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp('chromium_profile')
    options.add_argument(f'--user-data-dir={profile}')
    options.set_capability('goog:loggingPrefs', {'performance': 'ALL'})
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    yield driver
    driver.quit()


# -- page helpers -----------------------------------------------------------
def page_value(driver, expression: str):
    return driver.execute_script(f'return {expression};')


def open_page(driver, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait
    driver.get(url + '/')
    WebDriverWait(driver, 60).until(
        lambda d: page_value(d, 'document.body.dataset.state') == 'idle')


def results(driver) -> int:
    return int(page_value(driver, 'document.body.dataset.results'))


def wait_for_answer(driver, before: int) -> None:
    """Until the page has an answer it did not have at ``before``."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 120).until(
        lambda d: results(d) > before and
        page_value(d, 'document.body.dataset.state') == 'idle')


def draw(driver, points) -> None:
    """One mouse stroke through ``points`` (CSS pixels from the canvas
    centre), then wait for the answer it triggers."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    canvas = driver.find_element(By.ID, 'canvas')
    before = results(driver)
    (x, y), rest = points[0], points[1:]
    chain = ActionChains(driver).move_to_element_with_offset(canvas, x, y)
    chain.click_and_hold()
    for nx, ny in rest:
        chain.move_by_offset(nx - x, ny - y)
        x, y = nx, ny
    chain.release().perform()
    wait_for_answer(driver, before)


def click(driver, element_id: str) -> None:
    from selenium.webdriver.common.by import By
    driver.find_element(By.ID, element_id).click()


def data_url_bytes(url: str) -> bytes:
    assert url.startswith('data:image/png;base64,'), url[:40]
    return base64.b64decode(url.split(',', 1)[1])


def decode(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def shown(driver, element_id: str) -> np.ndarray:
    """The image an ``<img>`` of the page shows."""
    from selenium.webdriver.common.by import By
    src = driver.find_element(By.ID, element_id).get_attribute('src')
    return decode(data_url_bytes(src))


def sent(driver) -> bytes:
    """The file the page sent for the answer it shows."""
    from selenium.webdriver.common.by import By
    return data_url_bytes(driver.find_element(
        By.ID, 'download-sent').get_attribute('href'))


def canvas_pixels(driver) -> np.ndarray:
    return decode(data_url_bytes(page_value(
        driver, "document.getElementById('canvas').toDataURL('image/png')")))


# -- tests ------------------------------------------------------------------
def test_strokes_show_the_colorizers_output(browser, server_url, toy_run,
                                            tmp_path):
    open_page(browser, server_url)
    colorizer = Colorizer(toy_run['run_dir'])

    def check_answer(name: str) -> np.ndarray:
        """The shown images are the API's for the sketch the page sent."""
        (tmp_path / name).write_bytes(sent(browser))
        sketch = load_image(str(tmp_path / name))
        np.testing.assert_array_equal(
            shown(browser, 'colour'),
            colorizer(resize_longer(sketch, 64), seed=0)['predictions'][0])
        np.testing.assert_array_equal(shown(browser, 'sketch'),
                                      resize_longer(sketch, 64))
        assert shown(browser, 'segmentation').shape == (64, 64, 3)
        return sketch

    draw(browser, [(-150, -120), (-60, -20), (40, 60), (140, 150)])
    first = check_answer('stroke1.png')
    assert first.shape == (512, 512, 3)
    ink = (first < 128).all(-1)
    assert 200 < ink.sum() < 20000  # a pen line, black on white
    assert (first == 255).all(-1).mean() > 0.9  # the rest is white paper
    assert (first == first[..., :1]).all()  # and no colour anywhere
    draw(browser, [(120, -140), (0, 0), (-130, 130)])
    second = check_answer('stroke2.png')
    assert (second < 128).all(-1).sum() > ink.sum()
    legend = page_value(browser, "document.getElementById('legend')"
                        '.textContent')
    assert 'thing' in legend and 'stuff' in legend
    os.makedirs(osp.dirname(SCREENSHOT), exist_ok=True)
    assert browser.save_screenshot(SCREENSHOT)
    # undo takes the second stroke back (and colourizes again)
    before = results(browser)
    click(browser, 'undo')
    wait_for_answer(browser, before)
    np.testing.assert_array_equal(check_answer('undone.png'), first)
    # the eraser paints paper over the line
    click(browser, 'eraser')
    draw(browser, [(-150, -120), (-60, -20), (40, 60), (140, 150)])
    erased = check_answer('erased.png')
    assert (erased < 128).all(-1).sum() < ink.sum() // 4
    click(browser, 'pen')
    # clear: white paper; Run colourizes it
    click(browser, 'clear')
    assert (canvas_pixels(browser) == 255).all()
    before = results(browser)
    click(browser, 'run')
    wait_for_answer(browser, before)
    assert (check_answer('blank.png') == 255).all()


def test_examples_and_photos(browser, server_url, toy_run):
    from selenium.webdriver.common.by import By
    open_page(browser, server_url)
    scenes = toy_run['scenes']
    buttons = browser.find_elements(By.CSS_SELECTOR, '#examples button')
    assert len(buttons) == 4
    before = results(browser)
    buttons[2].click()
    wait_for_answer(browser, before)
    example = cv2.imread(f'{scenes.root}/unpaired/testA/000002.png')
    np.testing.assert_array_equal(shown(browser, 'sketch'), example)
    # a photo: its sketch is shown, and put into the canvas to edit
    photo = f'{scenes.img_dir("test")}/000003.png'
    before = results(browser)
    browser.find_element(By.ID, 'upload-photo').send_keys(photo)
    wait_for_answer(browser, before)
    xdog = build_sketcher('xdog', preset='xdog_paper')
    sketch = load_image(xdog(load_image(photo)))
    np.testing.assert_array_equal(shown(browser, 'sketch'), sketch)
    np.testing.assert_array_equal(
        resize_longer(canvas_pixels(browser), 64), sketch)
    notes = page_value(browser, "document.getElementById('notes')"
                       '.textContent')
    assert 'the photo was turned into this sketch first' in notes
    assert page_value(browser, "document.getElementById('message').hidden")


def test_a_non_image_upload_shows_a_message(browser, server_url, tmp_path):
    from selenium.webdriver.common.by import By
    open_page(browser, server_url)
    notes = tmp_path / 'notes.txt'
    notes.write_text('not a drawing')
    before = results(browser)
    browser.find_element(By.ID, 'upload-sketch').send_keys(str(notes))
    wait_for_answer(browser, before)
    message = browser.find_element(By.ID, 'message')
    assert message.is_displayed()
    assert message.text == ('notes.txt: not an image this demo can read; '
                            'upload a PNG, JPEG, BMP, TIFF or WebP file')
    assert 'Traceback' not in browser.page_source


def test_the_page_loads_nothing_from_elsewhere(browser, server_url):
    open_page(browser, server_url)  # after the tests above, in this log
    urls = []  # what the demo's pages asked for (not Chromium's new tab)
    for entry in browser.get_log('performance'):
        event = json.loads(entry['message'])['message']
        if event['method'] == 'Network.requestWillBeSent' and event[
                'params']['documentURL'].startswith(server_url):
            urls.append(event['params']['request']['url'])
    urls += page_value(browser, "performance.getEntriesByType('resource')"
                       '.map((e) => e.name)')
    assert any(u.endswith('/static/demo.js') for u in urls)
    assert any('/api/colorize' in u for u in urls)
    foreign = [u for u in urls if not u.startswith(
        (server_url + '/', 'data:', 'blob:'))]
    assert not foreign
