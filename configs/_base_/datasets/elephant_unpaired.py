_base_ = './unpaired_sketch2photo.py'
data_root = 'data/advseg/elephant/unpaired'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
