# Copyright (c) mmadvseg contributors. All rights reserved.
"""Loading a tool's config: the commonest mistakes (a syntax error, an
option that is not KEY=VALUE or does not fit) are one line naming the file
or the option and the fix."""
import argparse

import pytest

from mmadvseg.utils.config import (
    ConfigError,
    ConfigOptionsAction,
    read_config,
)


@pytest.fixture
def config(tmp_path) -> str:
    path = tmp_path / 'cfg.py'
    path.write_text("x = dict(a=1)\ny = [dict(b=1), dict(b=2)]\n")
    return str(path)


def test_a_syntax_error_names_the_file_and_line(tmp_path):
    path = tmp_path / 'broken.py'
    path.write_text("x = dict(a=1)\ny = (\n")
    with pytest.raises(ConfigError) as err:
        read_config(str(path))
    assert str(err.value) == (f"{path}, line 2: syntax error ('(' was never "
                              'closed): fix that line of the config')


def test_an_error_in_a_base_config_names_the_config(tmp_path, config):
    child = tmp_path / 'child.py'
    child.write_text(f"_base_ = ['{config}']\nz = undefined_name\n")
    with pytest.raises(ConfigError, match=(
            f"^{child}: cannot load the config \\(NameError: name "
            "'undefined_name' is not defined\\): fix the config")):
        read_config(str(child))


@pytest.mark.parametrize('option,why', [
    ({'x.a.b': 1}, 'a is a dict in the child config but is of type'),
    ({'y.5.b': 0}, 'Index 5 exceeds the length of list'),
    ({'x.a': 2, 'y.a': 1}, 'list indices must be integers'),
])
def test_an_option_that_does_not_fit_is_named(config, option, why):
    key, value = list(option.items())[-1]
    with pytest.raises(ConfigError) as err:
        read_config(config, option)
    message = str(err.value)
    assert message.startswith(
        f'--cfg-options {key}={value!r} does not fit {config} (')
    assert why in message and '\n' not in message
    assert message.endswith(f'check the key (python tools/misc/'
                            f'print_config.py {config} shows it resolved)')


def test_good_options_merge(config):
    cfg = read_config(config, {'x.a': 2, 'y.1.b': 5, 'z.q': 'w'})
    assert cfg.x.a == 2 and cfg.y[1].b == 5 and cfg.z.q == 'w'


def test_a_missing_config_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.py: config file not '
                       'found; check the path'):
        read_config(str(tmp_path / 'nope.py'))


@pytest.mark.parametrize('entry,why', [
    ('train_cfg', "'train_cfg' is not KEY=VALUE: write e.g. --cfg-options "
     'train_cfg.max_epochs=10'),
    ('=3', "'=3' is not KEY=VALUE"),
    ('a=[1,2', "'a=[1,2' has a bad value (Imbalanced brackets exist in "
     '[1,2): balance its brackets'),
])
def test_a_malformed_option_exits_with_one_line(capsys, entry, why):
    """mmengine's DictAction raised ValueError or AssertionError inside
    argparse: a traceback."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+',
                        action=ConfigOptionsAction)
    assert parser.parse_args(['--cfg-options', 'a=1', 'b=[1,2]']).cfg_options \
        == {'a': 1, 'b': [1, 2]}
    with pytest.raises(SystemExit) as done:
        parser.parse_args(['--cfg-options', 'a=1', entry])
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f'error: --cfg-options {why}') and \
        err.count('\n') == 1, err
