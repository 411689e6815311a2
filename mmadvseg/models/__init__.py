# Copyright (c) mmadvseg contributors. All rights reserved.
from .discriminators import *  # noqa: F401,F403
from .editors import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .segmenters import *  # noqa: F401,F403
