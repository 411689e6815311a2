# Copyright (c) mmadvseg contributors. All rights reserved.
"""The sketch methods: one table read by the sketch function, the parameter
check and the command line.

:data:`SKETCH_METHODS` maps each method name (``xdog``, ``canny``, ``hed``)
to a :class:`SketchMethod`: the function that draws the sketch, the network
it needs (HED), how the user's parameters become the function's keyword
arguments, and the options a command line offers (``--{method}-{option}``
flags, made by :func:`add_sketch_args` and read back by
:func:`sketcher_from_args`, or given by name to
:func:`sketcher_from_options`). A new method is one more entry here.

:func:`build_sketcher` checks the parameters once and returns a
:class:`Sketcher`, a picklable ``image -> sketch`` function that process
pools can ship to their workers. The method modules are imported on first
use, so torch is needed only when HED is.
"""
import argparse
import importlib
import inspect
import os.path as osp
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from .xdog import XDOG_PARAMS, XDOG_PRESETS, xdog_params

Params = Dict[str, Any]


@dataclass(frozen=True)
class SketchOption:
    """A parameter of a sketch method that the command line sets.

    Args:
        name (str): Parameter name, as given to :func:`build_sketcher`.
        type (callable): Type of the value (argparse's ``type``); ``bool``
            makes an on/off switch. Defaults to float.
        help (str, optional): Help text of the flag.
        default (Any): Value when the flag is not given; None leaves the
            method's default. Defaults to None.
        choices (Sequence, optional): Allowed values.
        flag (str, optional): The flag, when it is not
            ``--{method}-{name}`` (underscores as dashes).
    """
    name: str
    type: Callable[[str], Any] = float
    help: Optional[str] = None
    default: Any = None
    choices: Optional[Sequence[Any]] = None
    flag: Optional[str] = None


@dataclass(frozen=True)
class SketchMethod:
    """A sketch method: its function, its network and its options.

    Args:
        name (str): Method name; its module is
            ``mmadvseg.datasets.sketch.<name>``.
        function (str): The sketch function of that module, called as
            ``function(img, [model,] **params)``.
        options (tuple[SketchOption]): Parameters offered on the command
            line (the function may take more).
        prepare (callable, optional): Turns the given parameters into the
            stored ones (e.g. expands an XDoG preset); may raise.
        loader (str, optional): Function of the module that loads the
            network, called with ``loader_params`` (taken out of the
            parameters) once per process.
        loader_params (tuple[str]): Parameters of ``loader``.
    """
    name: str
    function: str
    options: Tuple[SketchOption, ...]
    prepare: Optional[Callable[[Params], Params]] = None
    loader: Optional[str] = None
    loader_params: Tuple[str, ...] = ()

    def _module(self) -> Any:
        return importlib.import_module(f'{__package__}.{self.name}')

    def flag(self, option: SketchOption) -> str:
        """The command-line flag of ``option``."""
        return option.flag or f'--{self.name}-{option.name.replace("_", "-")}'

    def bind(self, params: Params) -> Tuple[Callable, tuple, Params]:
        """The sketch function, its positional arguments after the image
        (the loaded network, if any) and its keyword arguments.

        Args:
            params (dict): Stored parameters (see :class:`Sketcher`).

        Returns:
            tuple: ``(function, args, kwargs)``.
        """
        module, kwargs = self._module(), dict(params)
        args: tuple = ()
        if self.loader is not None:
            load = {
                k: kwargs.pop(k)
                for k in self.loader_params if k in kwargs
            }
            key = (self.name, tuple(sorted(load.items())))
            if key not in _MODELS:
                _MODELS[key] = getattr(module, self.loader)(**load)
            args = (_MODELS[key], )
        return getattr(module, self.function), args, kwargs


#: Networks loaded in this process, by method and loader parameters.
_MODELS: Dict[Tuple[str, tuple], Any] = {}


@dataclass(frozen=True)
class Sketcher:
    """A picklable sketch function: ``Sketcher(method, params)(bgr)``.

    Args:
        method (str): A key of :data:`SKETCH_METHODS`.
        params (tuple): Sorted ``(name, value)`` pairs: keyword arguments of
            the method's function (for HED also ``weights`` and
            ``device``). Use :func:`build_sketcher` to make one.
    """
    method: str
    params: Tuple[Tuple[str, Any], ...] = ()

    def __call__(self, img: np.ndarray) -> np.ndarray:
        """Sketch ``img`` (``HxWx3`` BGR uint8): ``HxW`` uint8, ink 0."""
        function, args, kwargs = SKETCH_METHODS[self.method].bind(
            dict(self.params))
        return function(img, *args, **kwargs)

    @property
    def device(self) -> str:
        """Device of the method's network (``'cpu'`` without one)."""
        return str(dict(self.params).get('device', 'cpu'))

    def settings(self) -> Params:
        """What decides the sketches: the method and its parameters (the
        device does not), as a dataset records them."""
        return dict(sketch=self.method,
                    params={k: v for k, v in self.params if k != 'device'})

    def validate(self) -> None:
        """Fail early (not once per image) on a bad parameter or network."""
        function, args, kwargs = SKETCH_METHODS[self.method].bind(
            dict(self.params))
        try:
            inspect.signature(function).bind(None, *args, **kwargs)
        except TypeError as err:
            raise TypeError(f'bad {self.method} sketch parameters '
                            f'{sorted(kwargs)}: {err}') from None


def _xdog_params(params: Params) -> Params:
    """A preset (default ``reference``) with the given values on top."""
    params = dict(params)
    return xdog_params(params.pop('preset', 'reference'), **params)


def _hed_params(params: Params) -> Params:
    """Check that the weights file exists; store its absolute path."""
    weights = params.get('weights')
    if not weights or not osp.isfile(weights):
        from .hed import missing_weights_message
        raise FileNotFoundError(missing_weights_message(weights))
    return {**params, 'weights': osp.abspath(weights)}


#: The sketch methods by name, in the order of the command line.
SKETCH_METHODS: Dict[str, SketchMethod] = {
    method.name: method
    for method in (
        SketchMethod(
            'xdog', 'xdog', prepare=_xdog_params, options=(
                SketchOption('preset', str, 'XDoG parameter set (default: '
                             'the reference code)', 'reference',
                             tuple(sorted(XDOG_PRESETS))),
                *(SketchOption(name, help=f'override the preset XDoG {name}')
                  for name in XDOG_PARAMS),
            )),
        SketchMethod(
            'canny', 'canny', options=(
                SketchOption('low', help='lower hysteresis threshold'),
                SketchOption('high', help='upper hysteresis threshold'),
                SketchOption('blur_sigma', help='Gaussian pre-blur (0: off)'),
                SketchOption('thickness', int, 'line width in pixels'),
            )),
        SketchMethod(
            'hed', 'hed_sketch', prepare=_hed_params, loader='load_hed',
            loader_params=('weights', 'device'), options=(
                SketchOption('weights', str, 'local HED weights file '
                             '(required for --sketch hed)'),
                SketchOption('postprocess', bool, 'NMS + threshold + '
                             'thinning of the HED edges'),
                SketchOption('threshold', help='threshold of the '
                             'post-process'),
                SketchOption('min_size', int, 'smallest line kept by the '
                             'post-process'),
                SketchOption('input_size', int, 'run HED on a square resize '
                             '(the reference used 500)'),
                SketchOption('device', str, 'HED device (with cuda use '
                             '--nproc 1)', 'cpu', flag='--device'),
            )),
    )
}


def build_sketcher(method: str = 'xdog', **params: Any) -> Sketcher:
    """Build a :class:`Sketcher` and validate its parameters.

    Args:
        method (str): A key of :data:`SKETCH_METHODS`. Defaults to
            ``'xdog'``.
        **params: For ``'xdog'``: ``preset`` (a key of
            :data:`~.xdog.XDOG_PRESETS`, default ``'reference'``) and any
            parameter of :func:`~.xdog.xdog` to override it. For ``'canny'``:
            parameters of :func:`~.canny.canny`. For ``'hed'``: ``weights``
            (required local file), ``device`` and parameters of
            :func:`~.hed.hed_sketch`. None values mean "default".

    Returns:
        Sketcher: The sketch function.

    Raises:
        ValueError: Unknown method.
        TypeError: A parameter the method does not have.
        FileNotFoundError: HED without its weights file.
    """
    if method not in SKETCH_METHODS:
        raise ValueError(f'unknown sketch method {method!r}; choose one of '
                         f'{tuple(SKETCH_METHODS)}')
    prepare = SKETCH_METHODS[method].prepare
    params = {k: v for k, v in params.items() if v is not None}
    if prepare is not None:
        params = prepare(params)
    sketcher = Sketcher(method, tuple(sorted(params.items())))
    sketcher.validate()
    return sketcher


def _dest(flag: str) -> str:
    """The attribute argparse stores ``flag`` in."""
    return flag.lstrip('-').replace('-', '_')


#: The names of the sketch options of every method, as
#: :func:`add_sketch_args` stores them (``xdog_sigma``, ``device`` ...).
SKETCH_OPTIONS: Tuple[str, ...] = tuple(dict.fromkeys(
    _dest(method.flag(option)) for method in SKETCH_METHODS.values()
    for option in method.options))


def add_sketch_args(parser: argparse.ArgumentParser,
                    default: Optional[str] = 'xdog') -> None:
    """Add ``--sketch`` and the options of every method.

    Args:
        parser (argparse.ArgumentParser): Parser to extend (in a group
            ``sketch extraction``).
        default (str, optional): The method without ``--sketch``; None
            leaves the choice to the tool (e.g. a dataset's record).
            Defaults to ``'xdog'``.
    """
    group = parser.add_argument_group('sketch extraction')
    group.add_argument('--sketch', choices=tuple(SKETCH_METHODS),
                       default=default, help='sketch method (default: '
                       f'{default or "the one the training data recorded"})')
    for method in SKETCH_METHODS.values():
        for option in method.options:
            kwargs: Dict[str, Any] = dict(action='store_true') \
                if option.type is bool else dict(
                    type=option.type, default=option.default,
                    choices=option.choices)
            group.add_argument(method.flag(option), help=option.help,
                               **kwargs)


def sketcher_from_options(sketch: str = 'xdog', **options: Any) -> Sketcher:
    """Build the :class:`Sketcher` that the options of
    :func:`add_sketch_args` choose, given by their names: ``sketch`` and
    ``xdog_sigma=0.8``, ``canny_low=30``, ``hed_weights='hed.pth'``,
    ``device='cuda'`` ... The options of the other methods are ignored;
    None means the method's default.

    Args:
        sketch (str): A key of :data:`SKETCH_METHODS`. Defaults to
            ``'xdog'``.
        **options: Options named as in :data:`SKETCH_OPTIONS`.

    Returns:
        Sketcher: The sketch function.

    Raises:
        TypeError: An option no method has.
    """
    unknown = sorted(set(options) - set(SKETCH_OPTIONS))
    if unknown:
        raise TypeError(f'unknown sketch options {unknown}; they are '
                        f'{", ".join(SKETCH_OPTIONS)}')
    method = SKETCH_METHODS.get(sketch)
    params = {
        option.name: options.get(_dest(method.flag(option)))
        for option in method.options
    } if method is not None else {}
    return build_sketcher(sketch, **params)


def sketcher_from_args(args: argparse.Namespace) -> Sketcher:
    """Build the :class:`Sketcher` chosen with :func:`add_sketch_args`.

    Args:
        args (argparse.Namespace): Parsed arguments.

    Returns:
        Sketcher: The sketch function.
    """
    return sketcher_from_options(args.sketch, **{
        name: value for name, value in vars(args).items()
        if name in SKETCH_OPTIONS})

__all__ = [
    'SKETCH_METHODS', 'SketchMethod', 'SketchOption', 'Sketcher',
    'build_sketcher', 'add_sketch_args', 'sketcher_from_args',
    'sketcher_from_options', 'SKETCH_OPTIONS'
]
