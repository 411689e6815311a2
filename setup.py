# Copyright (c) mmadvseg contributors. All rights reserved.
"""Setup for mmadvseg.

The OpenMMLab stack needs an ordered install (mmcv with compiled ops,
mmagic without its declared dependencies); ``tools/install_env.sh`` does it.
``install_requires`` therefore lists only what pip can resolve by itself.
"""
import os.path as osp

from setuptools import find_packages, setup


def get_version() -> str:
    scope: dict = {}
    with open(osp.join('mmadvseg', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(fname: str) -> list:
    """Read a requirements file, skipping comments and blank lines."""
    with open(fname) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


setup(
    name='mmadvseg',
    version=get_version(),
    description='Adversarial Segmentation Loss for sketch colorization, '
    'as OpenMMLab components',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    author='mmadvseg contributors',
    license='Apache License 2.0',
    python_requires='>=3.8',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    include_package_data=True,
    package_data={'mmadvseg.web': ['static/*']},  # the demo page
    install_requires=parse_requirements('requirements/build.txt')[:3],
    extras_require={
        'tests': parse_requirements('requirements/tests.txt'),
    },
    classifiers=[
        'License :: OSI Approved :: Apache Software License',
        'Programming Language :: Python :: 3.11',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
    zip_safe=False,
)
