_base_ = './paired_sketch2photo.py'
data_root = 'data/advseg/sheep/paired'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
