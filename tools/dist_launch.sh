#!/usr/bin/env bash
# torchrun over one of the tools, for dist_train.sh and dist_test.sh:
#   tools/dist_launch.sh TOOL GPUS [ARGS]   (TOOL: train.py or test.py)
# NNODES, NODE_RANK, PORT and MASTER_ADDR come from the environment; on a
# machine without CUDA the processes use the gloo backend on the CPU.
TOOL=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/$TOOL" \
    "${@:3}" \
    --launcher pytorch
