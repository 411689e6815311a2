# Copyright (c) mmadvseg contributors. All rights reserved.
