# Protocol C1, distinct-colour grid (fixed before its runs; run after the
# ramp-up grid): the winning arm of protocol C1 on distinct-colour scenes
# against that baseline, the schedule of the shared grid. The winner is the
# arm (of the primary and ramp-up grids) that helps by the README's rule
# with the largest mean difference; without one, this grid is not run and
# the README says so. It is added below before any run of this grid.
_base_ = './evidence_c1_shared.py'
scenes = dict(color_mode='distinct')
arms = [
    dict(model='cyclegan', variant='baseline'),
]
