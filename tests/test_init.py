# Copyright (c) mmadvseg contributors. All rights reserved.
"""``import mmadvseg`` stays light; the configs' ``custom_imports`` register
every component. Each check runs in a fresh interpreter, so modules that
earlier tests imported cannot hide a missing import."""
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
HEAVY = ('torch', 'mmengine', 'mmcv', 'mmdet', 'mmagic')


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, '-c', code],
                            cwd=REPO,
                            capture_output=True,
                            text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _heavy_modules_after(statement: str) -> str:
    return _run(f'import sys; {statement}; '
                f'print(sorted(m for m in {HEAVY!r} if m in sys.modules))')


def test_import_mmadvseg_loads_no_heavy_package():
    assert _heavy_modules_after('import mmadvseg') == '[]'
    assert _run('import mmadvseg; print(mmadvseg.__version__)') != ''


def test_data_tooling_imports_without_torch_or_openmmlab():
    assert _heavy_modules_after('import mmadvseg.datasets') == '[]'
    assert _heavy_modules_after('import mmadvseg.toy') == '[]'


def test_config_custom_imports_register_every_component():
    names = {
        'MODELS': [
            'AdvSegPix2Pix', 'AdvSegCycleGAN', 'SegPatchDiscriminator',
            'AdvSegLoss', 'FrozenPanopticSegmenter'
        ],
        'METRICS': ['AdvSegFIDKID', 'SegConsistency', 'ToySemanticAccuracy'],
        'HOOKS': ['AtomicCheckpointHook', 'SaveTestResultsHook'],
    }
    missing = _run(
        'import mmagic.registry as r\n'
        'from mmengine.config import Config\n'
        "Config.fromfile('configs/advseg/pix2pix_both_sheep.py')\n"
        f'names = {names!r}\n'
        'print([n for reg, ns in names.items() for n in ns\n'
        '       if getattr(r, reg).get(n) is None])')
    assert missing == '[]'


def _imported_modules(path: str, package: str) -> set:
    """The absolute names of the modules a file imports (relative imports
    resolved against ``package``, the file's package)."""
    import ast
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split('.')
            if node.level:
                base = base[:len(base) - node.level + 1]
                module = '.'.join(base + ([node.module] if node.module
                                          else []))
            else:
                module = node.module or ''
            names.add(module)
            names.update(f'{module}.{alias.name}' for alias in node.names)
    return names


def test_toy_harness_and_test_helpers_are_leaves():
    """Nothing outside ``mmadvseg/toy`` imports the toy harness, and no
    product module imports the test helpers (``mmadvseg/testing``)."""
    import glob
    offenders = []
    for path in glob.glob(osp.join(REPO, 'mmadvseg', '**', '*.py'),
                          recursive=True):
        rel = osp.relpath(path, REPO)
        module = rel[:-len('.py')].replace(osp.sep, '.')
        package = module.rsplit('.', 1)[0] if not module.endswith(
            '__init__') else module[:-len('.__init__')]
        imported = _imported_modules(path, package)
        for leaf in ('mmadvseg.toy', 'mmadvseg.testing'):
            if module.startswith(leaf):
                continue
            if any(name == leaf or name.startswith(leaf + '.')
                   for name in imported):
                offenders.append(f'{rel} imports {leaf}')
    assert not offenders, offenders
