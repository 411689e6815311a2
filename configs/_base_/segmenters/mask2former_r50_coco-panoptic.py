# Mask2Former R50, COCO panoptic (80 things + 53 stuff, PQ 52.0).
segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco-panoptic.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v3.0/mask2former/'
    'mask2former_r50_8xb2-lsj-50e_coco-panoptic/'
    'mask2former_r50_8xb2-lsj-50e_coco-panoptic_20230118_125535-54df384a.pth')
