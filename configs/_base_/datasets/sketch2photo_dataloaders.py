# Dataloaders of the paired and unpaired sketch -> photo data: batch 1 (the
# authors' setting), shuffled epochs for training, the test split in order
# for validation and testing. Layout files set the dataset type and
# pipelines, per-dataset files the `data_root`.
train_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(data_root=None))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(data_root=None, test_mode=True))
test_dataloader = val_dataloader
