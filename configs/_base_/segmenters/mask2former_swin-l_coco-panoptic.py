# Mask2Former Swin-L (ImageNet-21k pretrain), COCO panoptic (PQ 57.6).
segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='mmdet::mask2former/'
    'mask2former_swin-l-p4-w12-384-in21k_16xb1-lsj-100e_coco-panoptic.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v3.0/mask2former/'
    'mask2former_swin-l-p4-w12-384-in21k_16xb1-lsj-100e_coco-panoptic/'
    'mask2former_swin-l-p4-w12-384-in21k_16xb1-lsj-100e_coco-panoptic_'
    '20220407_104949-82f8d28d.pth')
