# Copyright (c) mmadvseg contributors. All rights reserved.
from mmengine.logging import MessageHub


def check_ramp_up(ramp_up: float) -> float:
    """Validate ``adv_seg.ramp_up``: a fraction of training in [0, 1)."""
    if isinstance(ramp_up, bool) or not isinstance(ramp_up, (int, float)) \
            or not 0 <= ramp_up < 1:
        raise ValueError(f'adv_seg.ramp_up must be a fraction of training in '
                         f'[0, 1) (0: no ramp-up), got {ramp_up!r}')
    return float(ramp_up)


def ramp_up_factor(ramp_up: float) -> float:
    """The seg terms' weight factor at the current iteration: linear from 0
    at iteration 0 to 1 at ``ramp_up * max_iters``, then 1.

    The iteration and the run's length come from the message hub (the
    runner's ``RuntimeInfoHook`` sets ``iter`` and ``max_iters``), so a
    resumed run ramps as the uninterrupted one.

    Args:
        ramp_up (float): The fraction of training the ramp lasts; 0 for no
            ramp-up (factor 1).

    Returns:
        float: The factor, in [0, 1].
    """
    if not ramp_up:
        return 1.0
    hub = MessageHub.get_current_instance()
    max_iters = hub.get_info('max_iters')
    if not max_iters:
        raise ValueError('adv_seg.ramp_up needs the run\'s length: the '
                         'message hub has no max_iters (train through the '
                         'runner, or set it with update_info)')
    return min(1.0, hub.get_info('iter', 0) / (ramp_up * max_iters))
