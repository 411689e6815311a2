#!/usr/bin/env bash
# Distributed training with torchrun: tools/dist_train.sh CONFIG GPUS [ARGS]
exec "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
