# Copyright (c) mmadvseg contributors. All rights reserved.
"""The web demo (``tools/web_demo.py``, ``make web``): draw a sketch, see
it colourized by a trained model and segmented by the model's segmenter.

- :mod:`.demo`: the model side (:class:`WebDemo`, on the
  :class:`~mmadvseg.apis.Colorizer`);
- :mod:`.server`: the HTTP side (a Starlette app on uvicorn, loopback
  only unless asked);
- ``static/``: the page (HTML, CSS and JavaScript; no external resource).

Importing this package imports Starlette and uvicorn, not torch.
"""
from .demo import DemoBusyError, DemoInputError, WebDemo
from .server import build_server, check_host, create_app, web_demo_command

__all__ = [
    'WebDemo', 'DemoInputError', 'DemoBusyError', 'create_app',
    'build_server', 'check_host', 'web_demo_command'
]
