# A check outside the shared-colour protocol (no comparison is drawn from
# it): the Pix2Pix baseline on shared-colour scenes trained twice as long
# as the protocol's schedule (1,400 iterations, validated every 100), to see
# whether its judge mIoU plateaus below the AdvSegLoss arms' at 700.
_base_ = './pilot_shared.py'
iters = 1400
arms = [dict(model='pix2pix', variant='baseline', name='baseline-long')]
