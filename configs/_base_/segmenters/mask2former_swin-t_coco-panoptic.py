# Mask2Former Swin-T, COCO panoptic (PQ 53.4).
segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='mmdet::mask2former/'
    'mask2former_swin-t-p4-w7-224_8xb2-lsj-50e_coco-panoptic.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v3.0/mask2former/'
    'mask2former_swin-t-p4-w7-224_8xb2-lsj-50e_coco-panoptic/'
    'mask2former_swin-t-p4-w7-224_8xb2-lsj-50e_coco-panoptic_'
    '20220326_224553-3ec9e0ae.pth')
